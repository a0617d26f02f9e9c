"""Every page shape of the site, as the people who see it: one list for the Nu Html Checker
(tests/test_html_validity.py, through the test client) and for axe-core in Chromium
(tests/browser/test_accessibility.py, through the live server).

The pages come from the demo world `make run` builds (the module, its quizzes, the demo accounts
and their activity, see ``load_demo_world``), plus what the demo does not make by itself (a
newcomer without a cohort, an open quiz attempt, idea walls in three phases, invitations, a bulk
enrolment report), made here through the project's own services. ``page_shapes()`` returns
``PageShape`` rows; ``who`` is the e-mail address of the person who opens the page (None: a
visitor). Add a row here for every new page: both checkers then see it.
"""
import datetime
from typing import NamedTuple

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

# The people of the demo world who open the pages.
VISITOR = None
NEWCOMER = "nieuw@example.org"  # signed up, no cohort yet
BUSY = "koen@example.org"  # half-way, with a failed attempt
NOOR = "noor@example.org"  # a quiz attempt open
FINISHED = "els@example.org"  # finished, with a certificate
LEARNER = "fatima@example.org"
TRAINER = "trainer@example.org"
MANAGER = "manager@example.org"
SITE_STAFF = "beheer@example.org"
INVITED_MEMBER = "an@example.org"  # has an account; invited to the autumn cohort

INVITATION_NEW = "uitnodiging-voor-iemand-zonder-account"
INVITATION_MEMBER = "uitnodiging-voor-iemand-met-een-account"


class PageShape(NamedTuple):
    name: str
    who: str | None
    path: str
    status: int


def load_demo_world():
    call_command("loaddata", "module6", "module6_quizzes", "demo", verbosity=0)
    call_command("load_demo_activity", verbosity=0)
    call_command("createinitialrevisions", "sections.Slide", "quizzes.Quiz", comment="Eerste versie", verbosity=0)


def _invite(*, cohort, email, name, company, token, by):
    from centres.models import Invitation, hash_token

    return Invitation.objects.create(
        cohort=cohort, email=email, name=name, company_name=company, token_hash=hash_token(token),
        invited_by=by, expires_at=timezone.now() + datetime.timedelta(days=14),
    )


def _idea_walls(cohort, trainer, learners):
    """One brainstorm while collecting, one at the vote, one icebreaker at its actions: the wall's shapes."""
    from ideas import services
    from ideas.models import Kind, Phase

    collecting = services.session_create(cohort=cohort, by=trainer, kind=Kind.BRAINSTORM,
                                         problem="Hoe vinden we samen een nieuwe afzetmarkt?")
    voting = services.session_create(cohort=cohort, by=trainer, kind=Kind.BRAINSTORM,
                                     problem="Welke partner spreken we eerst aan?")
    worst = services.session_create(cohort=cohort, by=trainer, kind=Kind.WORST_IDEA,
                                    problem="Hoe jagen we onze klanten weg?")
    for session in (collecting, voting, worst):
        for n, learner in enumerate(learners):
            services.idea_post(session=session, author=learner, text=f"Idee {n + 1} van {learner.name}",
                               is_wild=n == 1, is_anonymous=n == 2)
    for to in (Phase.REVEAL, Phase.BUILD, Phase.CLUSTER, Phase.VOTE):
        voting = services.phase_move(session=voting, by=trainer, to=to)
    for to in (Phase.REVEAL, Phase.BUILD, Phase.CLUSTER, Phase.VOTE, Phase.ACTIONS):
        worst = services.phase_move(session=worst, by=trainer, to=to)
    return collecting, voting, worst


