"""The permission matrix: every URL of the site × every kind of visitor → the expected answer.

Visitors (issue 3): anonymous; a learner of the cohort; a learner of another cohort;
the trainer of the cohort; a trainer of another cohort of the same centre; the
manager of the centre; the manager of another centre; site staff.

Rules the matrix pins down:
- the reading pages (the module, its sections and slides, the hand-out) are open to all;
- pages behind a log-in send anonymous visitors to the log-in page (302);
- centre pages are for centre staff (a learner gets 403); a cohort someone may not
  see answers exactly like one that does not exist (404); a cohort someone may see
  but not change (a trainer on its settings) answers 403;
- a learner's own records (enrolment, quiz attempt, certificate PDF) are theirs only (404);
- a GET never changes data; POST-only URLs answer GET with 405; every POST needs
  the CSRF token.

A test below fails when a named URL is added to the site without a row here:
add the row with what each visitor should get.
"""
import datetime
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

pytestmark = pytest.mark.usefixtures("clear_cache")

VISITORS = [
    "anonymous",
    "learner",
    "other_learner",
    "trainer",
    "other_trainer",
    "manager",
    "other_manager",
    "site_staff",
]
LEARNERS = {"learner", "other_learner"}
STAFF = {"trainer", "other_trainer", "manager", "other_manager", "site_staff"}


def everyone(code):
    return {v: code for v in VISITORS}


def logged_in(code, anonymous=302):
    return {**everyone(code), "anonymous": anonymous}


def centre_staff(code):
    """Centre pages in general: centre staff only."""
    return {"anonymous": 302, **{v: 403 for v in LEARNERS}, **{v: code for v in STAFF}}


def cohort_staff(code):
    """A cohort's pages: its trainers, its centre's managers and site staff; the rest 404."""
    return {
        **centre_staff(code),
        "other_trainer": 404,
        "other_manager": 404,
    }


def cohort_manager(code):
    """Changing a cohort: its centre's managers and site staff; its trainer may see it (403)."""
    return {**cohort_staff(code), "trainer": 403}


def wall(code, *, learner=None):
    """A session of the idea wall: its cohort's learner and its leaders (trainer, manager, site staff); the rest 404."""
    return {
        **logged_in(404),
        "learner": code if learner is None else learner,
        "trainer": code,
        "manager": code,
        "site_staff": code,
    }


def wall_leaders(code):
    """The trainer's actions on a session: leaders only; its learner 403 (theirs to know about); the rest 404."""
    return wall(code, learner=403)


def wall_learners(code):
    """A learner's actions (post, vote, ready): the cohort's learner; leaders 403; the rest 404."""
    return {**wall(403), "learner": code}


def own(code, owner="learner"):
    """A learner's own record: theirs only, everyone else 404."""
    return {**logged_in(404), owner: code}


@pytest.fixture
def world(db, centre_factory, centre_staff_factory, cohort_factory, user_factory, build_module, slide_factory, quiz_factory):
    """One centre with two cohorts (one trainer each) and a manager; another centre with its own."""
    from accounts.models import User
    from centres import services
    from centres.models import EnrollmentBatch, Invitation, hash_token
    from progress.models import Certificate
    from quizzes.services import attempt_start

    module = build_module(sections=1, slides=2, resources=0)
    section = module.sections.get()
    draft = slide_factory(section=section, is_published=False)
    quiz = quiz_factory(section=section, questions=2)

    centre = centre_factory()
    other_centre = centre_factory()
    people = {
        "trainer": centre_staff_factory(role="trainer", centre=centre),
        "other_trainer": centre_staff_factory(role="trainer", centre=centre),
        "manager": centre_staff_factory(role="manager", centre=centre),
        "other_manager": centre_staff_factory(role="manager", centre=other_centre),
        "learner": user_factory(),
        "other_learner": user_factory(),
        "site_staff": User.objects.create_superuser(email="sitebeheer@example.org", password="x"),
    }
    cohort = cohort_factory(centre=centre, module=module, trainers=[people["trainer"]])
    other_cohort = cohort_factory(centre=centre, module=module, trainers=[people["other_trainer"]])
    cohort_factory(centre=other_centre, module=module)
    enrollment = services.enroll(cohort=cohort, user=people["learner"]).enrollment
    other_enrollment = services.enroll(cohort=other_cohort, user=people["other_learner"]).enrollment
    token = "uitnodiging-voor-iemand-zonder-account"
    invitation = Invitation.objects.create(
        cohort=cohort, email="nieuw@example.org", token_hash=hash_token(token), expires_at=timezone.now() + datetime.timedelta(days=3)
    )
    batch = EnrollmentBatch.objects.create(cohort=cohort, source="paste", rows=[])
    attempt, _ = attempt_start(quiz=quiz, user=people["learner"])
    from ideas import services as idea_services

    idea_session = idea_services.session_create(cohort=cohort, by=people["trainer"], kind="brainstorm", problem="Vraag")
    idea = idea_services.idea_post(session=idea_session, author=people["learner"], text="Een idee")
    certificate = Certificate.objects.create(
        user=people["learner"], module=module, issued_at=timezone.now(), learner_name="L", module_title=module.title
    )
    return {
        **people,
        "module": module,
        "section": section,
        "draft": draft,
        "cohort": cohort,
        "other_cohort": other_cohort,
        "enrollment": enrollment,
        "other_enrollment": other_enrollment,
        "token": token,
        "invitation": invitation,
        "batch": batch,
        "attempt": attempt,
        "certificate": certificate,
        "idea_session": idea_session,
        "idea": idea,
    }


