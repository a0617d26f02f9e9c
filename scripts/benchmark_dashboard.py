#!/usr/bin/env python
"""How fast the cohort dashboard and its CSV export answer for a cohort of 1,000 learners.

    .venv/bin/python scripts/benchmark_dashboard.py                 # scratch SQLite database
    DATABASE_URL=postgres://user@host/db .venv/bin/python scripts/benchmark_dashboard.py
                                                                    # SQLite, then PostgreSQL
    .venv/bin/python scripts/benchmark_dashboard.py -n 30 --learners 2000

Each run builds its own scratch database, never touching yours: a temporary
SQLite file, and with a PostgreSQL ``DATABASE_URL`` also a scratch database on
that server (``<name>_dashboard_benchmark``, dropped afterwards). It loads
Module 6 with its quizzes, makes a centre, a trainer and a cohort, and gives
the cohort ``--learners`` learners with realistic progress (some never began,
some stuck, most on their way, some finished with a certificate; slide views,
attempts and answers included: ``dashboards.testing.build_cohort_progress``).

Requests go through Django's test client, in-process, signed in as the cohort's
trainer (not a superuser: the permission checks are part of the time), after a
few warm-up requests. The time is the whole request: middleware, access check,
queries, template. This is not a test: speed is shown, not asserted; the tests
pin the query counts.
"""
import argparse
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


def run(args) -> None:
    """One database: build the cohort, time the pages, print a report."""
    import django

    if args.postgres:
        from django.conf import settings

        django.setup()
        from django.db import connection

        # A scratch database on the same server, made and dropped like the test runner does.
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
            f"{settings.DATABASES['default']['NAME']}_dashboard_benchmark"
        )
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    try:
        report(args)
    finally:
        if args.postgres:
            from django.conf import settings
            from django.db import connection

            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def report(args) -> None:
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from centres import services as centre_services
    from centres.models import Centre, Cohort
    from courses.models import Module
    from dashboards.testing import build_cohort_progress
    from accounts.models import User

    call_command("loaddata", "module6", "module6_quizzes", verbosity=0)
    module = Module.objects.get(slug="samenwerken-voor-duurzaam-succes")
    centre = Centre.objects.create(name="Benchmarkcentrum", slug="benchmark", country="Nederland", city="Utrecht")
    trainer = User.objects.create_user(email="benchmark-trainer@example.org", password=None, name="Bea Benchmark")
    centre_services.add_centre_staff(centre=centre, user=trainer, role="trainer")
    today = datetime.date.today()
    cohort = Cohort.objects.create(
        centre=centre, module=module, name="Benchmarkcohort", start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=60),
    )
    cohort.trainers.add(trainer)
    started = time.perf_counter()
    built = build_cohort_progress(cohort=cohort, n=args.learners, seed=2026)
    build_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk load: without fresh statistics the
        # planner takes the new tables for empty and the first requests measure bad plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = built.counts

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(trainer)
    pages = [
        ("dashboard", reverse("dashboards:cohort", args=[cohort.pk])),
        ("dashboard, stuck only", reverse("dashboards:cohort", args=[cohort.pk]) + "?toon=vastgelopen&sorteer=actief"),
        ("CSV export", reverse("dashboards:export", args=[cohort.pk])),
        ("reminder preview", reverse("dashboards:reminder", args=[cohort.pk]) + "?dagen=7"),
    ]
    print(
        f"\n== {connection.vendor}: {args.learners} learners "
        f"({counts['not_started']} not started, {counts['stuck']} stuck, {counts['in_progress']} on their way, "
        f"{counts['completed']} finished), {counts['slide_views']} slide views, {counts['attempts']} attempts, "
        f"{counts['answers']} answers; built in {build_seconds:.1f} s"
    )
    print(f"   {args.requests} timed requests per page after {args.warmup} warm-up, as a trainer\n")
    print(f"   {'page':<24}{'queries':>8}{'median':>10}{'p95':>10}{'max':>10}{'size':>10}")
    for name, path in pages:
        for _ in range(args.warmup):
            client.get(path)
        times = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}")
        size = len(response.content)
        print(
            f"   {name:<24}{len(queries):>8}{statistics.median(times) * 1000:>8.0f}ms"
            f"{percentile(times, 0.95) * 1000:>8.0f}ms{max(times) * 1000:>8.0f}ms{size / 1024:>8.0f}kB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", type=int, default=20, help="timed requests per page (1-500)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first (0-50)")
    parser.add_argument("--learners", type=int, default=1000, help="learners in the cohort (1-20000)")
    parser.add_argument("--postgres", action="store_true", help=argparse.SUPPRESS)  # the child run on PostgreSQL
    parser.add_argument("--sqlite", action="store_true", help=argparse.SUPPRESS)  # the child run on SQLite
    args = parser.parse_args()
    if not 1 <= args.requests <= 500:
        parser.error("--requests must be between 1 and 500")
    if not 0 <= args.warmup <= 50:
        parser.error("--warmup must be between 0 and 50")
    if not 1 <= args.learners <= 20_000:
        parser.error("--learners must be between 1 and 20000")
    if args.postgres or args.sqlite:
        run(args)
        return

    # Each database in a process of its own: Django's settings are read once per process.
    passed = [f"--requests={args.requests}", f"--warmup={args.warmup}", f"--learners={args.learners}"]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="dashboard-benchmark-") as scratch:
        sqlite_env = {**env, "DATABASE_URL": f"sqlite:///{Path(scratch) / 'benchmark.sqlite3'}"}
        subprocess.run([sys.executable, __file__, "--sqlite", *passed], env=sqlite_env, check=True)
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        subprocess.run([sys.executable, __file__, "--postgres", *passed], env=env, check=True)
    else:
        print("\n(Give a PostgreSQL DATABASE_URL to measure PostgreSQL too.)")


if __name__ == "__main__":
    main()
