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


def module_default_slug_cached(*, version) -> str:
    """The home page's module's slug at content ``version`` ("" when there is no module): 1 query on
    the first ask per version, none after (``page_cache.fragment``; a new module or a renumbering is
    a content write, so a new version)."""
    from . import page_cache

    def build():
        module = module_default()
        return module.slug if module else ""

    return page_cache.fragment(version, "module-default-slug", build=build)