def page_shapes() -> list[PageShape]:
    """Every page shape; call after ``load_demo_world()`` (it adds a few rows of its own)."""
    from reversion.models import Version

    from accounts.models import User
    from centres import bulk
    from centres.models import Cohort, Enrollment
    from courses.models import Module
    from progress.models import Certificate
    from quizzes import services as quiz_services
    from quizzes.models import Attempt, Quiz
    from sections.models import Slide

    module = Module.objects.get()
    cohort = Cohort.objects.get(join_code="DEMO2026")
    closed = Cohort.objects.get(join_code="DEMONJ26")
    certificate = Certificate.objects.get(user__email=FINISHED)
    fatima = Enrollment.objects.get(cohort=cohort, user__email=LEARNER)
    els = Enrollment.objects.get(cohort=cohort, user__email=FINISHED)
    koen = Enrollment.objects.get(cohort=cohort, user__email=BUSY)
    failed = Attempt.objects.filter(user__email=BUSY, passed=False).first()
    passed = Attempt.objects.filter(user__email=FINISHED, passed=True).first()
    open_attempt, _ = quiz_services.attempt_start(quiz=module.sections.get(number=1).quiz,
                                                  user=User.objects.get(email=NOOR))
    User.objects.create_user(email=NEWCOMER, password="Nieuw-wachtwoord-2026", name="Nieuw")
    trainer, manager = User.objects.get(email=TRAINER), User.objects.get(email=MANAGER)
    _invite(cohort=cohort, email="iemand.nieuw@example.org", name="Iemand Nieuw", company="Nieuw BV",
            token=INVITATION_NEW, by=manager)
    _invite(cohort=closed, email=INVITED_MEMBER, name="An", company="Bakkerij De Vries",
            token=INVITATION_MEMBER, by=manager)
    batch = bulk.bulk_enroll(
        cohort=cohort, by=manager, source="paste", build_url=lambda path: "http://testserver" + path,
        rows=[bulk.BulkRow(line=1, email="lijst@example.org", name="Lies Lijst", company="Lijst BV"),
              bulk.BulkRow(line=2, email="geen-adres", error="bad_address"),
              bulk.BulkRow(line=3, email=FINISHED)],
    )
    learners = [e.user for e in Enrollment.objects.filter(cohort=cohort).select_related("user").order_by("pk")[:3]]
    collecting, voting, worst = _idea_walls(cohort, trainer, learners)
    wall_learner = learners[0].email

    last = Slide.objects.filter(section__number=1, section__module=module).order_by("-position").first()
    draft = Slide.objects.create(section=last.section, position=last.position + 1, slug="concept-slide", kind=Slide.Kind.CONTENT,
                                 title="Een slide in concept", body="Nog niet **gepubliceerd**.", is_published=False)
    dashboard = reverse("dashboards:cohort", args=[cohort.pk])
    slide = Slide.objects.filter(section__module=module).in_module_order().first()
    quiz = Quiz.objects.filter(section__module=module).order_by("section__number").first()

    def admin(model, *parts):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{parts[0]}", args=parts[1:])

    pages = [
        # Visitors: the open pages, the account pages and the errors.
        PageShape("home", VISITOR, "/", 200),
        PageShape("handout", VISITOR, reverse("courses:handout", args=[module.slug]), 200),
        PageShape("overview", VISITOR, module.get_absolute_url(), 200),
        PageShape("join", VISITOR, cohort.get_join_url(), 200),
        PageShape("join-closed", VISITOR, closed.get_join_url(), 200),
        PageShape("join-unknown", VISITOR, "/deelnemen/BESTAATNIET/", 404),
        PageShape("not-found", VISITOR, "/bestaat-niet/", 404),
        PageShape("login", VISITOR, reverse("account_login"), 200),
        PageShape("login-join", VISITOR, reverse("account_login") + f"?next={cohort.get_join_url()}", 200),
        PageShape("signup", VISITOR, reverse("account_signup"), 200),
        PageShape("signup-join", VISITOR, reverse("account_signup") + f"?next={cohort.get_join_url()}", 200),
        PageShape("password-reset", VISITOR, reverse("account_reset_password"), 200),
        PageShape("password-reset-done", VISITOR, reverse("account_reset_password_done"), 200),
        PageShape("password-reset-key-done", VISITOR, reverse("account_reset_password_from_key_done"), 200),
        PageShape("account-inactive", VISITOR, reverse("account_inactive"), 200),
        PageShape("password-reset-bad-key", VISITOR,
                  reverse("account_reset_password_from_key", kwargs={"uidb36": "x", "key": "onzin"}), 200),
        PageShape("verification-sent", VISITOR, reverse("account_email_verification_sent"), 200),
        PageShape("confirm-bad-key", VISITOR, reverse("account_confirm_email", args=["onzin"]), 200),
        PageShape("certificate-verify", VISITOR, certificate.get_absolute_url(), 200),
        PageShape("search-results", VISITOR, reverse("search:search") + "?q=samenwerken", 200),
        PageShape("search-nothing", VISITOR, reverse("search:search") + "?q=qwertyuiop", 200),
        PageShape("search-empty", VISITOR, reverse("search:search"), 200),
        PageShape("invitation-signup", VISITOR, reverse("centres:invitation", args=[INVITATION_NEW]), 200),
        PageShape("invitation-login", VISITOR, reverse("centres:invitation", args=[INVITATION_MEMBER]), 200),
        PageShape("invitation-unknown", VISITOR, reverse("centres:invitation", args=["onzin"]), 404),
    ]
    for section in module.sections.order_by("number"):
        pages.append(PageShape(f"section-{section.number}", VISITOR, section.get_absolute_url(), 200))
    for kind, _label in Slide.Kind.choices:
        first = Slide.objects.filter(section__module=module, kind=kind).select_related("section__module").in_module_order().first()
        assert first is not None, f"Module 6 has no slide of kind {kind!r}"
        pages.append(PageShape(f"slide-{kind}", VISITOR, first.get_absolute_url(), 200))
    step = Slide.objects.get(slug="sprint-02-definieer")
    last_of_two = Slide.objects.filter(section__module=module, section__number=2).for_learners().order_by("-position").first()
    pages += [
        PageShape("slide-step-diagram", VISITOR, step.get_absolute_url(), 200),
        # Learners.
        PageShape("learner-home-empty", NEWCOMER, reverse("dashboard"), 200),
        PageShape("learner-profile", NEWCOMER, reverse("accounts:profile"), 200),
        PageShape("learner-email", NEWCOMER, reverse("account_email"), 200),
        PageShape("learner-password", NEWCOMER, reverse("account_change_password"), 200),
        PageShape("logout", NEWCOMER, reverse("account_logout"), 200),
        PageShape("reauthenticate", NEWCOMER, reverse("account_reauthenticate"), 200),
        PageShape("join-logged-in", NEWCOMER, cohort.get_join_url(), 200),
        PageShape("learner-home-busy", BUSY, reverse("dashboard"), 200),
        PageShape("learner-overview-busy", BUSY, module.get_absolute_url(), 200),
        PageShape("learner-section", BUSY, module.sections.get(number=2).get_absolute_url(), 200),
        PageShape("learner-slide", BUSY, slide.get_absolute_url(), 200),
        PageShape("learner-slide-quiz-first", BUSY,
                  f"/module/{module.slug}/sectie/2/slide/{last_of_two.position}/", 200),
        PageShape("learner-quiz", BUSY, module.sections.get(number=2).quiz.get_absolute_url(), 200),
        PageShape("learner-result-failed", BUSY, failed.get_absolute_url(), 200),
        PageShape("learner-enrollment-busy", BUSY, reverse("centres:enrollment", args=[koen.pk]), 200),
        PageShape("learner-attempt", NOOR, open_attempt.get_absolute_url(), 200),
        PageShape("learner-enrollment", FINISHED, reverse("centres:enrollment", args=[els.pk]), 200),
        PageShape("learner-home-finished", FINISHED, reverse("dashboard"), 200),
        PageShape("learner-overview-finished", FINISHED, module.get_absolute_url(), 200),
        PageShape("learner-result-passed", FINISHED, passed.get_absolute_url(), 200),
        PageShape("learner-completion", FINISHED, reverse("progress:completion", args=[module.slug]), 200),
        PageShape("learner-handout", FINISHED, reverse("courses:handout", args=[module.slug]), 200),
        PageShape("learner-search", FINISHED, reverse("search:search") + "?q=ecosysteem", 200),
        PageShape("invitation-accept", INVITED_MEMBER, reverse("centres:invitation", args=[INVITATION_MEMBER]), 200),
        PageShape("invitation-other-account", BUSY, reverse("centres:invitation", args=[INVITATION_MEMBER]), 403),
        PageShape("learner-idea-walls", wall_learner, reverse("ideas:mine"), 200),
        PageShape("learner-idea-wall-collect", wall_learner, reverse("ideas:session", args=[collecting.pk]), 200),
        PageShape("learner-idea-wall-vote", wall_learner, reverse("ideas:session", args=[voting.pk]), 200),
        PageShape("learner-idea-wall-turnaround", wall_learner, reverse("ideas:session", args=[worst.pk]), 200),
        # Trainers.
        PageShape("trainer-centre", TRAINER, reverse("centres:home"), 200),
        PageShape("trainer-learner-home", TRAINER, reverse("dashboard"), 200),
        PageShape("trainer-cohort", TRAINER, cohort.get_absolute_url(), 200),
        PageShape("trainer-bulk", TRAINER, reverse("centres:bulk_enroll", args=[cohort.pk]), 200),
        PageShape("trainer-batch-report", TRAINER, reverse("centres:batch_report", args=[cohort.pk, batch.pk]), 200),
        PageShape("trainer-dashboard", TRAINER, dashboard, 200),
        PageShape("trainer-dashboard-stuck", TRAINER, dashboard + "?toon=vastgelopen", 200),
        PageShape("trainer-reminder", TRAINER, reverse("dashboards:reminder", args=[cohort.pk]), 200),
        PageShape("trainer-learner", TRAINER, reverse("dashboards:learner", args=[cohort.pk, fatima.pk]), 200),
        PageShape("trainer-learner-busy", TRAINER, reverse("dashboards:learner", args=[cohort.pk, koen.pk]), 200),
        PageShape("trainer-attempts", TRAINER, reverse("dashboards:attempts", args=[cohort.pk, koen.user_id]), 200),
        PageShape("trainer-slide-preview", TRAINER, draft.get_absolute_url(), 200),
        PageShape("trainer-forbidden", TRAINER, reverse("centres:cohort_create"), 403),
        PageShape("trainer-idea-walls", TRAINER, reverse("ideas:cohort", args=[cohort.pk]), 200),
        PageShape("trainer-idea-wall-collect", TRAINER, reverse("ideas:session", args=[collecting.pk]), 200),
        PageShape("trainer-idea-wall-vote", TRAINER, reverse("ideas:session", args=[voting.pk]), 200),
        PageShape("trainer-idea-wall-actions", TRAINER, reverse("ideas:session", args=[worst.pk]), 200),
        PageShape("trainer-idea-wall-print", TRAINER, reverse("ideas:print", args=[voting.pk]), 200),
        PageShape("trainer-report", TRAINER, reverse("reports:centre"), 200),
        # The Django admin pages trainers author in.
        PageShape("admin-index", TRAINER, reverse("admin:index"), 200),
        PageShape("admin-slides", TRAINER, admin(Slide, "changelist"), 200),
        PageShape("admin-slide", TRAINER, admin(Slide, "change", slide.pk), 200),
        PageShape("admin-slide-history", TRAINER, admin(Slide, "history", slide.pk), 200),
        PageShape("admin-slide-version", TRAINER,
                  admin(Slide, "revision", slide.pk, Version.objects.get_for_object(slide).first().pk), 200),
        PageShape("admin-quiz", TRAINER, admin(Quiz, "change", quiz.pk), 200),
        PageShape("admin-quiz-history", TRAINER, admin(Quiz, "history", quiz.pk), 200),
        PageShape("admin-quiz-version", TRAINER,
                  admin(Quiz, "revision", quiz.pk, Version.objects.get_for_object(quiz).first().pk), 200),
        # Centre managers and site staff.
        PageShape("manager-centre", MANAGER, reverse("centres:home"), 200),
        PageShape("manager-cohort-new", MANAGER, reverse("centres:cohort_create"), 200),
        PageShape("manager-cohort-edit", MANAGER, reverse("centres:cohort_edit", args=[cohort.pk]), 200),
        PageShape("manager-cohort", MANAGER, cohort.get_absolute_url(), 200),
        PageShape("manager-dashboard", MANAGER, dashboard, 200),
        PageShape("manager-report", MANAGER, reverse("reports:centre"), 200),
        PageShape("manager-report-cohort", MANAGER, reverse("reports:centre") + f"?cohort={cohort.pk}", 200),
        PageShape("staff-programme-report", SITE_STAFF, reverse("reports:programme"), 200),
        PageShape("staff-zero-results", SITE_STAFF, reverse("search:zero_results"), 200),
    ]
    return pages


def error_pages():
    """The 500 and 503 pages exactly as the site sends them (no request context: the database may be away)."""
    from django.db import OperationalError
    from django.test import RequestFactory
    from django.views.defaults import server_error

    from config.unavailable import DatabaseUnavailableMiddleware

    request = RequestFactory().get("/")
    unavailable = DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, OperationalError("away"))
    return {"500": server_error(request), "503": unavailable}
