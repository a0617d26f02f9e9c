#!/usr/bin/env python
"""How fast the centre report and the programme report answer at the size of a real programme.

    .venv/bin/python scripts/benchmark_reports.py              # scratch SQLite database
    DATABASE_URL=postgres://user@host/db .venv/bin/python scripts/benchmark_reports.py
                                                               # SQLite, then PostgreSQL
    make benchmark-reports                                         # the same, from the Makefile
    BENCHMARK_LOCK=/tmp/quiet.lock make benchmark-reports      # time under `flock -x` of that file

It builds (in a scratch database, never yours) Module 6 with its quizzes, one centre with
``--cohorts`` cohorts of ``--learners`` learners each with realistic progress (slide views,
attempts with answers, certificates: ``dashboards.testing.build_cohort_progress``), and 19
more centres with a cohort of 50 each, so that the programme report has 20 centres. Then it
times, in-process through Django's test client, the centre report as the big centre's manager
(page and XLSX) and the programme report as site staff, over the last 365 days, and says
PASS or FAIL against the budget: a median of 300 ms per page on PostgreSQL (issue 16).
``--per-query`` prints each query's median too; ``--keep`` leaves the PostgreSQL database
behind for EXPLAIN ANALYZE, and ``--reuse`` times on it again without building (the same
rows before and after a change).

The build takes minutes and needs no quiet machine; only the timed part takes the lock
(``--lock``, or ``BENCHMARK_LOCK`` in the environment), so tests are held up for seconds.
"""
import argparse
import datetime
import os
import time

from benchmark_common import (
    analyze_after_bulk_load,
    exclusive_lock,
    on_each_database,
    run_in_scratch_database,
    time_pages,
)

BUDGET_MS = 300


def build_and_measure(args) -> None:
    from django.db import connection

    from accounts.models import User
    from centres.models import Centre

    today = datetime.date.today()
    if getattr(args, "reuse", False) and Centre.objects.filter(slug="benchmark").exists():
        print(f"\n== {connection.vendor}: the data set of an earlier run ({User.objects.count()} users)")
        manager = User.objects.get(email="benchmark-manager@example.org")
        staff = User.objects.get(email="benchmark-staff@example.org")
    else:
        manager, staff = build(args, today)
    measure(args, today, manager, staff)


def build(args, today):
    """Module 6, the big centre's cohorts and 19 small centres; the manager and site staff who read them."""
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from centres import services as centre_services
    from centres.models import Centre, Cohort
    from courses.models import Module
    from dashboards.testing import build_cohort_progress

    call_command("loaddata", "module6", "module6_quizzes", verbosity=0)
    module = Module.objects.get(slug="samenwerken-voor-duurzaam-succes")

    def cohort_in(centre, name):
        return Cohort.objects.create(
            centre=centre, module=module, name=name, start_date=today - datetime.timedelta(days=90),
            end_date=today + datetime.timedelta(days=60),
        )

    started = time.perf_counter()
    big = Centre.objects.create(name="Benchmarkcentrum", slug="benchmark", country="Nederland", city="Utrecht")
    manager = User.objects.create_user(email="benchmark-manager@example.org", password=None, name="Mia Manager")
    centre_services.add_centre_staff(centre=big, user=manager, role="manager")
    learners = 0
    for n in range(args.cohorts):
        learners += len(build_cohort_progress(cohort=cohort_in(big, f"Cohort {n + 1}"), n=args.learners, seed=n).users)
    for n in range(19):
        centre = Centre.objects.create(name=f"Centrum {n + 2}", slug=f"centrum-{n + 2}", country="België", city="Gent")
        learners += len(build_cohort_progress(cohort=cohort_in(centre, "Voorjaar"), n=50, seed=100 + n).users)
    staff = User.objects.create_superuser(email="benchmark-staff@example.org", password=None)
    analyze_after_bulk_load()
    print(
        f"\n== {connection.vendor}: {args.cohorts} cohorts × {args.learners} learners in one centre, "
        f"19 centres × 50; {learners} learners in all; built in {time.perf_counter() - started:.0f} s"
    )
    return manager, staff


def measure(args, today, manager, staff):
    """Time the three pages, under the lock, and judge them against the budget."""
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils.http import urlencode

    period = "?" + urlencode(
        {"periode": "aangepast", "van": (today - datetime.timedelta(days=365)).isoformat(), "tot": today.isoformat()}
    )
    manager_client = Client(SERVER_NAME="127.0.0.1")
    manager_client.force_login(manager)
    staff_client = Client(SERVER_NAME="127.0.0.1")
    staff_client.force_login(staff)
    timing = {"requests": args.requests, "warmup": args.warmup, "per_query": args.per_query}
    # Import every view before waiting for the lock: a worktree rebased during a long wait must not
    # meet code loaded before it.
    centre_pages = [
        ("centre report (manager)", reverse("reports:centre") + period),
        ("centre report XLSX", reverse("reports:centre_xlsx") + period),
    ]
    programme_pages = [("programme report (site staff)", reverse("reports:programme") + period)]
    for client, (_, path) in [(manager_client, centre_pages[0]), (staff_client, programme_pages[0])]:
        if client.get(path).status_code != 200:
            raise SystemExit(f"{path} does not answer 200")
    with exclusive_lock(args.lock):
        medians = time_pages(manager_client, centre_pages, **timing)
        medians |= time_pages(staff_client, programme_pages, **timing)
    print(f"\n   Budget: a median of {BUDGET_MS} ms per page on PostgreSQL (issue 16).")
    for name, median in medians.items():
        verdict = ("PASS" if median * 1000 <= BUDGET_MS else "FAIL") if connection.vendor == "postgresql" else "(SQLite: no budget)"
        print(f"   {name:<30}{median * 1000:>8.0f}ms  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", type=int, default=15, help="timed requests per page (1-500)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first (0-50)")
    parser.add_argument("--cohorts", type=int, default=20, help="cohorts in the big centre (1-50)")
    parser.add_argument("--learners", type=int, default=1000, help="learners per cohort (1-5000)")
    parser.add_argument("--per-query", action="store_true", help="print each query's median time too")
    parser.add_argument("--lock", default=os.environ.get("BENCHMARK_LOCK"),
                        help="file to hold an exclusive flock on while timing (default: $BENCHMARK_LOCK)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (for EXPLAIN)")
    parser.add_argument("--reuse", action="store_true",
                        help="time on the PostgreSQL database a --keep run left (same rows: before/after)")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="measure one database only")
    parser.add_argument("--postgres", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.requests <= 500 or not 0 <= args.warmup <= 50:
        parser.error("--requests must be 1-500 and --warmup 0-50")
    if not 1 <= args.cohorts <= 50 or not 1 <= args.learners <= 5000:
        parser.error("--cohorts must be 1-50 and --learners 1-5000")
    if args.postgres or args.sqlite:
        run_in_scratch_database(args, build_and_measure, suffix="reports_benchmark")
        return
    passed = [f"--requests={args.requests}", f"--warmup={args.warmup}", f"--cohorts={args.cohorts}",
              f"--learners={args.learners}"]
    passed += ["--per-query"] * args.per_query + ["--keep"] * args.keep + ["--reuse"] * args.reuse + [f"--lock={args.lock}"] * bool(args.lock)
    on_each_database(__file__, passed, prefix="reports-benchmark-", only=args.only)


if __name__ == "__main__":
    main()
