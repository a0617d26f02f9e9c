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
import time

from benchmark_common import (
    analyze_after_bulk_load,
    on_each_database,
    run_in_scratch_database,
    time_pages,
)


def report(args) -> None:
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from centres import services as centre_services
    from centres.models import Centre, Cohort
    from courses.models import Module
    from dashboards.testing import build_cohort_progress

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
    analyze_after_bulk_load()
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
    time_pages(client, pages, requests=args.requests, warmup=args.warmup)


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
        run_in_scratch_database(args, report, suffix="dashboard_benchmark")
        return
    passed = [f"--requests={args.requests}", f"--warmup={args.warmup}", f"--learners={args.learners}"]
    on_each_database(__file__, passed, prefix="dashboard-benchmark-")


if __name__ == "__main__":
    main()
