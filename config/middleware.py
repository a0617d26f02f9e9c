"""Site-wide request and response rules that no single view should have to remember.

* :class:`RefuseUnstorableCharactersMiddleware` — PostgreSQL's text types cannot hold a NUL
  character ("A string literal cannot contain NUL (0x00) characters"), and a lone UTF-16
  surrogate cannot be encoded at all. Rather than guard every view, form and look-up, a
  request carrying one in its path, query string, form fields, file names or headers is
  answered 400 here, before any view or database sees it. A cookie carrying one is dropped
  (the visitor is simply not signed in), so a mangled cookie can't lock anyone out. A number
  too big for SQLite's integers in a look-up is answered 400 the same way.
* :class:`PermissionsPolicyMiddleware` — closes browser features no page uses
  (``settings.PERMISSIONS_POLICY``).
* :class:`CSPMiddleware` — django-csp's, with the site's policy built once per process: the
  policy has no nonce and no view changes it, yet django-csp builds both headers anew for every
  response (about 0.1 ms, a twentieth of a signed-in slide's CPU). A response or request that
  does carry its own parts (``csp_update``, ``csp_replace``, a nonce) still goes through
  django-csp unchanged.
* :class:`PrivateCacheMiddleware` — every response to a signed-in user is ``private``; pages
  outside the module's content (cohorts, dashboards, accounts, quizzes, the admin, and any
  app added later) are ``no-store``, because they hold someone's data or answers. A
  response that already says how to cache keeps its own rule, except that a signed-in
  response is never ``public``. Anonymous responses are left alone (public caching of the
  content pages is done by the fast-pages work).
"""
import re
from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Namespaces whose pages show the module and at most the learner's own place in it.
CONTENT_NAMESPACES = frozenset({"courses", "sections"})
PRIVATE = "private, no-cache"
NO_STORE = "private, no-store, max-age=0"


def has_unstorable(value) -> bool:
    return isinstance(value, str) and UNSTORABLE.search(value) is not None


def _form_content(request) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "")
    return content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded"))


def unstorable_part(request) -> str | None:
    """The first part of ``request`` that holds a character the database refuses, or None."""
    if has_unstorable(request.path) or has_unstorable(request.path_info):
        return "path"
    for key, values in request.GET.lists():
        if has_unstorable(key) or any(has_unstorable(v) for v in values):
            return "query"
    for key, value in request.META.items():
        if key.startswith("HTTP_") and key != "HTTP_COOKIE" and has_unstorable(value):
            return "header"
    if request.method == "POST" and _form_content(request):
        for key, values in request.POST.lists():
            if has_unstorable(key) or any(has_unstorable(v) for v in values):
                return "form"
        for key, files in request.FILES.lists():
            if has_unstorable(key) or any(has_unstorable(f.name or "") for f in files):
                return "file"
    return None


def _bad_request(request, part):
    """The 400 page in the visitor's language. This middleware runs before LocaleMiddleware, so
    the language active in the thread is whatever the previous request on it left behind: it is
    chosen here the way LocaleMiddleware would (language cookie, Accept-Language, the default)."""
    with translation.override(translation.get_language_from_request(request)):
        return render(request, "400.html", {"part": part}, status=400)


class RefuseUnstorableCharactersMiddleware:
    """Placed before sessions: nothing below it ever sees a NUL byte (the 400 still gets the CSP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, value in list(request.COOKIES.items()):
            if has_unstorable(name) or has_unstorable(value):
                del request.COOKIES[name]
        part = unstorable_part(request)
        if part is not None:
            return _bad_request(request, part)
        return self.get_response(request)

    def process_exception(self, request, exception):
        """SQLite can't bind a number beyond 64 bits; Django's forms pass one through in a
        ``pk__in`` (ModelMultipleChoiceField). That is bad input, answered 400 like a NUL.
        (PostgreSQL compares such a number without complaint; nothing else is caught here.)"""
        if isinstance(exception, OverflowError) and "too large to convert to SQLite INTEGER" in str(exception):
            return _bad_request(request, "number")
        return None


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


class CSPMiddleware(_CSPMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        self._built: dict[bool, str] = {}  # report-only or not → the settings' policy, as django-csp writes it

    def _policy(self, request, response, *, report_only: bool) -> str:
        parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
        if parts.config is None and parts.update is None and parts.replace is None and parts.nonce is None:
            if report_only not in self._built:
                self._built[report_only] = build_policy(**asdict(parts), report_only=report_only)
            return self._built[report_only]
        return build_policy(**asdict(parts), report_only=report_only)

    def process_response(self, request, response):
        if response.status_code in (500, 404) and settings.DEBUG:
            return super().process_response(request, response)
        if getattr(request, "_csp_nonce", None) is not None:  # a page that asked for a nonce: django-csp's way
            return super().process_response(request, response)
        for report_only, header, setting, exempt in (
            (False, HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
            (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
        ):
            policy = self._policy(request, response, report_only=report_only)
            prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            if (policy and header not in response and getattr(response, exempt, False) is False
                    and not (prefixes and request.path_info.startswith(prefixes))):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _signed_in(request) -> bool:
    # Only a request with a session cookie can be signed in; asking the others would load
    # (and mark as used) a session for every anonymous visitor.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and not hasattr(request, "_cached_user"):
        return False
    if hasattr(request, "_cached_user"):
        return bool(request._cached_user.is_authenticated)
    # The view did not need the user (a 304 of the idea wall, say): the session says whether someone
    # signed in, without loading the user row. A stale id only makes the answer private: never wrong.
    session = getattr(request, "session", None)
    if session is not None:
        return bool(session.get(SESSION_KEY))
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def cache_rule_for(request) -> str:
    match = getattr(request, "resolver_match", None)
    namespaces = set(match.namespaces) if match is not None else set()
    if namespaces and namespaces <= CONTENT_NAMESPACES:
        return PRIVATE
    return NO_STORE


def _without_public(cache_control: str) -> str:
    parts = [p.strip() for p in cache_control.split(",") if p.strip()]
    kept = [p for p in parts if p.lower() != "public" and not p.lower().startswith("s-maxage")]
    if not any(p.lower() == "private" or p.lower().startswith("private=") for p in kept):
        kept.insert(0, "private")
    return ", ".join(kept)


class PrivateCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _signed_in(request):
            return response
        existing = response.get("Cache-Control")
        if existing:
            response["Cache-Control"] = _without_public(existing)
        else:
            response["Cache-Control"] = cache_rule_for(request)
        patch_vary_headers(response, ("Cookie",))
        return response
