"""Django's PostgreSQL backend, with a health check that needs no round trip to the server.

``CONN_HEALTH_CHECKS`` makes Django run ``SELECT 1`` before the first query of every request on a
persistent connection, so that a connection the server has closed meanwhile (a restart, a
failover, ``pg_terminate_backend``, an idle timeout) is replaced instead of failing the request.
On the reading pages that ping was one of three or four round trips of every request, and the
database's work for it a fifth of its work for an anonymous slide.

The same cases are seen without asking the server: when it closes a session it sends its reason
(FATAL) and closes the socket, so an idle connection whose socket has something to read, or that
psycopg2 knows to be closed or not idle, is closed and replaced before the request's first query,
as Django's check would. Nothing should arrive on an idle connection otherwise (the site does not
LISTEN). What a ping would catch and this does not: a server that vanished without closing its
sockets (a network cut); the request's query then fails as it would have after a ping that
passed a moment earlier, with the 503 of ``config.unavailable``, and the connection is replaced.
"""
import select

from django.db.backends.postgresql import base
from psycopg2 import extensions


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self.looks_alive():
            self.close()
        self.health_check_done = True

    def looks_alive(self) -> bool:
        """The connection is open, idle and nothing has arrived on it (no query is sent)."""
        raw = self.connection
        if raw is None or raw.closed:
            return False
        if raw.info.transaction_status != extensions.TRANSACTION_STATUS_IDLE:
            return False
        try:
            readable, _writable, failed = select.select([raw.fileno()], [], [raw.fileno()], 0)
        except (OSError, ValueError):
            return False
        return not readable and not failed