def _cohort_form(w):
    return {
        "centre": w["cohort"].centre_id,
        "module": w["module"].pk,
        "name": "Matrixcohort",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "capacity": "10",
        "is_open": "on",
    }


def _m(w):
    return {"module_slug": w["module"].slug}


def _i(w):
    return {"pk": w["idea_session"].pk}


def _ii(w):
    return {"pk": w["idea_session"].pk, "idea_pk": w["idea"].pk}


def _s(w):
    return {**_m(w), "number": w["section"].number}


# (row id, URL name, kwargs(world), method, data(world) or None, expected per visitor)
MATRIX = [
    # The reading pages: open to everyone.
    ("home", "courses:home", lambda w: {}, "get", None, everyone(200)),
    ("healthz", "healthz", lambda w: {}, "get", None, everyone(200)),
    ("readyz", "readyz", lambda w: {}, "get", None, everyone(200)),
    ("module", "courses:module", _m, "get", None, everyone(200)),
    ("handout", "courses:handout", _m, "get", None, everyone(200)),
    ("section", "sections:section", _s, "get", None, everyone(200)),
    ("slide", "sections:slide", lambda w: {**_s(w), "position": 1}, "get", None, everyone(200)),
    ("slide-missing", "sections:slide", lambda w: {**_s(w), "position": 99}, "get", None, everyone(404)),
    # Authoring (issue 5): drafts and the editor's endpoints, for staff who edit content.
    (
        "draft-preview",
        "sections:slide_preview",
        lambda w: {**_s(w), "slug": w["draft"].slug},
        "get",
        None,
        {**everyone(404), "trainer": 200, "other_trainer": 200, "site_staff": 200},
    ),
    ("image-missing", "sections:image", lambda w: {"name": "0" * 32 + ".png"}, "get", None, everyone(404)),
    (
        "markdown-preview",
        "sections:markdown_preview",
        lambda w: {},
        "post",
        lambda w: {"content": "**vet**"},
        {**everyone(403), "trainer": 200, "other_trainer": 200, "site_staff": 200},
    ),
    (
        "markdown-upload",
        "sections:markdown_upload",
        lambda w: {},
        "post",
        lambda w: {},
        {**everyone(403), "trainer": 400, "other_trainer": 400, "site_staff": 400},
    ),
    # Quizzes and certificates (issue 4): any logged-in learner takes a quiz; attempts and PDFs are one's own.
    ("quiz", "quizzes:quiz", _s, "get", None, logged_in(200)),
    ("quiz-start", "quizzes:start", _s, "post", lambda w: {}, logged_in(302)),
    ("quiz-attempt", "quizzes:attempt", lambda w: {**_s(w), "attempt_id": w["attempt"].pk}, "get", None, own(200)),
    ("quiz-result", "quizzes:result", lambda w: {**_s(w), "attempt_id": w["attempt"].pk}, "get", None, own(302)),
    (
        "certificate-verify",
        "progress:certificate_verify",
        lambda w: {"code": w["certificate"].display_code},
        "get",
        None,
        everyone(200),
    ),
    ("certificate-unknown", "progress:certificate_verify", lambda w: {"code": "ONBEKEND"}, "get", None, everyone(404)),
    ("certificate-pdf", "progress:certificate_pdf", lambda w: {"code": w["certificate"].display_code}, "get", None, own(200)),
    # Issue 9.5: the completion page is for a learner who completed the module; nobody here has (302 to the overview).
    ("completion", "progress:completion", lambda w: {"module_slug": w["module"].slug}, "get", None, everyone(302)),
    # Accounts (allauth and the profile).
    ("login", "account_login", lambda w: {}, "get", None, logged_in(302, anonymous=200)),
    ("signup", "account_signup", lambda w: {}, "get", None, logged_in(302, anonymous=200)),
    ("logout-get", "account_logout", lambda w: {}, "get", None, logged_in(200)),
    ("logout-post", "account_logout", lambda w: {}, "post", lambda w: {}, everyone(302)),
    ("email", "account_email", lambda w: {}, "get", None, logged_in(200)),
    ("verification-sent", "account_email_verification_sent", lambda w: {}, "get", None, everyone(200)),
    ("confirm-email-bad-key", "account_confirm_email", lambda w: {"key": "onzin"}, "get", None, everyone(200)),
    ("password-change", "account_change_password", lambda w: {}, "get", None, logged_in(200)),
    ("password-set", "account_set_password", lambda w: {}, "get", None, logged_in(302)),
    ("password-reset", "account_reset_password", lambda w: {}, "get", None, everyone(200)),
    ("password-reset-done", "account_reset_password_done", lambda w: {}, "get", None, everyone(200)),
    (
        "password-reset-bad-key",
        "account_reset_password_from_key",
        lambda w: {"uidb36": "zz", "key": "onzin"},
        "get",
        None,
        everyone(200),
    ),
    ("password-reset-key-done", "account_reset_password_from_key_done", lambda w: {}, "get", None, everyone(200)),
    ("inactive", "account_inactive", lambda w: {}, "get", None, everyone(200)),
    ("reauthenticate", "account_reauthenticate", lambda w: {}, "get", None, logged_in(200)),
    # allauth's re-authentication by a code mailed to the account's own address (site staff here
    # have no allauth address record, so allauth sends them back); confirming without a code pending redirects.
    (
        "reauthenticate-code",
        "account_request_reauthentication_code",
        lambda w: {},
        "get",
        None,
        {**logged_in(200), "site_staff": 302},
    ),
    ("reauthenticate-code-confirm", "account_confirm_reauthentication_code", lambda w: {}, "get", None, everyone(302)),
    ("login-code-confirm", "account_confirm_login_code", lambda w: {}, "get", None, logged_in(302, anonymous=302)),
    ("profile", "accounts:profile", lambda w: {}, "get", None, logged_in(200)),
    ("profile-post", "accounts:profile", lambda w: {}, "post", lambda w: {"name": "Nieuwe naam"}, logged_in(302)),
    ("dashboard", "dashboard", lambda w: {}, "get", None, logged_in(200)),
    # Joining and invitations.
    ("join", "centres:join", lambda w: {"code": w["cohort"].join_code}, "get", None, everyone(200)),
    ("join-post", "centres:join", lambda w: {"code": w["cohort"].join_code}, "post", lambda w: {}, everyone(302)),
    ("join-unknown", "centres:join", lambda w: {"code": "ONBEKEND"}, "get", None, everyone(404)),
    ("invitation", "centres:invitation", lambda w: {"token": w["token"]}, "get", None, logged_in(403, anonymous=200)),
    (
        "invitation-post",
        "centres:invitation",
        lambda w: {"token": w["token"]},
        "post",
        lambda w: {"name": "Nieuw", "password1": "Lang-en-sterk-2026", "password2": "Lang-en-sterk-2026"},
        logged_in(403, anonymous=302),
    ),
    ("invitation-unknown", "centres:invitation", lambda w: {"token": "onzin"}, "get", None, everyone(404)),
    ("enrollment", "centres:enrollment", lambda w: {"pk": w["enrollment"].pk}, "get", None, own(200)),
    ("enrollment-missing", "centres:enrollment", lambda w: {"pk": 999999}, "get", None, logged_in(404)),
    # Centre pages.
    ("centre-home", "centres:home", lambda w: {}, "get", None, centre_staff(200)),
    (
        "cohort-create",
        "centres:cohort_create",
        lambda w: {},
        "get",
        None,
        {**centre_staff(200), "trainer": 403, "other_trainer": 403},
    ),
    (
        "cohort-create-post",
        "centres:cohort_create",
        lambda w: {},
        "post",
        _cohort_form,
        # Another centre's manager gets the form back: this centre is not one of theirs to choose.
        {**centre_staff(302), "trainer": 403, "other_trainer": 403, "other_manager": 200},
    ),
    ("cohort", "centres:cohort_detail", lambda w: {"pk": w["cohort"].pk}, "get", None, cohort_staff(200)),
    (
        "cohort-missing",
        "centres:cohort_detail",
        lambda w: {"pk": 999999},
        "get",
        None,
        {**centre_staff(404)},
    ),
    ("cohort-edit", "centres:cohort_edit", lambda w: {"pk": w["cohort"].pk}, "get", None, cohort_manager(200)),
    (
        "cohort-edit-post",
        "centres:cohort_edit",
        lambda w: {"pk": w["cohort"].pk},
        "post",
        lambda w: {k: v for k, v in _cohort_form(w).items() if k != "centre"},
        cohort_manager(302),
    ),
    (
        "cohort-edit-missing",
        "centres:cohort_edit",
        lambda w: {"pk": 999999},
        "get",
        None,
        centre_staff(404),
    ),
    (
        "regenerate-code",
        "centres:cohort_regenerate_code",
        lambda w: {"pk": w["cohort"].pk},
        "post",
        lambda w: {},
        cohort_manager(302),
    ),
    # Outcome reports (issue 16): centre staff report on the cohorts they may see; a learner finds nothing
    # (404, like a cohort that is not theirs); the programme report is for site staff only.
    *[
        (f"report-{name}", f"reports:{name}", lambda w: {}, "get", None, {**centre_staff(200), **{v: 404 for v in LEARNERS}})
        for name in ("centre", "centre_csv", "centre_xlsx")
    ],
    *[
        (f"report-{name}", f"reports:{name}", lambda w: {}, "get", None, {**logged_in(404), "site_staff": 200})
        for name in ("programme", "programme_csv", "programme_xlsx")
    ],
    ("bulk", "centres:bulk_enroll", lambda w: {"pk": w["cohort"].pk}, "get", None, cohort_staff(200)),
    (
        "bulk-post",
        "centres:bulk_enroll",
        lambda w: {"pk": w["cohort"].pk},
        "post",
        lambda w: {"addresses": "iemand@example.org"},
        cohort_staff(302),
    ),
    (
        "batch-report",
        "centres:batch_report",
        lambda w: {"pk": w["cohort"].pk, "batch_pk": w["batch"].pk},
        "get",
        None,
        cohort_staff(200),
    ),
    (
        "batch-report-through-other-cohort",
        "centres:batch_report",
        lambda w: {"pk": w["other_cohort"].pk, "batch_pk": w["batch"].pk},
        "get",
        None,
        {**centre_staff(404), "trainer": 404},
    ),
    (
        "invitation-resend",
        "centres:invitation_resend",
        lambda w: {"pk": w["cohort"].pk, "invitation_pk": w["invitation"].pk},
        "post",
        lambda w: {},
        cohort_staff(302),
    ),
    (
        "enrollment-status",
        "centres:enrollment_status",
        lambda w: {"pk": w["cohort"].pk, "enrollment_pk": w["enrollment"].pk},
        "post",
        lambda w: {"status": "withdrawn"},
        cohort_staff(302),
    ),
    (
        "enrollment-status-other-cohorts-learner",
        "centres:enrollment_status",
        lambda w: {"pk": w["cohort"].pk, "enrollment_pk": w["other_enrollment"].pk},
        "post",
        lambda w: {"status": "withdrawn"},
        cohort_staff(404),
    ),
    # The cohort dashboard (issue 5): the cohort's trainers, its centre's managers, site staff.
    ("dashboard-cohort", "dashboards:cohort", lambda w: {"pk": w["cohort"].pk}, "get", None, cohort_staff(200)),
    ("dashboard-cohort-missing", "dashboards:cohort", lambda w: {"pk": 999999}, "get", None, centre_staff(404)),
    ("dashboard-export", "dashboards:export", lambda w: {"pk": w["cohort"].pk}, "get", None, cohort_staff(200)),
    ("dashboard-export-missing", "dashboards:export", lambda w: {"pk": 999999}, "get", None, centre_staff(404)),
    ("dashboard-reminder", "dashboards:reminder", lambda w: {"pk": w["cohort"].pk}, "get", None, cohort_staff(200)),
    (
        "dashboard-reminder-post",
        "dashboards:reminder",
        lambda w: {"pk": w["cohort"].pk},
        "post",
        lambda w: {"dagen": "7"},
        cohort_staff(302),
    ),
    # A learner's quiz attempts and "Pogingen herstellen" (issue 10): the cohort's staff, for its own learners.
    (
        "dashboard-attempts",
        "dashboards:attempts",
        lambda w: {"pk": w["cohort"].pk, "user_id": w["learner"].pk},
        "get",
        None,
        cohort_staff(200),
    ),
    (
        "dashboard-attempts-other-cohorts-learner",
        "dashboards:attempts",
        lambda w: {"pk": w["cohort"].pk, "user_id": w["other_learner"].pk},
        "get",
        None,
        cohort_staff(404),
    ),
    (
        "dashboard-attempts-reset",
        "dashboards:attempts_reset",
        lambda w: {"pk": w["cohort"].pk, "user_id": w["learner"].pk, "number": 1},
        "post",
        lambda w: {},
        cohort_staff(302),
    ),
    (
        "dashboard-attempts-reset-no-quiz",
        "dashboards:attempts_reset",
        lambda w: {"pk": w["cohort"].pk, "user_id": w["learner"].pk, "number": 9},
        "post",
        lambda w: {},
        cohort_staff(404),
    ),

    # Issue 9.11: one learner's page for their trainer, and a reminder for that learner alone.
    ("dashboard-learner", "dashboards:learner", lambda w: {"pk": w["cohort"].pk, "enrollment_pk": w["enrollment"].pk},
     "get", None, cohort_staff(200)),
    ("dashboard-learner-missing", "dashboards:learner", lambda w: {"pk": w["cohort"].pk, "enrollment_pk": 999999},
     "get", None, cohort_staff(404)),
    ("dashboard-learner-remind", "dashboards:learner_remind",
     lambda w: {"pk": w["cohort"].pk, "enrollment_pk": w["enrollment"].pk}, "post", lambda w: {}, cohort_staff(302)),
    # The admin: staff accounts only (trainers for content, site staff); managers don't need it.
    (
        "admin",
        "admin:index",
        lambda w: {},
        "get",
        None,
        {**everyone(302), "trainer": 200, "other_trainer": 200, "site_staff": 200},
    ),
    # The idea wall (issue 14): a session is for its cohort's learners and leaders only.
    ("ideas-mine", "ideas:mine", lambda w: {}, "get", None, logged_in(200)),
    ("ideas-cohort", "ideas:cohort", lambda w: {"pk": w["cohort"].pk}, "get", None, cohort_staff(200)),
    (
        "ideas-cohort-post",
        "ideas:cohort",
        lambda w: {"pk": w["cohort"].pk},
        "post",
        lambda w: {"kind": "brainstorm", "problem": "Nog een vraag", "goal": "20", "dot_budget": "5"},
        cohort_staff(302),
    ),
    ("ideas-session", "ideas:session", _i, "get", None, wall(200)),
    ("ideas-session-missing", "ideas:session", lambda w: {"pk": 999999}, "get", None, logged_in(404)),
    # Polling: no log-in redirect for a script (and no user row loaded before the ETag check): 404.
    ("ideas-live", "ideas:live", _i, "get", None, {**wall(200), "anonymous": 404}),
    ("ideas-print", "ideas:print", _i, "get", None, wall(200)),
    ("ideas-export", "ideas:export", _i, "get", None, wall_leaders(200)),
    ("ideas-post", "ideas:post", _i, "post", lambda w: {"text": "Nog een idee"}, wall_learners(302)),
    ("ideas-ready", "ideas:ready", _i, "post", lambda w: {"klaar": "ja"}, wall_learners(302)),
    ("ideas-vote", "ideas:vote", _ii, "post", lambda w: {}, wall_learners(302)),
    ("ideas-phase", "ideas:phase", _i, "post", lambda w: {"to": "reveal"}, wall_leaders(302)),
    (
        "ideas-moderate",
        "ideas:moderate",
        _ii,
        "post",
        lambda w: {"actie": "verbergen", "reason": "Dubbel"},
        wall_leaders(302),
    ),
    ("ideas-clusters", "ideas:clusters", _i, "post", lambda w: {"name": "Reizen"}, wall_leaders(302)),
    ("ideas-next-steps", "ideas:next_steps", _i, "post", lambda w: {"next_steps": "Verder"}, wall_leaders(302)),
    # Search (issue 15): the search page is open to all; the zero-result queries are for staff (trainers, site staff).
    ("search", "search:search", lambda w: {}, "get", None, everyone(200)),
    (
        "search-zero-results",
        "search:zero_results",
        lambda w: {},
        "get",
        None,
        {**logged_in(403), "trainer": 200, "other_trainer": 200, "site_staff": 200},
    ),
    # Consent (issue 13): a learner leaves a cohort themselves; only their own enrolment.
    ("enrollment-leave", "centres:enrollment_leave", lambda w: {"pk": w["enrollment"].pk}, "post", lambda w: {}, own(302)),
    ("set-language", "set_language", lambda w: {}, "post", lambda w: {"language": "en", "next": "/"}, everyone(302)),
    # The language links (issue 11): a GET that sets the language cookie and returns to the page.
    ("language", "language", lambda w: {"code": "en"}, "get", None, everyone(302)),
    ("language-unknown", "language", lambda w: {"code": "xx"}, "get", None, everyone(404)),
]

