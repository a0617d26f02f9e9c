"""The signed-in reader of the module's pages, known without loading their user row.

The reading pages (a slide, the hand-out) are rendered once for every signed-in learner
(``courses.page_cache.learner_page``) and each request puts in that learner's own parts. What
such a request needs of the learner comes from the session and one query
(``selectors.learner_state``: the content version, their reading and quiz results, whether they
may use the centre pages, and their account's flags and password hash, which
``accounts.session_auth`` checks against the session as Django's ``get_user`` would); when this
process has read the session before, the session's row comes in that same query. Anything
unusual (a query string, a flash message, a session Django would end or rotate) answers
``None``, and the view takes Django's own path.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse

from accounts import session_auth
from courses import page_cache

from . import selectors


@dataclass(frozen=True)
class Reader:
    user: object  # a stand-in User: id, is_active, is_staff, is_superuser (accounts.session_auth)
    state: selectors.LearnerState

    @property
    def centre_staff(self) -> bool:
        return bool(self.user.is_active and self.state.centre_staff)

    @property
    def variant(self) -> tuple[bool, bool]:
        """What of the reader the shared rendering shows (the menu): part of its cache key."""
        return bool(self.user.is_staff), self.centre_staff


def signed_in_reader(request, *, module_slug: str) -> Reader | None:
    """The reader, in one query with the session (``_state_with_session``) when this process has read
    their session before, else two: the session, then the learner's state."""
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return None
    state = _state_with_session(request, module_slug=module_slug)
    user_id = session_auth.session_user_id(request)
    if user_id is None or _has_messages(request):
        return None
    if state is None or state.user_id != user_id:
        state = selectors.learner_state(user_id=user_id, module_slug=module_slug)
    account = state.account
    if account is None:
        return None
    user = session_auth.stand_in_user(user_id=user_id, is_active=account.is_active, is_staff=account.is_staff,
                                      is_superuser=account.is_superuser, password=account.password)
    if not session_auth.session_is_valid(request, user):
        return None
    request.content_version = state.version  # the page's cached parts read this version
    return Reader(user=user, state=state)


def _state_with_session(request, *, module_slug: str) -> selectors.LearnerState | None:
    """The learner's state read with the session's row, for the user this process last saw in this
    session (``accounts.sessions``: the store's guess). The row is handed to the session store as if
    it had read it itself, so the session is what the database says now: ended or expired, it reads as
    no session; naming another user, the caller reads that user's state. ``None`` without a guess."""
    session = getattr(request, "session", None)
    guess = getattr(session, "user_guess", None)
    user_id = guess() if guess is not None else None
    if user_id is None:
        return None
    state = selectors.learner_state(user_id=user_id, module_slug=module_slug, session_key=session.session_key)
    session.prime(state.session_data)
    return state


def _has_messages(request) -> bool:
    """A flash message waits (cookie or session storage): the full rendering shows it."""
    return "messages" in request.COOKIES or bool(request.session.get("_messages"))


class _AnyLearner:
    """Who the shared rendering is for: a signed-in learner, nobody in particular."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = id = None

    def __init__(self, is_staff: bool):
        self.is_staff = is_staff


def shared_context(reader: Reader, nonce: str) -> dict:
    """What base.html shows of the reader in a shared rendering: the menu by the reader's flags (in the
    key), a slot for the log-out form's CSRF token, no messages (a request with one is not served so)."""
    is_staff, centre_staff = reader.variant
    return {
        "slot_nonce": nonce,
        "user": _AnyLearner(is_staff),
        "is_centre_staff": centre_staff,
        "messages": (),
        "csrf_token": page_cache.slot_marker(nonce, "csrf"),
    }


def shared_page(request, reader: Reader, *parts, build, context: dict, fills: dict | None = None) -> str:
    """The page for ``reader``: rendered once by ``build(nonce)`` for every learner with the same menu
    (per content version, language, path and ``parts``), its slots filled from ``context``."""
    from django.middleware.csrf import get_token
    from django.utils.translation import get_language

    html, nonce = page_cache.learner_page(reader.state.version, get_language(), request.path, *reader.variant, *parts,
                                          build=build)
    return page_cache.splice(html, nonce, {**context, "user": reader.user, "learner": reader.user},
                             csrf_token=get_token(request), fills=fills)


def first_slide_url(skeleton) -> str | None:
    """Where "Begin" leads: the module's first published slide, from the cached skeleton (no query)."""
    from django.urls import reverse

    if not skeleton.slides:
        return None
    _section, number, position, _title = min(skeleton.slides.values(), key=lambda p: (p[1], p[2]))
    return reverse("sections:slide", kwargs={"module_slug": skeleton.module.slug, "number": number,
                                             "position": position})


def shared_response(request, reader: Reader, *parts, build) -> HttpResponse:
    """A page whose only part of the reader's own is the menu's CSRF token (the hand-out): gzipped from
    parts compressed once (``page_cache.spliced_gzip``) when the browser takes gzip."""
    from django.middleware.csrf import get_token
    from django.utils.cache import patch_vary_headers
    from django.utils.translation import get_language

    html, nonce = page_cache.learner_page(reader.state.version, get_language(), request.path, *reader.variant, *parts,
                                          build=build)
    token = get_token(request)
    body = page_cache.spliced_gzip(html, nonce, csrf_token=token) if page_cache.accepts_gzip(request) else None
    if body is None:
        return HttpResponse(page_cache.splice(html, nonce, {}, csrf_token=token))
    response = HttpResponse(body)
    response["Content-Encoding"] = "gzip"  # GZipMiddleware leaves an encoded response alone
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
