from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve

register = template.Library()


@register.simple_tag
def cohort_being_joined(next_url):
    """The cohort whose join link sent the visitor to log in or sign up, if any,
    so that those pages can say what they are for."""
    from ..models import normalise_join_code
    from ..selectors import cohort_by_join_code

    if not next_url:
        return None
    try:
        match = resolve(urlsplit(str(next_url)).path)
    except Resolver404:
        return None
    if match.view_name != "centres:join":
        return None
    return cohort_by_join_code(normalise_join_code(match.kwargs.get("code", "")))
