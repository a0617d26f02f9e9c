"""Every page shape of the site passes the Nu Html Checker (vnu-jar, the W3C validator) with no errors.

The pages are fetched through the test client as the people who see them (a visitor, a learner at
different stages, a trainer, a manager) from the demo world `make run` builds (the module, its
quizzes, the demo accounts and their activity), written to files, and checked in one run of the
checker (one Java start for all of them). vnu-jar comes from npm (package.json; `make install-test`
installs it). Without Java or the jar the test is skipped with a reason; in CI (CI=true) that fails.
The Django admin's own pages are Django's and are left out.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import IN_CI

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


def _client(email=None):
    from accounts.models import User

    client = Client()
    if email:
        client.force_login(User.objects.get(email=email))
    return client


def _pages():
    """(name, client, path, expected status) for every page shape."""
    from centres.models import Cohort, Enrollment
    from courses.models import Module
    from progress.models import Certificate
    from quizzes import services as quiz_services
    from quizzes.models import Attempt
    from sections.models import Slide

    module = Module.objects.get()
    cohort = Cohort.objects.get(join_code="DEMO2026")
    closed = Cohort.objects.get(join_code="DEMONJ26")
    certificate = Certificate.objects.get(user__email="els@example.org")
    fatima = Enrollment.objects.get(cohort=cohort, user__email="fatima@example.org")
    failed = Attempt.objects.filter(user__email="koen@example.org", passed=False).first()
    passed = Attempt.objects.filter(user__email="els@example.org", passed=True).first()
    open_attempt, _ = quiz_services.attempt_start(quiz=module.sections.get(number=1).quiz,
                                                  user=Enrollment.objects.get(cohort=cohort, user__email="noor@example.org").user)
    anonymous, els, koen, noor = _client(), _client("els@example.org"), _client("koen@example.org"), _client("noor@example.org")
    trainer, manager = _client("trainer@example.org"), _client("manager@example.org")
    from accounts.models import User

    User.objects.create_user(email="nieuw@example.org", password="Nieuw-wachtwoord-2026", name="Nieuw")
    newcomer = _client("nieuw@example.org")

    pages = [
        ("home", anonymous, "/", 200),
        ("handout", anonymous, reverse("courses:handout", args=[module.slug]), 200),
        ("join", anonymous, cohort.get_join_url(), 200),
        ("join-closed", anonymous, closed.get_join_url(), 200),
        ("join-unknown", anonymous, "/deelnemen/BESTAATNIET/", 404),
        ("not-found", anonymous, "/bestaat-niet/", 404),
        ("login", anonymous, reverse("account_login"), 200),
        ("login-join", anonymous, reverse("account_login") + f"?next={cohort.get_join_url()}", 200),
        ("signup", anonymous, reverse("account_signup"), 200),
        ("signup-join", anonymous, reverse("account_signup") + f"?next={cohort.get_join_url()}", 200),
        ("password-reset", anonymous, reverse("account_reset_password"), 200),
        ("verification-sent", anonymous, reverse("account_email_verification_sent"), 200),
        ("confirm-bad-key", anonymous, reverse("account_confirm_email", args=["onzin"]), 200),
        ("certificate-verify", anonymous, certificate.get_absolute_url(), 200),
    ]
    for section in module.sections.order_by("number"):
        pages.append((f"section-{section.number}", anonymous, section.get_absolute_url(), 200))
    for kind, _label in Slide.Kind.choices:
        slide = Slide.objects.filter(section__module=module, kind=kind).select_related("section__module").in_module_order().first()
        pages.append((f"slide-{kind}", anonymous, slide.get_absolute_url(), 200))
    step = Slide.objects.get(slug="sprint-02-definieer")
    last_of_two = Slide.objects.filter(section__module=module, section__number=2).for_learners().order_by("-position").first()
    pages += [
        ("slide-step-diagram", anonymous, step.get_absolute_url(), 200),
        ("learner-home-empty", newcomer, reverse("dashboard"), 200),
        ("learner-profile", newcomer, reverse("accounts:profile"), 200),
        ("learner-email", newcomer, reverse("account_email"), 200),
        ("learner-password", newcomer, reverse("account_change_password"), 200),
        ("join-logged-in", newcomer, cohort.get_join_url(), 200),
        ("learner-home-busy", koen, reverse("dashboard"), 200),
        ("learner-overview-busy", koen, module.get_absolute_url(), 200),
        ("learner-section", koen, module.sections.get(number=2).get_absolute_url(), 200),
        ("learner-slide-quiz-first", koen, f"/module/{module.slug}/sectie/2/slide/{last_of_two.position}/", 200),
        ("learner-quiz", koen, module.sections.get(number=2).quiz.get_absolute_url(), 200),
        ("learner-result-failed", koen, failed.get_absolute_url(), 200),
        ("learner-attempt", noor, open_attempt.get_absolute_url(), 200),
        ("learner-enrollment", els, reverse("centres:enrollment", args=[Enrollment.objects.get(cohort=cohort, user__email="els@example.org").pk]), 200),
        ("learner-home-finished", els, reverse("dashboard"), 200),
        ("learner-overview-finished", els, module.get_absolute_url(), 200),
        ("learner-result-passed", els, passed.get_absolute_url(), 200),
        ("learner-completion", els, reverse("progress:completion", args=[module.slug]), 200),
        ("trainer-centre", trainer, reverse("centres:home"), 200),
        ("trainer-learner-home", trainer, reverse("dashboard"), 200),
        ("trainer-cohort", trainer, cohort.get_absolute_url(), 200),
        ("trainer-bulk", trainer, reverse("centres:bulk_enroll", args=[cohort.pk]), 200),
        ("trainer-dashboard", trainer, reverse("dashboards:cohort", args=[cohort.pk]), 200),
        ("trainer-dashboard-stuck", trainer, reverse("dashboards:cohort", args=[cohort.pk]) + "?toon=vastgelopen", 200),
        ("trainer-reminder", trainer, reverse("dashboards:reminder", args=[cohort.pk]), 200),
        ("trainer-learner", trainer, reverse("dashboards:learner", args=[cohort.pk, fatima.pk]), 200),
        ("manager-centre", manager, reverse("centres:home"), 200),
        ("manager-cohort-new", manager, reverse("centres:cohort_create"), 200),
        ("manager-cohort-edit", manager, reverse("centres:cohort_edit", args=[cohort.pk]), 200),
    ]
    return pages


@pytest.fixture
def demo_world(db):
    call_command("loaddata", "module6", "module6_quizzes", "demo", verbosity=0)
    call_command("load_demo_activity", verbosity=0)


def test_every_page_shape_passes_the_nu_html_checker(demo_world, tmp_path):
    _need_checker()
    files = {}
    for name, client, path, status in _pages():
        response = client.get(path)
        assert response.status_code == status, (name, path, response.status_code)
        target = tmp_path / f"{name}.html"
        target.write_bytes(response.content)
        files[str(target)] = (name, path)
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
    assert len(files) >= 50
