"""How long `manage.py check_links` takes for Module 6's 41 distinct addresses, against a local server.

Each of the deck's addresses is mapped to a path of the local test server
(tests/link_server.py on 127.0.0.1; nothing leaves this machine) in a mix like
a real run: mostly working links, some redirected, some 404 and 500, and some
that never answer. Run:  .venv/bin/python scripts/benchmark_link_check.py [--timeout S] [--workers N]
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402
from django.conf import settings  # noqa: E402

from sections.linkcheck import check_urls  # noqa: E402
from tests.link_server import link_server  # noqa: E402

MIX = ["/ok"] * 6 + ["/moved", "/missing", "/error", "/hang"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=settings.LINK_CHECK_TIMEOUT)
    parser.add_argument("--workers", type=int, default=settings.LINK_CHECK_WORKERS)
    args = parser.parse_args()
    rows = yaml.safe_load((ROOT / "fixtures" / "module6.yaml").read_text())
    urls = sorted({row["fields"]["url"] for row in rows if row["model"] == "sections.resource"})
    with link_server() as (base, _server):
        local = [f"{base}{MIX[i % len(MIX)]}/{i}" for i in range(len(urls))]
        started = time.monotonic()
        results = check_urls(local, workers=args.workers, timeout=args.timeout, block_private=False)
        seconds = time.monotonic() - started
    counts = {}
    for result in results.values():
        counts[result.health] = counts.get(result.health, 0) + 1
    hangs = sum(1 for u in local if "/hang" in u)
    print(f"{len(urls)} addresses, {args.workers} at a time, time-out {args.timeout:g} s: {seconds:.2f} s")
    print("  " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + f"  ({hangs} never answer)")


if __name__ == "__main__":
    main()
