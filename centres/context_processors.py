"""What the site's navigation needs to know about the visitor's roles.

Lazy, so that pages which never ask (and anonymous visitors) pay no query.
"""
from django.utils.functional import SimpleLazyObject


def roles(request):
    from . import access

    user = getattr(request, "user", None)
    return {"is_centre_staff": SimpleLazyObject(lambda: bool(user and access.can_use_centre_pages(user)))}
