#!/usr/bin/env python
"""What 30 learners polling the idea wall every 4 seconds cost the server, in CPU.

    .venv/bin/python scripts/benchmark_ideas_polling.py                  # scratch SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/db .venv/bin/python scripts/benchmark_ideas_polling.py
    .venv/bin/python scripts/benchmark_ideas_polling.py --learners 30 --interval 4 --seconds 60 --port 8180

It builds a scratch database (a temporary SQLite file, or ``<name>_ideas_benchmark`` on
the PostgreSQL server of ``DATABASE_URL``, dropped afterwards), with a cohort of
``--learners`` learners and a session of 40 ideas, signs every learner in (a session
cookie each), and starts gunicorn (2 sync workers, production settings) on ``--port``.
Then ``--learners`` clients poll ``/ideeenmuur/<pk>/live/`` as ideas-live.js does, each
every ``--interval`` seconds with ``If-None-Match``, for ``--seconds`` seconds; twice:
  1. nothing changes (every answer should be a 304);
  2. someone posts an idea every 10 seconds (each learner then fetches the new list once).
The CPU is the user + system time of gunicorn's processes (from /proc) over the run,
as a percentage of one core. The clients run in this process and are not counted.
This is not a test: the figure is printed, not asserted.
"""
import argparse
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def gunicorn_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


SECRET = "benchmark-only-" + "x" * 40


def prepare(database_url: str, learners: int):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SECRET_KEY"] = SECRET  # the session cookies made here must be valid for gunicorn
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User
    from centres import services as centre_services
    from centres.models import Centre, Cohort
    from courses.models import Module
    from ideas import services

    module = Module.objects.create(slug="bench", number=6, title="Bench", programme="SF")
    centre = Centre.objects.create(name="Centrum", slug="centrum", country="NL", city="Tiel")
    trainer = User.objects.create_user(email="trainer@example.org", password="x", name="Trainer")
    centre_services.add_centre_staff(centre=centre, user=trainer, role="trainer")
    import datetime

    cohort = Cohort.objects.create(
        centre=centre, module=module, name="Bench", start_date=datetime.date.today(),
        end_date=datetime.date.today() + datetime.timedelta(days=30),
    )
    cohort.trainers.add(trainer)
    people = []
    for n in range(learners):
        user = User.objects.create_user(email=f"l{n}@example.org", password="x", name=f"Deelnemer {n}")
        centre_services.enroll(cohort=cohort, user=user)
        people.append(user)
    session = services.session_create(cohort=cohort, by=trainer, kind="brainstorm", problem="Hoe reizen we minder?")
    for n in range(40):
        services.idea_post(session=session, author=people[n % learners], text=f"Idee nummer {n}", is_anonymous=n % 3 == 0)
    services.phase_move(session=session, by=trainer, to="reveal")
    cookies = []
    for user in people:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        cookies.append(store.session_key)
    return session.pk, people, cookies


def poll_all(*, port, pk, cookies, interval, seconds, post_every=None, poster=None):
    stop = time.monotonic() + seconds
    counts = {"200": 0, "304": 0, "other": 0}
    lock = threading.Lock()

    def client(i, cookie):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        etag = None
        time.sleep(interval * i / len(cookies))  # spread out, as real pages are
        while time.monotonic() < stop:
            started = time.monotonic()
            headers = {"Cookie": f"sessionid={cookie}", "Accept-Language": "nl", "X-Requested-With": "fetch"}
            if etag:
                headers["If-None-Match"] = etag
            try:
                conn.request("GET", f"/ideeenmuur/{pk}/live/", headers=headers)
                response = conn.getresponse()
                response.read()
                key = str(response.status) if response.status in (200, 304) else "other"
                etag = response.getheader("ETag") or etag
            except (OSError, http.client.HTTPException):
                key = "other"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            with lock:
                counts[key] += 1
            time.sleep(max(0, interval - (time.monotonic() - started)))

    threads = [threading.Thread(target=client, args=(i, c)) for i, c in enumerate(cookies)]
    if post_every and poster:
        threads.append(threading.Thread(target=poster, args=(stop, post_every)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--interval", type=float, default=4.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=8180)
    args = parser.parse_args()

    given = os.environ.get("DATABASE_URL", "")
    scratch_pg = None
    tmp = tempfile.TemporaryDirectory()
    if given.startswith("postgres"):
        base, _, name = given.rpartition("/")
        scratch_pg = f"{name}_ideas_benchmark"
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", scratch_pg], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", scratch_pg], check=True)
        database_url = f"{base}/{scratch_pg}"
    else:
        database_url = f"sqlite:///{tmp.name}/bench.sqlite3"
    pk, people, cookies = prepare(database_url, args.learners)

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        time.sleep(3)
        pids = gunicorn_pids(server.pid)
        from ideas.models import Session

        session = Session.objects.get(pk=pk)

        def poster(stop, every):
            from django.db.models import F

            from ideas.models import Idea

            n = 0
            while time.monotonic() + every < stop:
                time.sleep(every)
                # A new idea appears (written directly: the session is past collecting) and the version moves on.
                Idea.objects.create(session=session, author=people[n % len(people)], text=f"Nieuw {n}", shuffle_key=n + 1)
                Session.objects.filter(pk=pk).update(version=F("version") + 1)
                n += 1

        poll_all(port=args.port, pk=pk, cookies=cookies[:3], interval=0.2, seconds=2)  # warm-up
        for label, post_every in (("unchanged", None), ("a new idea every 10 s", 10.0)):
            before, started = cpu_seconds(pids), time.monotonic()
            counts = poll_all(port=args.port, pk=pk, cookies=cookies, interval=args.interval, seconds=args.seconds,
                              post_every=post_every, poster=poster)
            used, wall = cpu_seconds(pids) - before, time.monotonic() - started
            rate = sum(counts.values()) / wall
            print(f"{label:>24}: {args.learners} learners every {args.interval:g} s for {wall:.0f} s "
                  f"({rate:.1f} req/s): {counts['304']} × 304, {counts['200']} × 200, {counts['other']} other; "
                  f"gunicorn CPU {used:.2f} s = {100 * used / wall:.2f} % of one core "
                  f"({1000 * used / max(1, sum(counts.values())):.2f} ms per request)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        if scratch_pg:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", scratch_pg], check=False)
        tmp.cleanup()


if __name__ == "__main__":
    main()
