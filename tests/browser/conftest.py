"""Fixtures for the real-browser tests: the real Module 6 behind pytest-django's live server.

The live server answers from another thread, so these tests use a transactional
database (the data is committed, then flushed after the test) and load the module
fixture inside it, exactly as `make run` loads it.
"""
import pytest
from django.core.management import call_command
from django.urls import reverse

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# Every axe-core run of the browser tests: WCAG 2.1 A and AA, and axe's best practices (landmarks,
# one h1, heading order, unique landmark names, focusable scroll regions...), as the brief asks.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="session", autouse=True)
def _live_server_outlives_the_browser(django_db_setup, live_server):
    """Start the live server before Chromium, so that it stops after it: otherwise the browser's
    last keep-alive connections close on a stopped server and its threads raise at the end."""
    return live_server


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_for_every_connection(django_db_setup):
    """Keep the rows the data migrations made where every test can restore them.

    Django serialises the test database once, onto the connection object of the context that set it
    up, and a transactional test restores from ``connections[alias]._test_serialized_contents``. But
    Playwright's sync API runs the tests in other contexts, where ``connections`` (an asgiref Local)
    hands out new connection objects without it: the restore was silently skipped and every browser
    test after the first one that opened a page found the "Trainers" group gone. Put on the
    connection class, the serialised rows are found by every connection object of this run."""
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    yield
    for alias in connections:
        if "_test_serialized_contents" in vars(type(connections[alias])):
            del type(connections[alias])._test_serialized_contents


@pytest.fixture(autouse=True)
def _restore_migration_rows(django_db_serialized_rollback):
    """Each browser test starts with the rows the data migrations made (the "Trainers" group and
    its rights): the live server's transactional database is flushed after every test."""


# Every page a browser test opens reports Content-Security-Policy violations here (issue 13):
# the enforced policy blocks inline script and style, outside images and the like, and a
# blocked thing is a broken page. Installed as an init script, so it listens before any of
# the page's own code runs, in every context (pytest-playwright's and the tests' own).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    page: document.location.href,
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""


@pytest.fixture(autouse=True)
def csp_violations(monkeypatch):
    """The CSP violations of this test's pages; the test fails if there are any left at its end."""
    from playwright.sync_api import Browser

    found = []
    original_new_context = Browser.new_context

    def new_context(self, *args, **kwargs):
        context = original_new_context(self, *args, **kwargs)
        context.expose_function("__cspViolation", lambda violation: found.append(violation))
        context.add_init_script(CSP_LISTENER)
        return context

    def new_page(self, *args, **kwargs):
        # Browser.new_page makes a context of its own: give it the listener too.
        context = new_context(self, *args, **kwargs)
        page = context.new_page()
        page.on("close", lambda _page: context.close())
        return page

    monkeypatch.setattr(Browser, "new_context", new_context)
    monkeypatch.setattr(Browser, "new_page", new_page)
    yield found
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(map(str, found))


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chromium announces en-US by default; the learners' browsers ask for Dutch.
    return {**browser_context_args, "locale": "nl-NL", "viewport": DESKTOP}


@pytest.fixture
def live_module(transactional_db, live_server):
    """Module 6 loaded into the database the live server reads."""
    from courses.models import Module

    call_command("loaddata", "module6", verbosity=0)
    return Module.objects.get(slug="samenwerken-voor-duurzaam-succes")


def reading_pages(module) -> dict[str, str]:
    """Paths of the pages every check visits: overview, a section, one slide of each kind, the hand-out."""
    from sections.models import Slide

    pages = {
        "overview": module.get_absolute_url(),
        "section": module.sections.get(number=1).get_absolute_url(),
    }
    for kind, _label in Slide.Kind.choices:
        slide = (
            Slide.objects.filter(section__module=module, kind=kind)
            .select_related("section__module")
            .in_module_order()
            .first()
        )
        assert slide is not None, f"Module 6 has no slide of kind {kind!r}"
        pages[f"slide-{kind}"] = slide.get_absolute_url()
    pages["handout"] = reverse("courses:handout", args=[module.slug])
    return pages


PAGE_NAMES = ["overview", "section"] + [
    f"slide-{kind}" for kind in ("content", "quote", "example", "spotlight", "activity", "further_reading", "closing")
] + ["handout"]
