"""The content version: one number that every write to the module's content raises.

Everything cached from the content (whole anonymous pages, the module outline, rendered
slide bodies, tables of contents) is keyed by this version, so a cache never serves stale
content: a trainer's save, a restore, an import, a publish or a reorder gives a new version,
and the very next request on any worker reads the new version and misses the old entries.

Why database triggers and not a ``bump()`` in each write path: there are many doors to the
content (admin saves and deletes, inlines, admin actions, reversion restores, the import,
``loaddata``, reorder services, the link checker's health updates, bulk updates, a shell) and
more will come. A trigger on each content table raises the version inside the writing
transaction, whatever door was used, so the version and the content commit together (a reader
sees both or neither). The version lives in one row, read by every worker with one primary-key
query; no worker trusts a cached copy of the version itself.

Tables with triggers: ``CONTENT_TABLES`` below, (re)installed after every ``migrate``
(``courses.apps``): SQLite drops a table's triggers when a migration rebuilds the table.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

VERSION_TABLE = "courses_contentversion"

# Every table whose rows reach a content page. A new content table gets a trigger in its app's migration.
CONTENT_TABLES = (
    "courses_module",
    "sections_section",
    "sections_slide",
    "sections_resource",
    "quizzes_quiz",
    "quizzes_question",
    "quizzes_choice",
)


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: datetime

    @property
    def key(self) -> str:
        """Unique per write, also after a database is recreated (the number alone could repeat)."""
        return f"{self.number}.{int(self.changed_at.timestamp() * 1_000_000)}"

    @property
    def last_modified(self) -> datetime:
        """For ``Last-Modified``: the later of the content's change and this release of the code."""
        return max(self.changed_at, release_time())


_EPOCH = datetime(2000, 1, 1, tzinfo=dt_timezone.utc)


def _aware(value) -> datetime:
    if value is None:
        return _EPOCH
    if isinstance(value, str):  # SQLite without Django's converters (raw cursor)
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_timezone.utc)
    return value


def current(using: str = "default") -> Version:
    """The content version as committed now (1 query by primary key, never cached)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT number, changed_at FROM {VERSION_TABLE} WHERE id = 1")  # nosec B608  # a constant table name
        row = cursor.fetchone()
    if row is None:  # a flushed database: the next content write creates the row again
        return Version(0, _EPOCH)
    return Version(int(row[0]), _aware(row[1]))


def version_from_row(number, changed_at) -> Version:
    """A version read as part of a bigger query (the learner's progress query carries it along)."""
    if number is None:
        return Version(0, _EPOCH)
    return Version(int(number), _aware(changed_at))


def bump(using: str = "default") -> None:
    """Raise the version by hand (the triggers do it for every content table; this is for anything else)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_upsert_sql(connections[using].vendor))


def _upsert_sql(vendor: str) -> str:
    if vendor == "postgresql":
        now = "clock_timestamp()"
    elif vendor == "sqlite":
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        raise NotImplementedError(vendor)
    return (
        f"INSERT INTO {VERSION_TABLE} (id, number, changed_at) VALUES (1, 1, {now}) "
        f"ON CONFLICT (id) DO UPDATE SET number = {VERSION_TABLE}.number + 1, changed_at = {now}"  # nosec B608  # constants only
    )


def _trigger_sql(vendor: str, table: str) -> list[str]:
    upsert = _upsert_sql(vendor)
    if vendor == "postgresql":
        # One statement-level trigger per table: a bulk update of 480 slides raises the version once.
        return [
            f"DROP TRIGGER IF EXISTS content_version_bump ON {table}",
            f"CREATE TRIGGER content_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION content_version_bump()",
        ]
    # SQLite has row-level triggers only, one per kind of write.
    statements = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        name = f"content_version_{table}_{event.lower()}"
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {upsert}; END")
    return statements


def _function_sql() -> str:
    return (
        "CREATE OR REPLACE FUNCTION content_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_upsert_sql('postgresql')}; RETURN NULL; END $$"
    )


def ensure_triggers(using: str = "default") -> list[str]:
    """Install (or reinstall) the bump trigger on every content table that exists; returns those tables."""
    conn = connections[using]
    if conn.vendor not in {"postgresql", "sqlite"}:  # pragma: no cover
        return []
    existing = set(conn.introspection.table_names())
    if VERSION_TABLE not in existing:
        return []
    tables = [t for t in CONTENT_TABLES if t in existing]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(_function_sql())
        for table in tables:
            for statement in _trigger_sql(conn.vendor, table):
                cursor.execute(statement)
    return tables


def installed_trigger_tables(using: str = "default") -> set[str]:
    """The content tables that have the trigger in this database (a test checks all of them do)."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name = 'content_version_bump'"
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        found: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            if name.startswith(f"content_version_{table}_"):
                found.setdefault(table, set()).add(name.rsplit("_", 1)[1])
        return {table for table, events in found.items() if events == {"insert", "update", "delete"}}


# --- the release: templates, translations and static files are part of every cached page ---------------

_release: tuple[str, datetime] | None = None


def _release_files():
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    for root in roots:
        yield from (p for p in root.rglob("*") if p.is_file())
    yield from Path(settings.BASE_DIR).glob("locale/*/LC_MESSAGES/*.mo")
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        yield manifest


def _compute_release() -> tuple[str, datetime]:
    digest = hashlib.sha256()
    latest = 0.0
    for path in sorted(_release_files()):
        # By content, not by date: every machine of a deployment gets the same id (shared cache, ETags).
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + b"\0" + path.read_bytes())
        latest = max(latest, path.stat().st_mtime)
    return digest.hexdigest()[:12], datetime.fromtimestamp(int(latest), tz=dt_timezone.utc)


def release() -> str:
    """A short id of the code that renders pages (templates, catalogues, static manifest), read once per process.

    A deploy with a changed template gives new cache keys and new ETags, so no browser keeps
    an old page through a 304 and no cache entry of the old code is used.
    """
    global _release
    if _release is None:
        _release = _compute_release()
    return _release[0]


def release_time() -> datetime:
    release()
    return _release[1]


def vendor() -> str:
    return connection.vendor
