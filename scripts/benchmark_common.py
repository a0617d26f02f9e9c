"""What the in-process benchmark scripts share: a scratch database per run, one process per
database, and a table of timed requests. Not a test: speed is shown, not asserted."""
import os
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
    on the PostgreSQL server of ``DATABASE_URL``, dropped afterwards) and run ``build_and_measure(args)``."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if args.postgres:
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"{settings.DATABASES['default']['NAME']}_{suffix}"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    try:
        build_and_measure(args)
    finally:
        if args.postgres:
            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def analyze_after_bulk_load() -> None:
    """What autovacuum does within a minute of a bulk load: without fresh statistics the planner
    takes the new tables for empty and the first requests measure bad plans."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def time_pages(client, pages: list[tuple[str, str]], *, requests: int, warmup: int) -> None:
    """Print queries, median, p95, max and size for each (name, path), after ``warmup`` untimed requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"   {requests} timed requests per page after {warmup} warm-up\n")
    print(f"   {'page':<30}{'queries':>8}{'median':>10}{'p95':>10}{'max':>10}{'size':>10}")
    for name, path in pages:
        for _ in range(warmup):
            client.get(path)
        times = []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}")
        print(
            f"   {name:<30}{len(queries):>8}{statistics.median(times) * 1000:>8.0f}ms"
            f"{percentile(times, 0.95) * 1000:>8.0f}ms{max(times) * 1000:>8.0f}ms{len(response.content) / 1024:>8.0f}kB"
        )


def on_each_database(script: str, passed: list[str], *, prefix: str) -> None:
    """Run ``script --sqlite`` on a temporary SQLite file, then ``--postgres`` when DATABASE_URL is
    PostgreSQL: each database in a process of its own, since Django reads its settings once."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        sqlite_env = {**env, "DATABASE_URL": f"sqlite:///{Path(scratch) / 'benchmark.sqlite3'}"}
        subprocess.run([sys.executable, script, "--sqlite", *passed], env=sqlite_env, check=True)
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        subprocess.run([sys.executable, script, "--postgres", *passed], env=env, check=True)
    else:
        print("\n(Give a PostgreSQL DATABASE_URL to measure PostgreSQL too.)")