# Named URLs that the matrix leaves out, with the reason.
NOT_IN_MATRIX = {
    # The admin's own pages: Django's, behind admin:index which is in the matrix.
}


def _named_urls():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return {name for name in walk(get_resolver().url_patterns) if not name.startswith("admin:") or name == "admin:index"}


def test_every_named_url_of_the_site_is_in_the_matrix(db):
    covered = {row[1] for row in MATRIX} | set(NOT_IN_MATRIX)
    missing = sorted(_named_urls() - covered)
    assert not missing, f"URLs without a row in the permission matrix (tests/test_permissions.py): {missing}"


def _state():
    """What a GET must never change."""
    from accounts.models import User
    from centres.models import Cohort, Enrollment, EnrollmentBatch, Invitation
    from dashboards.models import Reminder
    from ideas.models import Idea, Participant, Session

    return (
        User.objects.count(),
        Cohort.objects.count(),
        list(Cohort.objects.order_by("pk").values_list("join_code", "name", "is_open")),
        list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        list(Invitation.objects.order_by("pk").values_list("pk", "accepted_at")),
        EnrollmentBatch.objects.count(),
        Reminder.objects.count(),
        list(Session.objects.order_by("pk").values_list("pk", "version", "phase")),
        list(Idea.objects.order_by("pk").values_list("pk", "is_hidden", "cluster_id")),
        Participant.objects.count(),
    )


