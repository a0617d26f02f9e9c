"""Choosing the language with a plain link: no form, so no CSRF cookie on every page.

Django's ``set_language`` is a POST with a CSRF token, and that token's cookie made every
anonymous page uncacheable. Choosing a language changes nothing but the visitor's own
preference cookie, so a GET may do it (at worst a crafted link shows someone the site in
English). The answer is a redirect that no cache keeps. ``set_language`` stays routed for
forms that post to it.
"""
from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def language_choose(request, code):
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()) or "\x00" in next_url:
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
