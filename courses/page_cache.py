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
import secrets
import struct
import weakref
import zlib
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from accounts import session_auth

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


def _session_signed_in(request) -> bool:
    """The session names a user (they may still turn out not to be valid): no query but the session's,
    and the user row is not loaded (the view decides how: ``accounts.session_auth``). A session this
    process knows to be a user's is not read here at all: the view reads it with the learner's state
    (``progress.reader``) and takes Django's path if it turns out to be ended."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    if session is None:
        return False
    return session_auth.session_known_as_a_users(request) or bool(session.get(SESSION_KEY))


def content_page(view):
    """Decorate a reading page: public, revalidated and cached whole for anonymous readers."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or _session_signed_in(request):
            # Private whoever it turns out to be (a session naming a user that is no longer valid too).
            return mark_private(view(request, *args, **kwargs))
        if not is_plain_anonymous(request):
            return _private_anonymous(view(request, *args, **kwargs))

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
    value = _memo_get(key)
    if value is None:
        value = cache().get(key)
        if value is None:
            value = build()
            cache().set(key, value, FRAGMENT_TIMEOUT)
        _memo_set(key, value)
    return value


# --- this process's own copy of what it read from the cache ---------------------------------------
#
# Every key above names a content version (and the release), and what is stored under a key never
# changes: a write gives a new version, so new keys. A value read once can therefore be kept in
# this process too, which spares a look-up in the shared cache (a network round trip with Redis)
# and the unpickling of the value (the module skeleton, the slide's place) on every request. The
# values are shared by the requests of this process: nobody may change them.

# One memo per cache client: a process has one; tests that play two workers with two cache clients
# (tests/test_content_cache.py) get two memos, as two processes would.

MEMO_SIZE = 512
_memos: "weakref.WeakKeyDictionary[object, OrderedDict]" = weakref.WeakKeyDictionary()


def _memo() -> OrderedDict:
    client = cache()
    memo = _memos.get(client)
    if memo is None:
        memo = _memos[client] = OrderedDict()
    return memo


def _memo_get(key):
    memo = _memo()
    value = memo.get(key)
    if value is not None:
        memo.move_to_end(key)
    return value


def _memo_set(key, value) -> None:
    memo = _memo()
    memo[key] = value
    memo.move_to_end(key)
    while len(memo) > MEMO_SIZE:
        memo.popitem(last=False)


def memo_clear() -> None:
    """For tests that empty the shared cache and expect a rebuild."""
    _memos.clear()


# --- signed-in pages: one rendering for every learner, their own parts put in per request ----------
#
# A signed-in reader's page differs from another's in a few small parts only: the CSRF token of
# the log-out form, ticks in the table of contents, the progress meter, a quiz call-out, an idea
# wall invitation. The page is rendered once per content version, language, path and a few flags
# (``variant``: staff or not, ...) with a marker where each such part goes (``{% learnerslot %}``
# in course_tags), and each request fills the markers from its own small templates. The markers
# carry a random nonce per rendering, so nothing written in the content can pass for one.

_SLOT_OPEN = "<!--slot:{nonce}:"  # then the template's name, "#" and a key if any, "-->"


def slot_marker(nonce: str, name: str) -> SafeString:
    return mark_safe(f"{_SLOT_OPEN.format(nonce=nonce)}{name}-->")  # nosec B308 B703  # our own marker


def learner_page(version, *parts, build) -> tuple[str, str]:
    """``(html, nonce)``: the page rendered by ``build(nonce)`` with slot markers, cached like a fragment."""
    return fragment(version, "learner-page", *parts, build=lambda: _build_learner_page(build))


def _build_learner_page(build) -> tuple[str, str]:
    nonce = secrets.token_hex(8)
    return str(build(nonce)), nonce


def rendered_once(*parts, build) -> str:
    """A rendering that depends on ``parts`` (and the language and release) only, kept in this process:
    a slot whose output many learners share (the progress meter at 40 %, 19 of 48 slides read)."""
    key = "once:" + "|".join([content_version.release(), get_language() or "", *map(str, parts)])
    value = _memo_get(key)
    if value is None:
        value = str(build())
        _memo_set(key, value)
    return value


def splice(html: str, nonce: str, context: dict, *, csrf_token: str = "", fills: dict | None = None) -> str:
    """``html`` with each slot filled: ``csrf`` with ``csrf_token``, a name in ``fills`` with its text,
    any other with the template of that name rendered with ``context`` (a plain context: no context
    processors run)."""
    head, *rest = html.split(_SLOT_OPEN.format(nonce=nonce))
    if not rest:
        return html
    from django.template import Context, engines

    engine = engines["django"].engine
    ctx = Context(context)
    out = [head]
    for piece in rest:
        name, _sep, tail = piece.partition("-->")
        name, _sep, ctx["slot_key"] = name.partition("#")
        if name == "csrf":
            out.append(escape(csrf_token))
        elif fills and name in fills:
            out.append(fills[name])
        else:
            out.append(engine.get_template(name).render(ctx))
        out.append(tail)
    return "".join(out)


def spliced_gzip(html: str, nonce: str, *, csrf_token: str) -> bytes | None:
    """The page with its CSRF slot filled, gzipped without compressing the page again: each part
    around the token was compressed once (kept with the rendering), the token on its own, and the
    parts joined at full-flush points (a deflate stream may be cut there: nothing refers back across).
    The token is compressed apart from everything else, so no reflection can reveal it (BREACH).
    ``None`` if the page has other slots than the CSRF token's (those go through ``splice``)."""
    key = "gzip-parts:" + nonce
    parts = _memo_get(key)
    if parts is None:
        pieces = [piece.encode() for piece in html.split(slot_marker(nonce, "csrf"))]
        if any(_SLOT_OPEN.format(nonce=nonce).encode() in piece for piece in pieces):
            return None
        parts = [(piece, _deflate(piece, last=i == len(pieces) - 1)) for i, piece in enumerate(pieces)]
        _memo_set(key, parts)
    token = escape(csrf_token).encode()
    token_deflated = _deflate(token, last=False)
    out, crc, size = [_GZIP_HEADER], 0, 0
    for i, (piece, deflated) in enumerate(parts):
        if i:
            out.append(token_deflated)
            crc, size = zlib.crc32(token, crc), size + len(token)
        out.append(deflated)
        crc, size = zlib.crc32(piece, crc), size + len(piece)
    out.append(struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))
    return b"".join(out)


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, deflate, no name, no time, any OS


def _deflate(data: bytes, *, last: bool) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)


def accepts_gzip(request) -> bool:
    return _accepts_gzip(request)


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
