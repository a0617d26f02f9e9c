"""Database sessions, read with one precompiled query (``SESSION_ENGINE`` without Redis).

Django's database store reads a session with ``Session.objects.get(...)``: building and compiling
that query costs more than running it, on every signed-in request. This store runs the same SQL
(compiled by the ORM once per database connection alias) through a cursor; saving, deleting and
everything else is Django's. With Redis, ``cached_db`` reads sessions from the cache instead.
"""
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

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
            self._session_key = None
            return {}
        return self.decode(row[0])
