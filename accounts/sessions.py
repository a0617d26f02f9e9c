"""Database sessions, read with one precompiled query (``SESSION_ENGINE`` without Redis).

Django's database store reads a session with ``Session.objects.get(...)``: building and compiling
that query costs more than running it, on every signed-in request. This store runs the same SQL
(compiled by the ORM once per database connection alias) through a cursor; saving, deleting and
everything else is Django's. With Redis, ``cached_db`` reads sessions from the cache instead.

A signed-in reading page can do better still: read the session row in the same round trip as
the learner's state (``progress.selectors.learner_state``), which needs the user's id before the
session is read. So the store remembers, per process, which user each session it read belonged
to (``user_guess``); the page reads the session row with that user's state and hands the row to
``prime``, which takes it exactly as ``load`` would. The guess decides nothing: the row read with
it does (a session ended elsewhere reads as no row, a different user as a second query).
"""
import hashlib
import threading
from collections import OrderedDict

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

# sha256 of a session key → the user id its data named when this process last read it (bounded).
_GUESSES: OrderedDict[str, str] = OrderedDict()
_GUESSES_MAX = 20_000
_guesses_lock = threading.Lock()


def forget_guesses() -> None:
    """Forget every session this process has read, as a newly started process knows none (tests)."""
    with _guesses_lock:
        _GUESSES.clear()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _remember(key: str | None, data: dict) -> None:
    if not key:
        return
    user_id, digest = data.get(SESSION_KEY), _digest(key)
    with _guesses_lock:
        if user_id is None:
            _GUESSES.pop(digest, None)
            return
        _GUESSES[digest] = str(user_id)
        _GUESSES.move_to_end(digest)
        while len(_GUESSES) > _GUESSES_MAX:
            _GUESSES.popitem(last=False)

_KEY_SENTINEL = "\x00session-key\x00"
_sql: dict[str, tuple[str, int, int]] = {}


def _compiled(model, connection) -> tuple[str, int, int]:
    """The SELECT and the positions of its two parameters (the key and the time), compiled once."""
    if connection.alias not in _sql:
        moment = timezone.now()
        query = model.objects.filter(session_key=_KEY_SENTINEL, expire_date__gt=moment).values_list("session_data")
        sql, params = query.query.get_compiler(connection=connection).as_sql()
        key_at = next(i for i, p in enumerate(params) if p == _KEY_SENTINEL)
        _sql[connection.alias] = (sql, key_at, 1 - key_at)
    return _sql[connection.alias]


class SessionStore(DatabaseSessionStore):
    def load(self):
        key = self.session_key
        if not key:
            self._session_key = None
            return {}
        connection = connections[router.db_for_read(self.model)]
        sql, key_at, time_at = _compiled(self.model, connection)
        params = [None, None]
        params[key_at] = key
        params[time_at] = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            _remember(key, {})
            self._session_key = None
            return {}
        data = self.decode(row[0])
        _remember(key, data)
        return data

    def user_guess(self) -> int | None:
        """The id of the user this session named when this process last read it, while it is not read
        yet in this request; ``None`` if unknown. A hint for reading it with the user's state, no more."""
        key = self._session_key
        if not key or hasattr(self, "_session_cache"):
            return None
        with _guesses_lock:
            user_id = _GUESSES.get(_digest(key))
        try:
            return int(user_id) if user_id is not None else None
        except ValueError:
            return None

    def prime(self, session_data: str | None) -> None:
        """Take this session's row as read by another query of this request (``None``: no live row,
        expired or ended), exactly as ``load`` would have read it: nothing else is asked for it."""
        key = self._session_key
        if session_data is None:
            _remember(key, {})
            self._session_key = None
            self._session_cache = {}
            return
        data = self.decode(session_data)
        _remember(key, data)
        self._session_cache = data
