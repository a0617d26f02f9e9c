"""Who is signed in, from the session alone: the fast pages need the user's id, not the user row.

Django's ``AuthenticationMiddleware`` loads the whole user row (one query, a model instance) the
first time ``request.user`` is touched. A reading page needs only the id, whether the account is
active and staff, and the session check that ends a session after a password change. The slide
viewer reads those few columns in the query it makes anyway (``progress.selectors.learner_state``)
and checks them here exactly as ``django.contrib.auth.get_user`` does. Anything unusual (no id, an
unknown backend, an inactive account, a hash that only matches an old secret key) answers ``None``
or ``False``, and the caller takes Django's own path, which logs out or rotates as Django does.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare


def session_user_id(request) -> int | None:
    """The id of the user this request's session says is signed in, or ``None`` (no query but the session's)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES or not hasattr(request, "session"):
        return None
    if hasattr(request, "_cached_user"):  # already loaded: nothing to save
        return None
    session = request.session
    try:
        raw_id = session[SESSION_KEY]
        backend = session[BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return int(get_user_model()._meta.pk.to_python(raw_id))
    except (TypeError, ValueError, Exception):  # noqa: BLE001 - a mangled id: Django's path decides
        return None


def session_known_as_a_users(request) -> bool:
    """This process has read this request's session before and it named a user (``accounts.sessions``
    remembers): the caller may read it with the learner's state in one query (``progress.reader``),
    where the row read decides. No query."""
    session = getattr(request, "session", None)
    guess = getattr(session, "user_guess", None)
    return settings.SESSION_COOKIE_NAME in request.COOKIES and guess is not None and guess() is not None


def may_be_signed_in(request) -> bool:
    """Whether the session may name a user: as ``session_user_id`` is not None, but without reading a
    session this process knows to be a user's (``session_known_as_a_users``)."""
    if not hasattr(request, "_cached_user") and session_known_as_a_users(request):
        return True
    return session_user_id(request) is not None


def stand_in_user(*, user_id: int, is_active: bool, is_staff: bool, is_superuser: bool, password: str):
    """A user instance with only these fields set (no query): for writes by id and the menu's flags."""
    user = get_user_model()(pk=user_id, is_active=is_active, is_staff=is_staff, is_superuser=is_superuser,
                            password=password)
    user.is_stand_in = True  # anything that needs more of the account loads the row (progress.services)
    return user


def session_is_valid(request, user) -> bool:
    """``user`` (a stand-in with its password hash) may use this session: active, and the session's
    hash is the one its password gives with the current secret key (Django's ``get_user``)."""
    if not user.is_active:
        return False
    session_hash = request.session.get(HASH_SESSION_KEY)
    return bool(session_hash) and constant_time_compare(session_hash, user.get_session_auth_hash())
