"""Every page shape of the site passes the Nu Html Checker (vnu-jar, the W3C validator) with no errors.

The pages (tests/page_shapes.py, the same list axe-core checks in Chromium) are fetched through the
test client as the people who see them (a visitor, a learner at different stages, a trainer, a
manager, site staff) from the demo world `make run` builds, written to files, and checked in one run
of the checker (one Java start for all of them). vnu-jar comes from npm (package.json; `make install-test`
installs it). Without Java or the jar the test is skipped with a reason; in CI (CI=true) that fails.
The Django admin pages trainers author in (slide and quiz forms, their history and versions) are checked too.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import IN_CI
from tests.page_shapes import error_pages, load_demo_world, page_shapes

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / "node_modules/vnu-jar/build/dist/vnu.jar")
JAVA = shutil.which("java")

pytestmark = pytest.mark.usefixtures("clear_cache")


def _need_checker():
    if JAVA and VNU_JAR.is_file():
        return
    reason = f"the Nu Html Checker needs Java and {VNU_JAR} (run make install-test: npm install)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def demo_world(db):
    load_demo_world()


def test_every_page_shape_passes_the_nu_html_checker(demo_world, tmp_path):
    _need_checker()
    from accounts.models import User

    files = {}
    clients = {}
    for name, who, path, status in page_shapes():
        if who not in clients:
            clients[who] = Client()
            if who:
                clients[who].force_login(User.objects.get(email=who))
        response = clients[who].get(path)
        assert response.status_code == status, (name, path, response.status_code)
        target = tmp_path / f"{name}.html"
        target.write_bytes(response.content)
        files[str(target)] = (name, path)
    # The 500 and 503 pages, which no address asks for, exactly as the site sends them.
    for status, response in error_pages().items():
        target = tmp_path / f"error-{status}.html"
        target.write_bytes(response.content)
        files[str(target)] = (f"error-{status}", status)
    # A control page with a known error, to prove the checker really ran and reports.
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html lang="nl"><head><title>x</title></head><body>'
                       '<span id="a"></span><span id="a"></span></body></html>')
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", str(control), *files],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    control_errors = [m for m in errors if m.get("url", "").endswith("/control.html")]
    assert [m["message"] for m in control_errors] == ["Duplicate ID “a”."], control_errors
    errors = [m for m in errors if m not in control_errors]
    report = "\n".join(
        f"- {files.get(m.get('url', '').removeprefix('file:'), (m.get('url'),))[0]} line {m.get('lastLine')}: "
        f"{m.get('message')} [{(m.get('extract') or '').strip()[:120]}]"
        for m in errors
    )
    assert not errors, f"{len(errors)} Nu Html Checker error(s) on {len(files)} pages:\n{report}"
    assert len(files) >= 90


# Named URLs that are not pages of their own: what a GET there answers instead.
NOT_PAGES = {
    # POST only (a form's target; a GET is 405) or a redirect.
    "centres:cohort_regenerate_code", "centres:enrollment_leave", "centres:enrollment_status", "centres:invitation_resend",
    "dashboards:attempts_reset", "dashboards:learner_remind", "ideas:post", "ideas:ready", "ideas:vote", "ideas:phase",
    "ideas:moderate", "ideas:clusters", "ideas:next_steps", "quizzes:start", "language", "set_language",
    "account_set_password",  # redirects to the password change: every account here has a password
    # Login by e-mailed code is off (allauth's default; config/settings.py does not switch it on): no page.
    "account_confirm_login_code", "account_confirm_reauthentication_code", "account_request_reauthentication_code",
    # Files and fragments, not HTML pages.
    "dashboards:export", "ideas:export", "reports:centre_csv", "reports:centre_xlsx", "reports:programme_csv",
    "reports:programme_xlsx", "progress:certificate_pdf", "sections:image", "sections:markdown_preview",
    "sections:markdown_upload", "ideas:live", "healthz", "readyz",
}


def _url_names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            if pattern.namespace != "admin":
                yield from _url_names(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif pattern.name:
            yield namespace + pattern.name


def test_every_page_of_the_site_is_a_checked_page_shape(demo_world):
    """A new page is checked by both checkers only if tests/page_shapes.py lists it: this fails until it does."""
    from django.urls import Resolver404, get_resolver, resolve

    checked = set()
    for shape in page_shapes():
        try:
            checked.add(resolve(shape.path.split("?")[0]).view_name)
        except Resolver404:  # the 404 page of an address that is no page at all
            assert shape.status == 404, shape
    missing = set(_url_names(get_resolver())) - NOT_PAGES - checked
    assert not missing, f"pages without a row in tests/page_shapes.py: {sorted(missing)}"
    assert not NOT_PAGES & checked, "a page listed as no page is checked after all: take it out of NOT_PAGES"
