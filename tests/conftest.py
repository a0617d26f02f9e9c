"""Shared fixtures: factories for the module's content, and the browser set-up.

Browser tests run in Debian's Chromium (/usr/bin/chromium), never a browser
that Playwright downloads. Without Chromium they are skipped with a reason on a
developer's machine; under CI (``CI=true``) a skipped browser test fails the run.
"""
import itertools
import os
import shutil

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls in
# live-server tests are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _transactional_rank(item):
    """0: ordinary tests; 1: other transactional tests; 2: live-server (browser) tests."""
    names = getattr(item, "fixturenames", ())
    if "live_server" in names:
        return 2
    marker = item.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        return 1
    return 0


def pytest_collection_modifyitems(config, items):
    # The two-node test (tests/cluster/) starts servers and restarts PostgreSQL: it runs only when
    # asked for with `-m cluster` (make cluster-test), never as part of the suite.
    if "cluster" not in (config.option.markexpr or ""):
        cluster = [item for item in items if "cluster" in item.keywords]
        if cluster:
            config.hook.pytest_deselected(items=cluster)
            items[:] = [item for item in items if "cluster" not in item.keywords]
    # As Django's own runner does: tests that flush the database run after all the
    # others, so that rows made by data migrations (the "Trainers" group and its
    # rights) are there for every ordinary test. Browser tests go last and restore
    # those rows before each test (serialized rollback, tests/browser/conftest.py).
    items.sort(key=_transactional_rank)
    # The other transactional tests restore those rows too, and their flush leaves the tables empty
    # (serialized rollback inhibits post_migrate): otherwise post_migrate would refill the content
    # types under new ids, and the next test that restores the serialized rows (the first browser
    # test) would clash with them (IntegrityError on django_content_type).
    for item in items:
        marker = item.get_closest_marker("django_db")
        if _transactional_rank(item) == 1 and marker is not None and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)
    if HAVE_CHROMIUM:
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium to run the browser tests")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


_skipped_browser_tests = []


