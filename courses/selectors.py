"""Reads of the module itself. What a module page shows of its sections and slides is read by
``sections.selectors`` (the layer above), so this base app never imports the apps built on it."""
from django.http import Http404

from .models import Module


def module_get(*, slug: str) -> Module:
    try:
        return Module.objects.get(slug=slug)
    except Module.DoesNotExist:
        raise Http404("No such module.") from None


def module_default() -> Module | None:
    """The module the home page shows: the first of the programme on this site."""
    return Module.objects.order_by("number").first()
