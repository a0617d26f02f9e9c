"""HTTP caching of the module's reading pages (overview, section, slide, hand-out).

For an anonymous reader with nothing personal pending (no flash message), a reading page
depends only on the URL, the language, the content version and the release of the code. So:

* ``ETag`` and ``Last-Modified`` come from those; a revalidation that matches gets a 304
  after one query (the content version), without rendering anything;
* ``Cache-Control: public`` lets browsers and shared caches keep the page, revalidating
  (``max-age`` from ``CONTENT_PAGE_MAX_AGE``, 0 by default: a trainer's fix is seen on the next
  load, at the price of a 304 round trip);
* the whole page is kept in the cache under those same keys, with its gzip, so a hit costs
  a cache look-up; a new content version (any content write, see ``courses.content_version``)
  simply misses the old entries;
* no cookie is set on such a page: no session, no CSRF token (the language switcher is a
  plain link, ``config.language``), so any cache may store it.

Signed-in readers get their own page, rendered each time (from cached fragments), with
``Cache-Control: private, no-cache`` unless the response already says otherwise: it is
never public.
"""
from __future__ import annotations

import gzip
import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date
from django.utils.translation import get_language

from . import content_version

PAGE_TIMEOUT = 24 * 3600  # entries of an old version are never read again; this frees them in time
GZIP_MIN_LENGTH = 200


def cache():
    return caches[getattr(settings, "CONTENT_CACHE_ALIAS", "default")]


def max_age() -> int:
    return int(getattr(settings, "CONTENT_PAGE_MAX_AGE", 0))


def is_plain_anonymous(request) -> bool:
    """Nobody signed in and nothing personal to show (a flash message): the page is everybody's."""
    if request.user.is_authenticated:
        return False
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.session_key and session.get("_messages"):
        return False
    return True


def mark_private(response):
    """Signed-in or personal: never stored by a shared cache. A Cache-Control already set is kept."""
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _etag(version, language: str) -> str:
    return f'W/"{content_version.release()}-{version.key}-{language}"'


def _public_headers(response, *, etag: str, last_modified: str) -> None:
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    patch_cache_control(response, public=True, max_age=max_age(), must_revalidate=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))


def _accepts_gzip(request) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def content_page(view):
    """Decorate a reading page: public, revalidated and cached whole for anonymous readers."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not is_plain_anonymous(request):
            response = view(request, *args, **kwargs)
            return mark_private(response) if request.user.is_authenticated or request.method not in ("GET", "HEAD") \
                else _private_anonymous(response)

        version = content_version.current()
        request.content_version = version  # the view's cached reads use the same version
        language = get_language()
        etag = _etag(version, language)
        modified = int(version.last_modified.timestamp())
        last_modified = http_date(modified)
        not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
        if not_modified is not None:
            _public_headers(not_modified, etag=etag, last_modified=last_modified)
            return not_modified

        # Query strings are not cached: nobody may fill the cache with made-up addresses.
        cacheable = not request.META.get("QUERY_STRING")
        key = "page:" + hashlib.sha256(
            f"{content_version.release()}|{version.key}|{language}|{request.path}".encode()
        ).hexdigest()
        entry = cache().get(key) if cacheable else None
        if entry is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return _private_anonymous(response)
            body = response.content
            entry = {
                "body": body,
                "gzip": gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_LENGTH else None,
                "type": response["Content-Type"],
            }
            if cacheable:
                cache().set(key, entry, PAGE_TIMEOUT)
        response = HttpResponse(content_type=entry["type"])
        if entry["gzip"] is not None and _accepts_gzip(request):
            # No secret is on an anonymous page (no CSRF token, no personal data), so BREACH has
            # nothing to find here and the compressed copy can be kept.
            response.content = entry["gzip"]
            response["Content-Encoding"] = "gzip"
        else:
            response.content = entry["body"]
        patch_vary_headers(response, ("Accept-Encoding",))
        _public_headers(response, etag=etag, last_modified=last_modified)
        return response

    return wrapped


FRAGMENT_TIMEOUT = PAGE_TIMEOUT


def fragment(version, *parts, build):
    """A value built from the content, cached under ``version`` (and the release); ``build()`` on a miss.

    ``build`` may raise (Http404): nothing is cached then. ``None`` is not a cacheable value.
    """
    key = "content:" + hashlib.sha256(
        "|".join([content_version.release(), version.key, *map(str, parts)]).encode()
    ).hexdigest()
    value = cache().get(key)
    if value is None:
        value = build()
        cache().set(key, value, FRAGMENT_TIMEOUT)
    return value


def request_version(request):
    """The content version this request reads (already read by ``content_page`` for anonymous readers)."""
    version = getattr(request, "content_version", None)
    if version is None:
        version = request.content_version = content_version.current()
    return version


def _private_anonymous(response):
    # An anonymous page with something personal (a flash message) or an error: not for shared caches.
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, no_cache=True)
    return response
