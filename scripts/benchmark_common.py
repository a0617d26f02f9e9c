"""What the in-process benchmark scripts share: a scratch database per run, one process per
database, and a table of timed requests. Not a test: speed is shown, not asserted."""
import contextlib
import fcntl
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run_in_scratch_database(args, build_and_measure, *, suffix: str) -> None:
    """Set Django up on a scratch database (a migrated temporary SQLite file, or ``<name>_<suffix>``
    on the PostgreSQL server of ``DATABASE_URL``, dropped afterwards unless ``args.keep``; with
    ``args.reuse``, the one a run with ``--keep`` left, migrated) and run ``build_and_measure(args)``."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if args.postgres:
        name = f"{settings.DATABASES['default']['NAME']}_{suffix}"
        with connection._nodb_cursor() as cursor:  # as create_test_db does: DATABASE_URL's may not exist
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
        if getattr(args, "reuse", False) and exists:
            from django.core.management import call_command

            connection.close()
            settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = name
            call_command("migrate", verbosity=0, interactive=False)
            print(f"\n(Reusing the PostgreSQL database {name}.)")
        else:
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = name
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    try:
        build_and_measure(args)
    finally:
        if args.postgres and (getattr(args, "keep", False) or getattr(args, "reuse", False)):
            print(f"\n(Kept the PostgreSQL database {connection.settings_dict['NAME']} for EXPLAIN: drop it when done.)")
        elif args.postgres:
            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def analyze_after_bulk_load() -> None:
    """What autovacuum does within a minute of a bulk load (PostgreSQL 13 and later vacuum a table
    after 1,000 inserts, too): without fresh statistics the planner takes the new tables for empty,
    and without a visibility map no index-only scan pays, so the first requests measure bad plans."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


@contextlib.contextmanager
def exclusive_lock(path: str | None):
    """Hold ``flock -x path`` while timing (None: no lock). The team's tests take the same lock shared,
    so the timed part waits until none runs and no test starts meanwhile; the build does not hold it."""
    if not path:
        yield
        return
    with open(path, "a") as handle:
        waited = time.perf_counter()
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            print(f"   (exclusive lock {path} after {time.perf_counter() - waited:.0f} s; load average "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _query_label(sql: str) -> str:
    """The tables a query reads (its FROM and JOINs), short enough for one line."""
    tables = re.findall(r'(?:FROM|JOIN) "?(\w+)"?', sql)
    return " + ".join(dict.fromkeys(tables))[:110] or " ".join(sql.split())[:110]


def time_pages(
    client, pages: list[tuple[str, str]], *, requests: int, warmup: int, per_query: bool = False
) -> dict[str, float]:
    """Print queries, median, p95, max and size for each (name, path), after ``warmup`` untimed requests,
    and (``per_query``) each query's median time and its first words. Returns the median (s) per name."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"   {requests} timed requests per page after {warmup} warm-up\n")
    print(f"   {'page':<30}{'queries':>8}{'median':>10}{'p95':>10}{'max':>10}{'size':>10}")
    medians, breakdowns = {}, []
    for name, path in pages:
        for _ in range(warmup):
            client.get(path)
        times, query_times = [], []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}")
            query_times.append([(float(q["time"]), q["sql"]) for q in queries.captured_queries])
        medians[name] = statistics.median(times)
        print(
            f"   {name:<30}{len(queries):>8}{medians[name] * 1000:>8.0f}ms"
            f"{percentile(times, 0.95) * 1000:>8.0f}ms{max(times) * 1000:>8.0f}ms{len(response.content) / 1024:>8.0f}kB"
        )
        breakdowns.append((name, times, query_times))
    if per_query:
        for name, times, query_times in breakdowns:
            in_sql = statistics.median(sum(t for t, _ in request) for request in query_times)
            print(f"\n   {name}: median per query (ms); {in_sql * 1000:.0f} ms in SQL, "
                  f"{(statistics.median(times) - in_sql) * 1000:.0f} ms in Python (medians)")
            if len({len(request) for request in query_times}) != 1:
                print("   (the number of queries changed between requests)")
                continue
            for i, (_, sql) in enumerate(query_times[-1]):
                median = statistics.median(request[i][0] for request in query_times)
                print(f"   {i + 1:>3} {median * 1000:>7.1f}  {_query_label(sql)}")
    return medians


def on_each_database(script: str, passed: list[str], *, prefix: str, only: str | None = None) -> None:
    """Run ``script --sqlite`` on a temporary SQLite file, then ``--postgres`` when DATABASE_URL is
    PostgreSQL: each database in a process of its own, since Django reads its settings once.
    ``only`` ("sqlite" or "postgres"): that one alone."""
    env = dict(os.environ)
    if only != "postgres":
        with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
            sqlite_env = {**env, "DATABASE_URL": f"sqlite:///{Path(scratch) / 'benchmark.sqlite3'}"}
            subprocess.run([sys.executable, script, "--sqlite", *passed], env=sqlite_env, check=True)
    if only == "sqlite":
        return
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        subprocess.run([sys.executable, script, "--postgres", *passed], env=env, check=True)
    else:
        print("\n(Give a PostgreSQL DATABASE_URL to measure PostgreSQL too.)")