def pytest_runtest_logreport(report):
    if report.skipped and "browser" in report.keywords:
        _skipped_browser_tests.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if IN_CI and _skipped_browser_tests:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if IN_CI and _skipped_browser_tests:
        terminalreporter.write_line(
            f"CI: {len(_skipped_browser_tests)} browser test(s) were skipped; in CI that is a failure.", red=True
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


# --- content factories -------------------------------------------------------

_seq = itertools.count(1)


@pytest.fixture
def module_factory(db):
    from courses.models import Module

    def make(**kwargs):
        n = next(_seq)
        defaults = {
            "slug": f"module-{n}",
            "number": n,
            "title": f"Module {n}",
            "programme": "Sustainable Futures for Enterprise Centres",
            "introduction": "Een **inleiding**.",
        }
        defaults.update(kwargs)
        return Module.objects.create(**defaults)

    return make


@pytest.fixture
def section_factory(db, module_factory):
    from sections.models import Section

    def make(module=None, **kwargs):
        module = module or module_factory()
        number = kwargs.pop("number", None) or (module.sections.count() + 1)
        defaults = {"title": f"Sectie {number}", "introduction": "Over deze sectie."}
        defaults.update(kwargs)
        return Section.objects.create(module=module, number=number, **defaults)

    return make


@pytest.fixture
def slide_factory(db, section_factory):
    from sections.models import Slide

    def make(section=None, **kwargs):
        section = section or section_factory()
        position = kwargs.pop("position", None) or (section.slides.count() + 1)
        n = next(_seq)
        defaults = {"slug": f"slide-{n}", "title": f"Slide {n}", "body": "Tekst van de slide.", "kind": "content"}
        defaults.update(kwargs)
        return Slide.objects.create(section=section, position=position, **defaults)

    return make


@pytest.fixture
def resource_factory(db, slide_factory):
    from sections.models import Resource

    def make(slide=None, **kwargs):
        slide = slide or slide_factory()
        n = next(_seq)
        defaults = {"url": f"https://www.example.org/artikel-{n}", "title": f"Artikel {n}", "kind": "article"}
        defaults.update(kwargs)
        return Resource.objects.create(slide=slide, **defaults)

    return make


@pytest.fixture
def build_module(module_factory, section_factory, slide_factory, resource_factory):
    """A module of ``sections`` sections with ``slides`` slides each, every slide with ``resources`` links."""

    def make(sections=3, slides=4, resources=1, **module_kwargs):
        module = module_factory(**module_kwargs)
        for s in range(1, sections + 1):
            section = section_factory(module=module, number=s)
            for p in range(1, slides + 1):
                slide = slide_factory(section=section, position=p)
                for _ in range(resources):
                    resource_factory(slide=slide)
        return module

    return make


@pytest.fixture
def module6(db):
    """The real Module 6, loaded from the fixture exactly as `make run` loads it."""
    from courses.models import Module

    call_command("loaddata", "module6", verbosity=0)
    return Module.objects.get(slug="samenwerken-voor-duurzaam-succes")


# --- authoring (issue 5): users of the admin, images, a media folder per test ------------


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a folder of this test only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def trainer(db):
    """A trainer as the site gives them: admin access (is_staff) and the "Trainers" group's rights."""
    from django.contrib.auth.models import Group

    from accounts.models import User

    user = User.objects.create_user(email="trainer@example.org", password="Trainer-pass-1", name="Tessa Trainer")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def site_staff(db):
    from accounts.models import User

    return User.objects.create_superuser(email="staff@example.org", password="Staff-pass-1", name="Sam Staff")


@pytest.fixture
def make_image():
    """Bytes of a real image: ``make_image("PNG", size=(4, 3))``."""
    import io

    from PIL import Image

    def make(fmt="PNG", size=(8, 6), color=(30, 120, 60)):
        buffer = io.BytesIO()
        mode = "P" if fmt == "GIF" else "RGB"
        Image.new(mode, size, color if mode == "RGB" else 1).save(buffer, format=fmt)
        return buffer.getvalue()

    return make


# --- accounts, centres, cohorts, enrolments (issue 3) ----------------------------------


@pytest.fixture
def clear_cache():
    """allauth's rate limits count in the cache: start each test that logs in or signs up from zero."""
    from django.core.cache import cache

    from courses import page_cache

    cache.clear()
    page_cache.memo_clear()  # each process's copy of what it read from the cache
    yield
    cache.clear()
    page_cache.memo_clear()


@pytest.fixture
def user_factory(db):
    """A user with a verified address (allauth's mandatory verification lets them log in)."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    def make(email=None, password="Geheim-wachtwoord-2026", verified=True, **kwargs):
        n = next(_seq)
        email = email or f"deelnemer{n}@example.org"
        kwargs.setdefault("name", f"Deelnemer {n}")
        user = User.objects.create_user(email=email, password=password, **kwargs)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
        return user

    return make


@pytest.fixture
def centre_factory(db):
    from centres.models import Centre

    def make(**kwargs):
        n = next(_seq)
        defaults = {"name": f"Ondernemerscentrum {n}", "slug": f"centrum-{n}", "country": "Nederland", "city": "Utrecht"}
        defaults.update(kwargs)
        return Centre.objects.create(**defaults)

    return make


@pytest.fixture
def centre_staff_factory(db, user_factory, centre_factory):
    """``centre_staff_factory(role="manager"|"trainer", centre=...)`` → the user."""
    from centres import services

    def make(role="manager", centre=None, user=None, **user_kwargs):
        user = user or user_factory(**user_kwargs)
        services.add_centre_staff(centre=centre or centre_factory(), user=user, role=role)
        return user

    return make


@pytest.fixture
def cohort_factory(db, centre_factory, module_factory):
    import datetime

    from centres.models import Cohort

    def make(centre=None, module=None, trainers=(), **kwargs):
        n = next(_seq)
        today = datetime.date.today()
        defaults = {
            "name": f"Cohort {n}",
            "start_date": today - datetime.timedelta(days=7),
            "end_date": today + datetime.timedelta(days=60),
            "capacity": None,
            "is_open": True,
        }
        defaults.update(kwargs)
        cohort = Cohort.objects.create(centre=centre or centre_factory(), module=module or module_factory(), **defaults)
        cohort.trainers.set(trainers)
        return cohort

    return make


@pytest.fixture
def enrollment_factory(db, user_factory, cohort_factory):
    from centres.models import Enrollment

    def make(cohort=None, user=None, **kwargs):
        return Enrollment.objects.create(cohort=cohort or cohort_factory(), user=user or user_factory(), **kwargs)

    return make


# --- quizzes and progress (issue 4) -------------------------------------------


@pytest.fixture
def learner_factory(db):
    """Learners with a usable password (``Leer-wachtwoord-1``) and a name for the certificate."""
    from accounts.models import User

    def make(**kwargs):
        n = next(_seq)
        defaults = {"email": f"leerling{n}@example.org", "name": f"Leerling {n}"}
        defaults.update(kwargs)
        password = defaults.pop("password", "Leer-wachtwoord-1")
        return User.objects.create_user(password=password, **defaults)

    return make


@pytest.fixture
def learner(learner_factory):
    return learner_factory(email="lotte@example.org", name="Lotte de Leerling")


@pytest.fixture
def quiz_factory(db, section_factory, slide_factory):
    """A quiz for ``section`` with ``questions`` questions cycling through single, multiple and true/false.

    Single: 3 choices, the 2nd right. Multiple: 4 choices, the 1st and 3rd right. True/false: "Waar" right.
    Each question is linked to a slide of the section (one is made if the section has none).
    The attempt policy is off unless asked for (every question, no daily limit, no pause):
    tests of the draw and the pacing set ``draw_count``, ``attempts_per_day``, ``pause_after_fail``.
    """
    from quizzes.models import Choice, Question, Quiz

    def make(section=None, questions=3, kinds=("single", "multiple", "true_false"), **kwargs):
        section = section or section_factory()
        slides = list(section.slides.order_by("position")) or [slide_factory(section=section)]
        kwargs.setdefault("shuffle", False)
        kwargs.setdefault("draw_count", None)
        kwargs.setdefault("attempts_per_day", None)
        kwargs.setdefault("pause_after_fail", 0)
        quiz = Quiz.objects.create(section=section, **kwargs)
        for p in range(1, questions + 1):
            kind = kinds[(p - 1) % len(kinds)]
            question = Question.objects.create(
                quiz=quiz, slug=f"vraag-{p}", position=p, kind=kind, text=f"Vraag {p} ({kind})?",
            )
            question.slides.add(slides[(p - 1) % len(slides)])
            if kind == "true_false":
                specs = [("Waar", True), ("Niet waar", False)]
            elif kind == "multiple":
                specs = [("Optie A", True), ("Optie B", False), ("Optie C", True), ("Optie D", False)]
            else:
                specs = [("Keuze A", False), ("Keuze B", True), ("Keuze C", False)]
            Choice.objects.bulk_create(
                Choice(question=question, position=i, text=f"{text} bij vraag {p}", is_correct=right,
                       feedback=f"Uitleg {'goed' if right else 'fout'} {p}.{i}")
                for i, (text, right) in enumerate(specs, 1)
            )
        return quiz

    return make


@pytest.fixture
def build_course(build_module, quiz_factory):
    """A module whose every section has a quiz: ``build_course(sections=3, slides=4, questions=3)``."""

    def make(sections=3, slides=4, questions=3, resources=0, **quiz_kwargs):
        module = build_module(sections=sections, slides=slides, resources=resources)
        for section in module.sections.order_by("number"):
            quiz_factory(section=section, questions=questions, **quiz_kwargs)
        return module

    return make


@pytest.fixture
def slide_views(db):
    """A learner reads slides: the one helper for it.

    ``slide_views(user, module)`` writes the ``SlideView`` rows for the module's published slides in
    reading order, as read ``days_ago`` days ago (or at ``when``): only those of section number
    ``section``, the first ``count`` of them, or exactly ``slides`` (any, drafts too). A slide read
    before gets the new time. With ``client=`` the slides are opened through the learner's door
    instead (the slide page, which records the view itself): ``slide_views(module=m, client=client)``.
    Returns the slides read.
    """
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from progress import services as progress_services
    from progress.models import SlideView
    from sections.models import Slide

    def read(user=None, module=None, *, slides=None, section=None, count=None, days_ago=0, when=None, client=None):
        if slides is None:
            chosen = Slide.objects.filter(section__module=module).for_learners().select_related("section")
            if section is not None:
                chosen = chosen.filter(section__number=section)
            slides = list(chosen.order_by("section__number", "position"))[:count]
        slides = list(slides)
        if client is not None:
            for slide in slides:
                position = getattr(slide, "learner_position", None) or slide.position
                client.get(reverse("sections:slide", args=[slide.section.module.slug, slide.section.number, position]))
            return slides
        when = when or timezone.now() - datetime.timedelta(days=days_ago)
        seen = set(SlideView.objects.filter(user=user, slide__in=slides).values_list("slide_id", flat=True))
        SlideView.objects.filter(user=user, slide_id__in=seen).update(first_seen=when, last_seen=when)
        SlideView.objects.bulk_create(
            SlideView(user=user, slide=slide, first_seen=when, last_seen=when) for slide in slides if slide.pk not in seen
        )
        # Records written by hand, as an import would: the learner's progress row is counted from them.
        progress_services.progress_recount(module_ids={s.section.module_id for s in slides}, user_ids=[user.pk])
        return slides

    return read


@pytest.fixture
def quiz_answers():
    """POST data for an open attempt, as a learner's browser sends it.

    ``quiz_answers(attempt)`` answers everything right; ``wrong={question ids}`` answers those
    wrong (a single wrong option; for multiple choice only the first right option, which is
    half right and so wrong under all-or-nothing).
    """
    from quizzes.models import Choice

    def make(attempt, wrong=()):
        data = {}
        right = {c.pk: c.is_correct for c in Choice.objects.filter(question__quiz_id=attempt.quiz_id)}
        kinds = dict(attempt.quiz.questions.values_list("pk", "kind"))
        for qid in attempt.layout["questions"]:
            order = attempt.layout["choices"][str(qid)]
            places_right = [str(i) for i, cid in enumerate(order, 1) if right[cid]]
            places_wrong = [str(i) for i, cid in enumerate(order, 1) if not right[cid]]
            if qid not in wrong:
                data[f"vraag-{qid}"] = places_right
            elif kinds[qid] == "multiple":
                data[f"vraag-{qid}"] = places_right[:1]
            else:
                data[f"vraag-{qid}"] = places_wrong[:1]
        return data

    return make


# --- the idea wall (issue 14) ---------------------------------------------------


@pytest.fixture
def idea_group(db, centre_factory, centre_staff_factory, cohort_factory, user_factory, module_factory):
    """A cohort with its trainer and three learners (Anna, Bram, Chris), and a learner of another cohort."""
    from types import SimpleNamespace

    from centres import services

    centre = centre_factory(name="Ondernemerscentrum Rivierenland")
    trainer = centre_staff_factory(role="trainer", centre=centre, name="Tessa Trainer", email="tessa@example.org")
    cohort = cohort_factory(centre=centre, module=module_factory(), name="Voorjaar 2026", trainers=[trainer])
    learners = [user_factory(name=name, email=f"{name.lower()}@example.org") for name in ("Anna", "Bram", "Chris")]
    for learner in learners:
        services.enroll(cohort=cohort, user=learner)
    other_cohort = cohort_factory(centre=centre, module=cohort.module, name="Najaar 2026")
    outsider = user_factory(name="Olaf Buiten", email="olaf@example.org")
    services.enroll(cohort=other_cohort, user=outsider)
    return SimpleNamespace(centre=centre, trainer=trainer, cohort=cohort, learners=learners, outsider=outsider)


# --- work queued for after the commit (mail, link checks: issue 12) ----------------------------


@pytest.fixture(autouse=True)
def _on_commit_runs_when_a_request_ends(request):
    """Run what a request queued with ``transaction.on_commit`` when the request ends.

    In production a request's writes are committed before it answers, and what it queued for
    after the commit (a mail's delivery, a link check) runs then; without a broker in this very
    process. pytest-django's ``db`` tests run inside one transaction that never commits, so that
    work would never run and no test would see the mail a person gets. Here each test-client
    request ends like a committed one: the callbacks it queued run (and are taken off the list,
    so a ``django_capture_on_commit_callbacks`` around the request does not run them twice).
    Tests that want to see the queue itself mark themselves ``@pytest.mark.keep_on_commit``.
    Service calls outside a request use ``django_capture_on_commit_callbacks(execute=True)``.
    """
    if request.node.get_closest_marker("keep_on_commit"):
        yield
        return
    from django.core.signals import request_finished, request_started
    from django.db import connection

    starts = []

    def started(**kwargs):
        starts.append(len(connection.run_on_commit))

    def finished(**kwargs):
        if not starts:
            return
        start = starts.pop()
        if not connection.in_atomic_block:
            return  # a transactional test: the commit already ran them
        while len(connection.run_on_commit) > start:
            queued = connection.run_on_commit[start:]
            del connection.run_on_commit[start:]
            for _savepoints, callback, _robust in queued:
                callback()

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        yield
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
