#!/usr/bin/env python
"""How fast the reading pages answer, and how many queries each one does.

    make benchmark                                # loads Module 6, then runs this
    .venv/bin/python scripts/benchmark.py -n 200  # more requests per page
    .venv/bin/python scripts/benchmark.py --as learner@example.org   # as a signed-in user

Requests go through Django's test client, in-process, against the configured
database (``DATABASE_URL``; SQLite ``db.sqlite3`` by default) with Module 6 loaded:
the time is that of the whole request (middleware, view, queries, template), not
of a network. A few warm-up requests come first (they fill the Markdown cache,
as a running site's first visitors would). This is not a test: speed is shown,
not asserted; the tests pin the query counts.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
MODULE_SLUG = "samenwerken-voor-duurzaam-succes"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", type=int, default=100, help="timed requests per page (1-10000)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--as", dest="email", help="sign in as this existing user (no password needed)")
    args = parser.parse_args()
    if not 1 <= args.requests <= 10_000:
        parser.error("--requests must be between 1 and 10000")

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from courses.models import Module
    from sections.models import Slide

    module = Module.objects.filter(slug=MODULE_SLUG).first()
    if module is None:
        sys.exit(f"Module {MODULE_SLUG!r} is not in the database: run `make load` (or `make benchmark`).")
    sections = list(module.sections.order_by("number"))
    middle = sections[len(sections) // 2]
    slide_path = reverse("sections:slide", kwargs={"module_slug": module.slug, "number": middle.number, "position": 2})
    pages = [
        ("overview", module.get_absolute_url()),
        ("section", sections[0].get_absolute_url()),
        ("slide", slide_path),
        ("hand-out", reverse("courses:handout", args=[module.slug])),
    ]

    # The test client's default host ("testserver") is not an allowed host outside the test runner.
    client = Client(SERVER_NAME="127.0.0.1")
    if args.email:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(email__iexact=args.email).first()
        if user is None:
            sys.exit(f"No user {args.email!r} in this database.")
        client.force_login(user)

    slides = Slide.objects.filter(section__module=module).count()
    print(f"Module {module.number} ({len(sections)} sections, {slides} slides), database {connection.vendor}, "
          f"{args.requests} requests per page after {args.warmup} warm-up, "
          f"{'signed in as ' + args.email if args.email else 'anonymous'}")
    print(f"{'page':<10} {'path':<58} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'KiB':>6}")
    for name, path in pages:
        for _ in range(args.warmup):
            response = client.get(path)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        query_count = len(queries.captured_queries)  # read now: every request clears the connection's log
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"{name:<10} {path:<58} {statistics.median(timings):>10.1f} {percentile(timings, 0.95):>8.1f} "
            f"{max(timings):>8.1f} {query_count:>8} {len(response.content) / 1024:>6.0f}"
        )


if __name__ == "__main__":
    main()
