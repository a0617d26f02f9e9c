#!/usr/bin/env python
"""`make bench`: the module served the production way, measured against Django's own ceiling.

    make bench                                   # SQLite, Module 6
    make bench BENCH_ARGS="--postgres"           # PostgreSQL (a database of its own, duurzaam_bench; --pg-name)
    make bench BENCH_ARGS="--big"                # the module 10 x larger (480 slides), generated in the clone
    .venv/bin/python scripts/bench.py --help

What it does, in one run:
1. a database of its own: a fresh SQLite file (or PostgreSQL database), migrated, with Module 6 and
   the demo accounts loaded (``--big``: every section's slides copied until the module has 10 x as
   many); the developer's own database is never touched;
2. ``collectstatic`` and gunicorn with production settings (DEBUG off, WhiteNoise with hashed,
   pre-compressed static files), sync workers (``--workers``, 2 by default) on a free port;
3. for each page, with ``wrk`` (Debian's package; a Python load generator when it is missing):
   requests/s, p50 and p99 latency, the workers' CPU per request, the queries per request
   (measured in-process on the same database, warm cache), the bytes of the answer (gzip, as
   browsers ask) and the ratio to the bare view ``/healthz`` measured in the same pass;
4. ``--browser``: Chromium (/usr/bin/chromium, Playwright) on a cold slide: domInteractive,
   the load event, bytes transferred on the first visit (with assets) and on the next slide.

The ratios are what to read: absolute requests/s depend on the machine and its load, the
ratio of a page to ``/healthz`` measured at the same moment much less.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MODULE_SLUG = "samenwerken-voor-duurzaam-succes"
LEARNER = "an@example.org"
TRAINER = "trainer@example.org"


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port(first: int, last: int) -> int:
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"No free port in {first}-{last}.")


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


# --- the database of the bench ---------------------------------------------------------------------


def prepare_database(env, args, workdir: Path) -> str:
    if args.postgres:
        name = args.pg_name
        base = args.pg_url.rstrip("/")
        subprocess.run(["dropdb", "-h", args.pg_host, "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", args.pg_host, "-U", "postgres", name], check=True)
        url = f"{base}/{name}"
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env["DATABASE_URL"] = url
    log(f"bench database: {url}")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PYTHON, "manage.py", "loaddata", "module6", "module6_quizzes", "-v0"], env)
    run([PYTHON, "manage.py", "createinitialrevisions", "--comment", "Eerste versie", "-v0"], env)
    demo_env = {k: v for k, v in env.items() if k != "DJANGO_SECRET_KEY"}
    run([PYTHON, "manage.py", "loaddata", "demo", "-v0"], demo_env)
    if args.big:
        run([PYTHON, str(ROOT / "scripts" / "bench.py"), "--grow", str(args.big_factor)], env)
    return url


def grow_module(factor: int) -> None:
    """Make Module 6 ``factor`` times larger: every section's slides (with their links) copied."""
    import django

    django.setup()
    from django.db import transaction

    from courses.models import Module
    from sections.models import Resource, Slide

    module = Module.objects.get(slug=MODULE_SLUG)
    with transaction.atomic():
        for section in module.sections.all():
            originals = list(section.slides.order_by("position").prefetch_related("resources"))
            position = max(s.position for s in originals)
            for copy in range(1, factor):
                for slide in originals:
                    position += 1
                    resources = list(slide.resources.all())
                    slide.pk = None
                    slide.id = None
                    slide._state.adding = True
                    slide.slug = f"{slide.slug}-{copy}"[:100]
                    slide.position = position
                    slide.save()
                    for resource in resources:
                        resource.pk = None
                        resource.id = None
                        resource._state.adding = True
                        resource.slide = slide
                        resource.save()
    total = Slide.objects.filter(section__module=module).count()
    log(f"module grown to {total} slides ({Resource.objects.filter(slide__section__module=module).count()} links)")


# --- what is measured ------------------------------------------------------------------------------