CASES = [(row, visitor) for row in MATRIX for visitor in VISITORS]


@pytest.mark.parametrize("row, visitor", CASES, ids=[f"{row[0]}-{visitor}" for row, visitor in CASES])
def test_permission_matrix(client, world, row, visitor):
    row_id, url_name, kwargs, method, data, expected = row
    if visitor != "anonymous":
        client.force_login(world[visitor])
    url = reverse(url_name, kwargs=kwargs(world))
    before = _state() if method == "get" else None
    response = getattr(client, method)(url, data(world) if data else None)
    assert response.status_code == expected[visitor], (
        f"{row_id}: {method.upper()} {url} as {visitor} gave {response.status_code}, expected {expected[visitor]}"
    )
    if visitor == "anonymous" and method == "get" and expected[visitor] == 302 and row_id not in {"admin", "logout-get", "language"}:
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    if before is not None:
        assert _state() == before, f"GET {url} as {visitor} changed data"


def _page(response):
    """The page without its per-response CSRF tokens and without the URL it was asked for."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    html = re.sub(r'name="next" type="hidden" value="[^"]+"', "", html)
    return re.sub(r'\?next=[^"]+"', '"', html)  # the language links (config.language)


@pytest.mark.parametrize(
    "visitor, url_name, theirs, mine_missing",
    [
        ("other_trainer", "centres:cohort_detail", lambda w: [w["cohort"].pk], [999999]),
        ("other_manager", "centres:cohort_detail", lambda w: [w["cohort"].pk], [999999]),
        ("other_manager", "centres:bulk_enroll", lambda w: [w["cohort"].pk], [999999]),
        ("other_trainer", "dashboards:cohort", lambda w: [w["cohort"].pk], [999999]),
        ("other_manager", "dashboards:export", lambda w: [w["cohort"].pk], [999999]),
        ("other_trainer", "dashboards:reminder", lambda w: [w["cohort"].pk], [999999]),
        ("other_manager", "dashboards:attempts", lambda w: [w["cohort"].pk, w["learner"].pk], [999999, 1]),
        ("other_learner", "centres:enrollment", lambda w: [w["enrollment"].pk], [999999]),
        ("other_learner", "ideas:session", lambda w: [w["idea_session"].pk], [999999]),
        ("other_trainer", "ideas:print", lambda w: [w["idea_session"].pk], [999999]),
        ("other_manager", "ideas:export", lambda w: [w["idea_session"].pk], [999999]),
        ("other_learner", "ideas:live", lambda w: [w["idea_session"].pk], [999999]),
    ],
)
def test_missing_and_not_yours_give_the_very_same_404(client, world, visitor, url_name, theirs, mine_missing):
    """Someone can't tell a cohort or enrolment that exists from one that doesn't."""
    client.force_login(world[visitor])
    not_mine = client.get(reverse(url_name, args=theirs(world)))
    missing = client.get(reverse(url_name, args=mine_missing))
    assert not_mine.status_code == missing.status_code == 404
    assert _page(not_mine) == _page(missing)


POST_ROWS = [row for row in MATRIX if row[3] == "post" and row[1] != "set_language"]
# The visitor for whom each POST succeeds: CSRF must stop them without the token.
ALLOWED = {
    "sections:markdown_preview": "trainer",
    "sections:markdown_upload": "trainer",
    "quizzes:start": "learner",
    "account_logout": "learner",
    "accounts:profile": "learner",
    "centres:join": "other_learner",
    "centres:invitation": "anonymous",
    "centres:cohort_create": "manager",
    "centres:cohort_edit": "manager",
    "centres:cohort_regenerate_code": "manager",
    "centres:bulk_enroll": "trainer",
    "centres:enrollment_status": "trainer",
    "dashboards:reminder": "trainer",
    "dashboards:attempts_reset": "trainer",

    "dashboards:learner_remind": "trainer",
    "centres:invitation_resend": "manager",
    "ideas:cohort": "trainer",
    "ideas:post": "learner",
    "ideas:ready": "learner",
    "ideas:vote": "learner",
    "ideas:phase": "trainer",
    "ideas:moderate": "trainer",
    "ideas:clusters": "trainer",
    "ideas:next_steps": "trainer",
    "centres:enrollment_leave": "learner",
}


@pytest.mark.parametrize("row", POST_ROWS, ids=[row[0] for row in POST_ROWS])
def test_every_post_needs_the_csrf_token(world, row):
    row_id, url_name, kwargs, _method, data, _expected = row
    client = Client(enforce_csrf_checks=True)
    visitor = ALLOWED[url_name]
    if visitor != "anonymous":
        client.force_login(world[visitor])
    before = _state()
    response = client.post(reverse(url_name, kwargs=kwargs(world)), data(world) if data else {})
    assert response.status_code == 403, f"{row_id} accepted a POST without a CSRF token"
    assert _state() == before


POST_ONLY = [
    ("centres:cohort_regenerate_code", lambda w: {"pk": w["cohort"].pk}),
    ("centres:invitation_resend", lambda w: {"pk": w["cohort"].pk, "invitation_pk": w["invitation"].pk}),
    ("centres:enrollment_status", lambda w: {"pk": w["cohort"].pk, "enrollment_pk": w["enrollment"].pk}),
    ("quizzes:start", _s),
    ("centres:enrollment_leave", lambda w: {"pk": w["enrollment"].pk}),
    ("sections:markdown_preview", lambda w: {}),
    ("sections:markdown_upload", lambda w: {}),
    ("ideas:post", _i),
    ("ideas:ready", _i),
    ("ideas:vote", _ii),
    ("ideas:phase", _i),
    ("ideas:moderate", _ii),
    ("ideas:clusters", _i),
    ("ideas:next_steps", _i),
]


@pytest.mark.parametrize("url_name, kwargs", POST_ONLY, ids=[name for name, _ in POST_ONLY])
def test_post_only_urls_answer_get_with_405(client, world, url_name, kwargs):
    client.force_login(world["site_staff"])
    before = _state()
    assert client.get(reverse(url_name, kwargs=kwargs(world))).status_code == 405
    assert _state() == before


def test_quiz_start_answers_get_with_405_even_when_anonymous(client, world):
    """Starting an attempt is a POST for everyone: a GET is refused before any log-in redirect."""
    assert client.get(reverse("quizzes:start", kwargs=_s(world))).status_code == 405


def test_consent_invited_but_not_accepted_is_not_visible(client, world, mailoutbox):
    """Issue 13, finding 1: staff of a cohort put an existing learner of another cohort on their
    bulk list. Until the learner accepts, nothing of theirs shows on the cohort's pages or CSV;
    the report reads as for an unknown address. After accepting, they are on the cohort."""
    from centres import services
    from centres.models import Invitation

    learner = world["other_learner"]  # enrolled in other_cohort only
    learner.company_name = "Geheime Bakkerij BV"
    learner.save()
    cohort = world["cohort"]
    client.force_login(world["trainer"])
    response = client.post(reverse("centres:bulk_enroll", args=[cohort.pk]),
                           {"addresses": f"{learner.email}\nonbekend@example.org"})
    batch = cohort.batches.latest("created_at")
    assert [row["outcome"] for row in batch.rows] == ["invited", "invited"]
    report = client.get(response["Location"]).content.decode()
    rows = {email: next(tr for tr in re.findall(r"<tr.*?</tr>", report, re.S) if email in tr)
            for email in (learner.email, "onbekend@example.org")}
    assert "uitnodiging verstuurd" in rows[learner.email]
    # The same words for an address with an account as for one without: no way to test for accounts.
    same = [re.sub(r"\s+", " ", re.sub(r"<t[dh][^>]*>[^<]*@[^<]*</t[dh]>|Regel \d+|<t[dh][^>]*>\d+</t[dh]>", "", tr))
            for tr in rows.values()]
    assert same[0] == same[1], same
    pages = [
        reverse("centres:cohort_detail", args=[cohort.pk]),
        reverse("dashboards:cohort", args=[cohort.pk]),
        reverse("dashboards:export", args=[cohort.pk]),
    ]
    for viewer in ("trainer", "manager"):
        client.force_login(world[viewer])
        for url in pages:
            page = client.get(url).content.decode()
            assert learner.name not in page and "Geheime Bakkerij" not in page, (viewer, url)

    invitation = Invitation.objects.get(cohort=cohort, email=learner.email)
    services.accept_invitation(invitation=invitation, user=learner)
    client.force_login(world["trainer"])
    assert learner.name in client.get(reverse("centres:cohort_detail", args=[cohort.pk])).content.decode()

    # And the learner can leave again: then staff see nothing of theirs any more.
    enrollment = cohort.enrollments.get(user=learner)
    client.force_login(learner)
    assert client.post(reverse("centres:enrollment_leave", args=[enrollment.pk])).status_code == 302
    client.force_login(world["trainer"])
    for url in pages:
        assert learner.name not in client.get(url).content.decode(), url


def test_matrix_size():
    """The matrix is what the issue asks for: every URL × all eight kinds of visitor."""
    assert len(VISITORS) == 8
    assert len(CASES) == len(MATRIX) * 8
