"""A demo cohort that shows the product: about twelve learners at different stages.

``make run`` (its ``load`` step) calls this after the demo accounts, so that the
dashboard, "Vastgelopen" and "Wat moet je opnieuw uitleggen?" have something to
show. Everything is written through the project's own services, as a learner's
clicks would write it: enrolment (``centres.services.enroll``), slides read
(``progress.services.slide_view_record``), quiz attempts (``progress.services.quiz_attempt_start`` and
``progress.services.quiz_attempt_submit``, which issues the certificate on completion) and a reminder
(``dashboards.services.send_reminder``). Only afterwards are the moments moved
back in time (a learner who is "stuck" did nothing for weeks), with plain updates.

Idempotent: a learner who already did something is left as they are, so running
it twice changes nothing. It refuses to run with production settings.
"""
import math
import random
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from centres import services as centre_services
from centres.models import Cohort, Enrollment
from dashboards import selectors as dashboard_selectors
from dashboards import services as dashboard_services
from dashboards.models import Reminder
from progress import selectors as progress_selectors
from progress import services as progress_services
from progress.models import Certificate, SlideView
from quizzes.models import Attempt, Choice
from sections.models import Slide

PASSWORD = "Deelnemer-demo-2026"  # nosec B105  # the demo password, published in README.md; never loaded in production


@dataclass(frozen=True)
class Learner:
    email: str
    name: str
    company: str
    sector: str
    size: str
    slides: int  # how many slides read, in module order (48 = all)
    quizzes: tuple  # per section: "pass", "fail", "fail-pass" (failed first, passed later) or "" (not taken)
    days_ago: int  # the last activity, this many days ago
    remind: bool = False


LEARNERS = [
    Learner("els@example.org", "Els Van den Broeck", "Brouwerij Van den Broeck", "manufacturing", "small",
            48, ("pass", "fail-pass", "pass"), 3),
    Learner("joris@example.org", "Joris Maes", "Maes Schrijnwerkerij", "construction", "micro",
            48, ("fail-pass", "pass", "fail-pass"), 9),
    Learner("fatima@example.org", "Fatima El Amrani", "Atelier Fatima", "retail", "micro",
            24, ("fail", "", ""), 21, True),
    Learner("pieter@example.org", "Pieter de Jong", "De Jong Transport", "transport", "medium",
            9, ("", "", ""), 30),
    Learner("sanne@example.org", "Sanne Visser", "Visser Zorg", "care", "small",
            31, ("fail-pass", "fail", ""), 17),
    Learner("koen@example.org", "Koen Willems", "Willems ICT", "ict", "small",
            33, ("fail", "fail", ""), 2),
    Learner("lisa@example.org", "Lisa Bakker", "Bakker Groen", "agriculture", "micro",
            28, ("fail-pass", "", ""), 1),
    Learner("mehmet@example.org", "Mehmet Yılmaz", "Yılmaz Horeca", "hospitality", "small",
            36, ("pass", "fail", ""), 4),
    Learner("noor@example.org", "Noor Hendriks", "Hendriks Advies", "business_services", "micro",
            12, ("", "", ""), 5),
    Learner("tim@example.org", "Tim Claes", "Claes Energie", "energy", "medium",
            0, ("", "", ""), 0),
    Learner("ines@example.org", "Inès Dubois", "Dubois & Zonen", "retail", "small",
            0, ("", "", ""), 0),
    Learner("ruben@example.org", "Ruben Mertens", "Mertens Bouw", "construction", "medium",
            20, ("pass", "", ""), 16),
]

# Most learners get these questions wrong at their first try, so that
# "Wat moet je opnieuw uitleggen?" has something to say (positions in the quiz).
HARD_QUESTIONS = {2, 5}