def pages_and_sessions(env):
    """The pages, the cookies of a learner and a trainer, and queries per page (in-process, warm)."""
    out = subprocess.run([PYTHON, str(ROOT / "scripts" / "bench.py"), "--inspect"], env=env, cwd=ROOT,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def inspect() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from centres.models import Cohort
    from courses.models import Module

    module = Module.objects.get(slug=MODULE_SLUG)
    sections = list(module.sections.order_by("number"))
    middle = sections[len(sections) // 2]
    slide = reverse("sections:slide", args=[module.slug, middle.number, 3])
    slide_next = reverse("sections:slide", args=[module.slug, middle.number, 4])
    learner = User.objects.get(email=LEARNER)
    trainer = User.objects.get(email=TRAINER)
    cohort = Cohort.objects.filter(trainers=trainer).order_by("pk").first()
    clients = {"anonymous": Client(SERVER_NAME="127.0.0.1"), "learner": Client(SERVER_NAME="127.0.0.1"),
               "trainer": Client(SERVER_NAME="127.0.0.1")}
    clients["learner"].force_login(learner)
    clients["trainer"].force_login(trainer)
    pages = [
        ("bare view /healthz", "/healthz", "anonymous"),
        ("overview", module.get_absolute_url(), "anonymous"),
        ("section", sections[0].get_absolute_url(), "anonymous"),
        ("slide", slide, "anonymous"),
        ("slide, learner (refresh)", slide, "learner"),
        ("slide, learner (moving on)", [slide, slide_next], "learner"),
        ("hand-out", reverse("courses:handout", args=[module.slug]), "anonymous"),
        ("home, learner", "/", "learner"),
        ("overview, learner", module.get_absolute_url(), "learner"),
        ("section, learner", sections[0].get_absolute_url(), "learner"),
        ("hand-out, learner", reverse("courses:handout", args=[module.slug]), "learner"),
        ("quiz page, learner", reverse("quizzes:quiz", args=[module.slug, middle.number]), "learner"),
    ]
    if cohort is not None:
        pages.append(("cohort dashboard, trainer", reverse("dashboards:cohort", args=[cohort.pk]), "trainer"))
    result = []
    for name, paths, who in pages:
        paths = paths if isinstance(paths, list) else [paths]
        client = clients[who]
        for path in paths * 2:  # warm: caches filled, the learner has been here, the session read before
            assert client.get(path).status_code == 200, (path, who)
        counts = []
        for path in paths * 2:
            with CaptureQueriesContext(connection) as ctx:
                client.get(path)
            counts.append(len(ctx.captured_queries))
        result.append({"name": name, "paths": paths, "who": who, "queries": max(counts)})
    cookies = {}
    for who in ("learner", "trainer"):
        cookies[who] = "; ".join(f"{k}={v.value}" for k, v in clients[who].cookies.items())
    print(json.dumps({"pages": result, "cookies": cookies}))


def response_bytes(port, path, cookie) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"})
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request) as response:  # noqa: S310 - our own server on loopback
        return len(response.read())


def worker_cpu(master_pid: int) -> float:
    """CPU seconds (user + system) of gunicorn's workers so far."""
    total = 0.0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wait_idle(master_pid: int, limit: float = 30.0) -> None:
    """Until gunicorn's workers use no CPU for 0.3 s (wrk stops sending, not the server answering)."""
    end = time.monotonic() + limit
    before = worker_cpu(master_pid)
    while time.monotonic() < end:
        time.sleep(0.3)
        now = worker_cpu(master_pid)
        if now - before < 0.02:
            return
        before = now


LUA_ROTATE = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if match is None:  # no answer at all in time ("-nan")
        return float("nan")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(port, paths, cookie, args, workdir):
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
               "--timeout", "10s", "-H", "Accept-Encoding: gzip"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if len(paths) > 1:
        script = workdir / "rotate.lua"
        script.write_text(LUA_ROTATE % ", ".join(f'"{p}"' for p in paths))
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{paths[0]}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    # The latency distribution's own lines ("  50%   12.34ms"), not a "+/- Stdev" column ending in "50%".
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if errors or socket_errors:
        log(f"  {paths[0]}: {errors.group(0) if errors else ''} {socket_errors.group(0) if socket_errors else ''}")
    return rps, p50, p99, total


def load_python(port, paths, cookie, args, workdir):
    """A plain load generator for machines without wrk: threads with keep-alive connections."""
    import http.client

    latencies, stop = [], time.monotonic() + args.duration
    lock = threading.Lock()

    def worker(n):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine, i = [], n
        headers = {"Accept-Encoding": "gzip", **({"Cookie": cookie} if cookie else {})}
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    q = lambda f: latencies[min(len(latencies) - 1, int(f * len(latencies)))] * 1000  # noqa: E731
    return len(latencies) / args.duration, q(0.5), q(0.99), len(latencies)


# --- the browser ---------------------------------------------------------------------------------------


BROWSER_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return {
    domInteractive: nav.domInteractive, load: nav.loadEventEnd,
    responseStart: nav.responseStart, responseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    assetsEnd: res.reduce((n, r) => Math.max(n, r.responseEnd), 0),
    bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0),
    requests: 1 + res.length,
    stylesheets: res.filter(r => r.initiatorType === 'link').length,
  };
}"""


def browser_timings(port, first_path, next_path, runs=9):
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    results = {"first": [], "next": [], "floor": [], "open": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
        for _ in range(runs):
            # The floor: the bare view as a document, in a cold context too (no stylesheet, no script,
            # nothing to parse): what the browser itself costs on this machine at this moment.
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/healthz", wait_until="load")
            results["floor"].append(page.evaluate(BROWSER_JS))
            context.close()
            context = browser.new_context()  # cold: empty cache, no cookies
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}{first_path}", wait_until="load")
            results["first"].append(page.evaluate(BROWSER_JS))
            page.click('a[rel="next"]') if page.locator('a[rel="next"]').count() else page.goto(
                f"http://127.0.0.1:{port}{next_path}")
            page.wait_for_load_state("load")
            results["next"].append(page.evaluate(BROWSER_JS))
            context.close()
            # The first slide in a tab already open on the site (on /healthz: no asset, no cookie), so
            # its stylesheet and script still come over the network, but the browser's start-up of
            # a new context and its renderer is not counted: what a reader's browser costs.
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/healthz", wait_until="load")
            page.goto(f"http://127.0.0.1:{port}{first_path}", wait_until="load")
            results["open"].append(page.evaluate(BROWSER_JS))
            context.close()
        browser.close()
    return results


# --- the run ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-name", default=os.environ.get("BENCH_PG_NAME", "duurzaam_bench"),
                        help="the PostgreSQL database the bench drops and creates (its own, never yours)")
    parser.add_argument("--big", action="store_true", help="the module 10 x larger (480 slides)")
    parser.add_argument("--big-factor", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page and pass")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--ports", default="8140-8149", help="a free port is taken from this range")
    parser.add_argument("--redis", default="", help="REDIS_URL for the shared cache (e.g. redis://127.0.0.1:6379/4)")
    parser.add_argument("--browser", action="store_true", help="also Chromium timings of a cold slide")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even with wrk")
    parser.add_argument("--grow", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--inspect", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.grow:
        return grow_module(args.grow)
    if args.inspect:
        return inspect()

    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to https, cookies without the Secure flag.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    if args.redis:
        env["REDIS_URL"] = args.redis
    else:
        env.pop("REDIS_URL", None)
    use_wrk = shutil.which("wrk") and not args.python_load
    database = prepare_database(env, args, workdir)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    inspected = pages_and_sessions(env)
    first, last = (int(x) for x in args.ports.split("-"))
    port = free_port(first, last)
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--worker-class", "sync", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        cookies = inspected["cookies"]
        rows = {page["name"]: {**page, "rps": [], "p50": [], "p99": [], "cpu": []} for page in inspected["pages"]}
        load = load_wrk if use_wrk else load_python
        for page in rows.values():  # warm every worker's caches
            for _ in range(4 * args.workers):
                for path in page["paths"]:
                    response_bytes(port, path, cookies.get(page["who"]))
        for number in range(1, args.passes + 1):
            log(f"pass {number}/{args.passes}")
            for name, page in rows.items():
                wait_idle(server.pid)  # requests queued by the previous page's run are answered first
                cpu_before = worker_cpu(server.pid)
                rps, p50, p99, total = load(port, page["paths"], cookies.get(page["who"]), args, workdir)
                cpu = (worker_cpu(server.pid) - cpu_before) / max(total, 1) * 1000
                page["rps"].append(rps)
                page["p50"].append(p50)
                page["p99"].append(p99)
                page["cpu"].append(cpu)
                log(f"  {name:32} {rps:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  cpu {cpu:5.2f} ms")
        for page in rows.values():
            page["bytes"] = response_bytes(port, page["paths"][-1], cookies.get(page["who"]))
        browser = None
        if args.browser:
            slide = rows["slide"]["paths"][0]
            browser = browser_timings(port, slide, rows["slide, learner (moving on)"]["paths"][-1])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    report(rows, args, database, use_wrk, browser)


def report(rows, args, database, use_wrk, browser):
    import platform

    bare = rows["bare view /healthz"]
    cores = os.cpu_count()
    vendor = "PostgreSQL" if args.postgres else "SQLite"
    size = f"module x{args.big_factor}" if args.big else "Module 6 (48 slides)"
    tool = f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s" if use_wrk else \
        f"python load generator, {args.connections} connections, {args.duration}s"
    print(f"\n{vendor}, {size}, gunicorn sync x{args.workers}, {tool}, {args.passes} passes, "
          f"{cores} cores ({platform.machine()}), load average {os.getloadavg()[0]:.1f}, "
          f"cache {'Redis' if args.redis else 'local memory per worker'}\n")
    print("| page | req/s | ratio to bare | p50 ms | p99 ms | CPU ms/req | queries/req | bytes (gzip) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, page in rows.items():
        ratios = [r / b for r, b in zip(page["rps"], bare["rps"], strict=True)]
        rps = "–".join(f"{r:,.0f}" for r in (min(page["rps"]), max(page["rps"])))
        ratio = "–".join(f"{r:.0%}" for r in (min(ratios), max(ratios)))
        print(f"| {name} | {rps} | {ratio} | {statistics.median(page['p50']):.1f} | {max(page['p99']):.1f} | "
              f"{statistics.median(page['cpu']):.2f} | {page['queries']} | {page['bytes']:,} |")
    print("\nreq/s and ratio: lowest–highest of the passes (the ratio is per pass: page ÷ /healthz of that pass); "
          "p99: the worst pass; queries: in-process on the same database, warm caches.")
    if browser:
        def med(kind, key):
            return statistics.median(r[key] for r in browser[kind])

        print("\nChromium (headless, loopback, cold context each run, median of "
              f"{len(browser['first'])}): first slide domInteractive {med('first', 'domInteractive'):.0f} ms, "
              f"load event {med('first', 'load'):.0f} ms, {med('first', 'bytes') / 1024:.1f} KB transferred in "
              f"{med('first', 'requests'):.0f} requests ({med('first', 'stylesheets'):.0f} stylesheet; HTML's first "
              f"byte at {med('first', 'responseStart'):.0f} ms, its last at {med('first', 'responseEnd'):.0f} ms, "
              f"the assets' last at {med('first', 'assetsEnd'):.0f} ms, DOMContentLoaded at "
              f"{med('first', 'domContentLoaded'):.0f} ms); the same first slide in a tab already open on the "
              f"site (its assets not in the cache): domInteractive {med('open', 'domInteractive'):.0f} ms, "
              f"load event {med('open', 'load'):.0f} ms, {med('open', 'bytes') / 1024:.1f} KB; next slide "
              f"domInteractive {med('next', 'domInteractive'):.0f} ms, load {med('next', 'load'):.0f} ms, "
              f"{med('next', 'bytes') / 1024:.1f} KB transferred. The browser's floor (/healthz as a document, "
              f"cold context): domInteractive {med('floor', 'domInteractive'):.0f} ms, "
              f"load {med('floor', 'load'):.0f} ms.")


if __name__ == "__main__":
    main()