class Command(BaseCommand):
    help = "Demo activity in the demo cohort 'Voorjaar 2026': about 12 learners at every stage (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--cohort", default="DEMO2026", help="join code of the demo cohort")

    def handle(self, *args, cohort, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("Demo activity is not loaded with production settings (DJANGO_SECRET_KEY is set).")
        demo = Cohort.objects.select_related("module", "centre").filter(join_code=cohort).first()
        if demo is None:
            raise CommandError(f"No cohort with join code {cohort}: load the demo fixture first (manage.py loaddata demo).")
        trainer = demo.trainers.order_by("pk").first()
        made = 0
        # The mail a reminder sends stays in memory: the demo must not print mails into the terminal.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for spec in LEARNERS:
                made += self._learner(demo, spec, trainer)
        self.stdout.write(f"Demo activity: {made} learner(s) added, {len(LEARNERS) - made} already there.")

    @transaction.atomic
    def _learner(self, cohort, spec: Learner, trainer) -> int:
        User = get_user_model()
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is not None and (SlideView.objects.filter(user=user).exists() or
                                 Enrollment.objects.filter(user=user, cohort=cohort).exists()):
            return 0
        if user is None:
            user = User.objects.create_user(
                email=spec.email, password=PASSWORD, name=spec.name, company_name=spec.company,
                company_sector=spec.sector, company_size=spec.size,
            )
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        now = timezone.now()
        last = now - timedelta(days=spec.days_ago)
        started = last - timedelta(days=10 + spec.slides // 4)
        enrollment = centre_services.enroll(cohort=cohort, user=user, check_open=False).enrollment
        Enrollment.objects.filter(pk=enrollment.pk).update(
            enrolled_at=started - timedelta(days=2), status_changed_at=started - timedelta(days=2))

        module = cohort.module
        slides = list(Slide.objects.filter(section__module=module).for_learners()
                      .select_related("section").order_by("section__number", "position"))
        read = slides[:spec.slides]
        rng = random.Random(spec.email)
        span = (last - started) / max(1, len(read))
        by_section = {}
        for slide in read:
            by_section.setdefault(slide.section.number, []).append(slide)
        # Read and take quizzes in order: a section's quiz after its slides.
        moment_index = 0
        for section in module.sections.order_by("number"):
            for number, slide in enumerate(by_section.get(section.number, []), 1):
                progress = progress_selectors.module_progress(user=user, module=module, with_certificate=False)
                slide.learner_position = number  # the read slides are the first of their section
                when = started + span * moment_index
                progress_services.slide_view_record(user=user, slide=slide, progress=progress, now=when)
                moment_index += 1
            plan = spec.quizzes[section.number - 1] if section.number <= len(spec.quizzes) else ""
            if plan and hasattr(section, "quiz"):
                when = started + span * moment_index
                for attempt_index, passing in enumerate({"pass": [True], "fail": [False], "fail-pass": [False, True]}[plan]):
                    self._attempt(user, section.quiz, right=passing, rng=rng,
                                  when=when + timedelta(hours=2 + 26 * attempt_index))
        # The last thing done is the last activity: keep it at "days_ago".
        SlideView.objects.filter(user=user, last_seen__gt=last).update(last_seen=last)
        SlideView.objects.filter(user=user, first_seen__gt=last).update(first_seen=last)
        Attempt.objects.filter(user=user, submitted_at__gt=last).update(submitted_at=last, started_at=last - timedelta(minutes=12))
        Certificate.objects.filter(user=user, issued_at__gt=last).update(issued_at=last)
        # The moments moved back: the learner's progress row is counted again from the records.
        progress_services.progress_recount(module_ids=[module.pk], user_ids=[user.pk])
        if spec.remind and trainer is not None:
            row = dashboard_selectors.cohort_dashboard(cohort=cohort, user_id=user.pk).rows[0]
            if not Reminder.objects.filter(learner=user).exists():
                dashboard_services.send_reminder(cohort=cohort, row=row, by=trainer, build_url=lambda path: path,
                                                 now=now - timedelta(days=3))
        return 1

    def _attempt(self, user, quiz, *, right: bool, rng, when):
        attempt, _created = progress_services.quiz_attempt_start(quiz=quiz, user=user, rng=rng)
        question_ids = attempt.layout.get("questions") or list(quiz.questions.values_list("pk", flat=True))
        choices = {}
        for choice in Choice.objects.filter(question_id__in=question_ids).select_related("question"):
            choices.setdefault(choice.question_id, []).append(choice)
        # A failed attempt gets just enough wrong to stay under the pass mark, the "hard" questions first.
        wrong = set()
        if not right:
            count = len(question_ids)
            must_be_wrong = count - (math.ceil(count * quiz.pass_mark / 100) - 1)
            by_difficulty = sorted(
                question_ids,
                key=lambda q: (choices[q][0].question.position not in HARD_QUESTIONS, rng.random()) if choices.get(q) else (True, 1),
            )
            wrong = set(by_difficulty[:max(1, must_be_wrong)])
        selections = {}
        for qid in question_ids:
            options = sorted(choices.get(qid, []), key=lambda c: c.position)
            good = {c.pk for c in options if c.is_correct}
            bad = [c.pk for c in options if not c.is_correct]
            selections[qid] = {bad[0]} if qid in wrong and bad else good
        progress_services.quiz_attempt_submit(attempt=attempt, user=user, selections=selections)
        Attempt.objects.filter(pk=attempt.pk).update(started_at=when - timedelta(minutes=12), submitted_at=when)
