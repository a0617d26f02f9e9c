"""Reads for the cohort dashboard, in a fixed number of queries whatever the cohort's size.

Progress belongs to the learner and the module (``progress.selectors``); the
dashboard reads the same records for all learners of a cohort at once, one
grouped query per kind of record (slides read per learner and section,
attempts per learner and quiz, first answers per question), never a query per
learner. From them it builds, for each learner, the very ``ModuleProgress``
and ``SectionProgress`` the learner sees on their own pages, so that the
percentages on the dashboard and in "Mijn leeromgeving" always agree.

Who is on the dashboard: the cohort's learners who hold a place (active or
completed enrolments). Withdrawn learners are on the cohort page, not here.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.utils import timezone

from centres.models import Cohort, Enrollment
from ideas import selectors as idea_selectors
from progress.models import Certificate, SlideView
from progress.selectors import ModuleProgress, SectionProgress
from quizzes import selectors as quiz_selectors
from quizzes.models import Answer, Attempt, Choice, Question, Quiz
from sections.models import Section, Slide

from .models import Reminder

#: A learner who started, has not finished, and did nothing for this many days is "stuck".
STUCK_AFTER_DAYS = 14
#: A learner gets at most one reminder in this many days (and one per UTC week: the model's constraint).
REMINDER_INTERVAL = timedelta(days=7)


class Status:
    NOT_STARTED = "niet-begonnen"
    IN_PROGRESS = "bezig"
    STUCK = "vastgelopen"
    COMPLETED = "afgerond"


@dataclass
class LearnerRow:
    """One learner of the cohort: who, their progress in the cohort's module, and what that means."""

    enrollment: Enrollment
    progress: ModuleProgress
    started: bool
    last_activity: datetime | None
    certificate: Certificate | None
    status: str = Status.NOT_STARTED
    ideas: int = 0  # on the cohort's idea wall: new ideas …
    builds: int = 0  # … and builds / turn-arounds on others' ideas

    @property
    def user(self):
        return self.enrollment.user

    @property
    def completed(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def stuck(self) -> bool:
        return self.status == Status.STUCK

    days_inactive: int | None = None  # whole days since the last activity

    @property
    def inactive_since(self) -> datetime:
        """Since when nothing happened: the last activity, or the enrolment for someone who never began."""
        return self.last_activity or self.enrollment.enrolled_at


@dataclass
class Totals:
    enrolled: int
    started: int
    completed: int
    stuck: int
    not_started: int
    average_score: int | None  # mean of the learners' best scores per quiz, rounded; None before any quiz
    scores_counted: int

    @property
    def by_filter(self) -> dict[str, int]:
        return {
            "alle": self.enrolled,
            Status.NOT_STARTED: self.not_started,
            Status.STUCK: self.stuck,
            Status.COMPLETED: self.completed,
        }


@dataclass
class CohortDashboard:
    cohort: Cohort
    sections: list[Section]
    rows: list[LearnerRow]
    now: datetime
    totals: Totals = field(init=False)

    def __post_init__(self):
        best_scores = [s.quiz_best for row in self.rows for s in row.progress.sections if s.quiz_best is not None]
        self.totals = Totals(
            enrolled=len(self.rows),
            started=sum(1 for r in self.rows if r.started),
            completed=sum(1 for r in self.rows if r.completed),
            stuck=sum(1 for r in self.rows if r.stuck),
            not_started=sum(1 for r in self.rows if r.status == Status.NOT_STARTED),
            average_score=round(sum(best_scores) / len(best_scores)) if best_scores else None,
            scores_counted=len(best_scores),
        )

    def rows_for(self, *, show: str = "alle", sort: str = "naam") -> list[LearnerRow]:
        """The rows a filter keeps, in the order asked for (``-`` in front: descending)."""
        rows = self.rows if show not in FILTERS or show == "alle" else [r for r in self.rows if r.status == show]
        key_name = sort.lstrip("-")
        key = SORT_KEYS.get(key_name, SORT_KEYS["naam"])
        return sorted(rows, key=key, reverse=sort.startswith("-") and key_name in SORT_KEYS)


def _name_key(row: LearnerRow):
    return ((row.user.name or row.user.email).casefold(), row.user.email.casefold())


NEVER = datetime.min.replace(tzinfo=dt_timezone.utc)
# Learners without a company come last when sorting up; those never active count as the least recent.
SORT_KEYS = {
    "naam": _name_key,
    "bedrijf": lambda r: (not r.user.company_name, r.user.company_name.casefold(), _name_key(r)),
    "actief": lambda r: (r.last_activity is not None, r.last_activity or NEVER, _name_key(r)),
    "voltooid": lambda r: (r.progress.percent, r.completed, _name_key(r)),
}
FILTERS = ["alle", Status.NOT_STARTED, Status.STUCK, Status.COMPLETED]


def _place_holders(cohort: Cohort):
    return Enrollment.objects.filter(cohort=cohort).holding_a_place()


def _learner_ids(cohort: Cohort):
    """The cohort's learners as a subquery (never a list of ids in Python)."""
    return _place_holders(cohort).values("user_id")


def module_sections(module) -> list[Section]:
    """The module's sections with their published slide count and quiz (1 query)."""
    sections = list(
        Section.objects.filter(module=module)
        .order_by("number")
        .only("id", "number", "title", "module_id")
        .annotate(
            slide_count=Count("slides", filter=Q(slides__is_published=True)),
            quiz_pk=F("quiz__id"),
            quiz_pass_mark=F("quiz__pass_mark"),
        )
    )
    for section in sections:
        section.module = module
    return sections


def cohort_dashboard(*, cohort: Cohort, now: datetime | None = None, user_id: int | None = None) -> CohortDashboard:
    """Every learner of ``cohort`` with their progress in its module (4 queries); with ``user_id``,
    that one learner only (the learner page), counted exactly as in the grid.

    1. the sections; 2. the enrolments with each learner and certificate;
    3. slides read per learner and section; 4. attempts per learner and quiz.
    """
    now = now or timezone.now()
    module = cohort.module
    sections = module_sections(module)
    learners = _learner_ids(cohort)
    if user_id is not None:
        learners = learners.filter(user_id=user_id)

    certificates = Certificate.objects.valid().filter(user=OuterRef("user_id"), module=module)
    enrollments = list(
        _place_holders(cohort)
        .filter(**({"user_id": user_id} if user_id is not None else {}))
        .select_related("user")
        .only(
            "id", "status", "enrolled_at", "cohort_id", "user_id",
            "user__id", "user__name", "user__email", "user__company_name",
        )
        .annotate(
            certificate_code=Subquery(certificates.values("code")[:1]),
            certificate_issued=Subquery(certificates.values("issued_at")[:1]),
            wall_ideas=idea_selectors.contribution_count(cohort=cohort, user_ref=OuterRef("user_id"), builds=False),
            wall_builds=idea_selectors.contribution_count(cohort=cohort, user_ref=OuterRef("user_id"), builds=True),
        )
        .order_by("user__name", "user__email")
    )

    reads = (
        SlideView.objects.filter(user_id__in=learners, slide__section__module=module)
        .order_by()
        .values("user_id", "slide__section_id")
        .annotate(read=Count("pk", filter=Q(slide__is_published=True)), last=Max("last_seen"))
    )
    attempts = (
        Attempt.objects.filter(user_id__in=learners, quiz__section__module=module)
        .order_by()
        .values("user_id", "quiz__section_id")
        .annotate(
            best=Max("score"),
            passes=Count("pk", filter=Q(passed=True)),
            last_start=Max("started_at"),
            last_submit=Max("submitted_at"),
        )
    )
    read_by = {(r["user_id"], r["slide__section_id"]): r for r in reads}
    tried_by = {(a["user_id"], a["quiz__section_id"]): a for a in attempts}

    stuck_before = now - timedelta(days=STUCK_AFTER_DAYS)
    rows = []
    for enrollment in enrollments:
        uid = enrollment.user_id
        section_progress, moments, started = [], [], False
        for section in sections:
            read = read_by.get((uid, section.pk))
            tried = tried_by.get((uid, section.pk))
            section_progress.append(
                SectionProgress(
                    section=section,
                    slide_count=section.slide_count,
                    read_count=read["read"] if read else 0,
                    quiz_id=section.quiz_pk,
                    quiz_passed=bool(section.quiz_pk and tried and tried["passes"]),
                    quiz_best=tried["best"] if tried else None,
                )
            )
            if read:
                started = True
                moments.append(read["last"])
            if tried:
                started = True
                moments.extend(m for m in (tried["last_start"], tried["last_submit"]) if m)
        progress = ModuleProgress(module=module, sections=section_progress)
        last_activity = max(moments) if moments else None
        progress.last_seen = last_activity
        certificate = None
        if enrollment.certificate_code:
            certificate = Certificate(
                code=enrollment.certificate_code, user_id=uid, module=module, issued_at=enrollment.certificate_issued
            )
            progress.certificate = certificate
        if progress.complete or certificate is not None:
            status = Status.COMPLETED
        elif not started:
            status = Status.NOT_STARTED
        elif last_activity is not None and last_activity < stuck_before:
            status = Status.STUCK
        else:
            status = Status.IN_PROGRESS
        rows.append(
            LearnerRow(
                enrollment=enrollment,
                progress=progress,
                started=started,
                last_activity=last_activity,
                certificate=certificate,
                status=status,
                days_inactive=max(0, (now - last_activity).days) if last_activity else None,
                ideas=enrollment.wall_ideas,
                builds=enrollment.wall_builds,
            )
        )
    return CohortDashboard(cohort=cohort, sections=sections, rows=rows, now=now)


# --- quiz item analysis ------------------------------------------------------------


@dataclass
class WrongChoice:
    text: str
    times: int


@dataclass
class QuestionAnalysis:
    question: Question
    slide: Slide | None  # the first of ``slides``
    pass_mark: int
    slides: list[Slide] = field(default_factory=list)
    answered: int = 0  # learners asked it (their first answer to it counts)
    right: int = 0
    incomplete: int = 0  # wrong without a wrong choice ticked: a right answer left out (multiple choice)
    top_wrong: WrongChoice | None = None

    @property
    def percent_right(self) -> int | None:
        return round(100 * self.right / self.answered) if self.answered else None

    @property
    def needs_attention(self) -> bool:
        """Fewer learners than the quiz's pass mark got it right first time."""
        return self.answered > 0 and self.percent_right < self.pass_mark


@dataclass
class SectionAnalysis:
    section: Section
    questions: list[QuestionAnalysis]

    @property
    def learners(self) -> int:
        return max((q.answered for q in self.questions), default=0)

    @property
    def attention(self) -> list[QuestionAnalysis]:
        return [q for q in self.questions if q.needs_attention]

    @property
    def going_well(self) -> list[QuestionAnalysis]:
        """Answered, and by at least the pass mark's share: folded away on the dashboard."""
        return [q for q in self.questions if q.answered and not q.needs_attention]


def _slides_numbered():
    """Slides with ``learner_position`` (their number among the section's published slides)."""
    return Slide.objects.select_related("section").annotate(
        learner_position=Subquery(
            Slide.objects.filter(section_id=OuterRef("section_id"), is_published=True, position__lte=OuterRef("position"))
            .order_by()
            .values("section_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
    ).order_by("position")


def item_analysis(*, cohort: Cohort, sections: list[Section]) -> list[SectionAnalysis]:
    """Per section with a quiz: each question's share right the first time each learner was asked
    it, and its most picked wrong choice, for the cohort's learners (4 queries: questions, their
    slides, first answers, wrong choices).

    Attempts draw their questions from a bank, so "the first attempt" would see each question
    only now and then: a learner's first answer to a question is the one in the earliest
    submitted attempt that asked it. That is what they understood from reading the section,
    before the feedback on that question taught them.
    """
    module = cohort.module
    by_section = {s.pk: s for s in sections}
    questions = list(
        Question.objects.filter(quiz__section__module=module)
        .annotate(in_section=F("quiz__section_id"))
        .prefetch_related(Prefetch("slides", queryset=_slides_numbered()))
        .order_by("quiz__section__number", "position")
    )

    earlier = Answer.objects.filter(
        question_id=OuterRef("question_id"),
        attempt__user_id=OuterRef("attempt__user_id"),
        attempt__number__lt=OuterRef("attempt__number"),
        attempt__submitted_at__isnull=False,
    )
    first = Answer.objects.filter(
        attempt__submitted_at__isnull=False,
        attempt__user_id__in=_learner_ids(cohort),
        question__quiz__section__module=module,
    ).filter(~Exists(earlier))
    picked_wrong = Answer.choices.through.objects.filter(answer=OuterRef("pk"), choice__is_correct=False)
    stats = {
        s["question_id"]: s
        for s in first.order_by().values("question_id").annotate(
            answered=Count("pk"),
            right=Count("pk", filter=Q(is_correct=True)),
            with_wrong_choice=Count("pk", filter=Exists(picked_wrong)),
        )
    }
    wrong_choices = (
        Answer.choices.through.objects.filter(choice__is_correct=False, answer__in=first.values("pk"))
        .order_by()
        .values("answer__question_id", "choice_id", "choice__text", "choice__position")
        .annotate(times=Count("pk"))
    )
    top_wrong = {}
    for row in wrong_choices:
        qid = row["answer__question_id"]
        best = top_wrong.get(qid)
        # Most picked; on a tie, the one listed first in the question.
        if best is None or (row["times"], -row["choice__position"]) > (best[0], -best[1]):
            top_wrong[qid] = (row["times"], row["choice__position"], row["choice__text"])

    analyses: dict[int, SectionAnalysis] = {}
    for question in questions:
        section = by_section.get(question.in_section)
        if section is None:
            continue
        slides = []
        for slide in question.slides.all():
            slide.section = by_section.get(slide.section_id, section)
            if not slide.is_published:
                slide.learner_position = None
            slides.append(slide)
        stat = stats.get(question.pk, {})
        answered, right = stat.get("answered", 0), stat.get("right", 0)
        wrong = top_wrong.get(question.pk)
        analysis = QuestionAnalysis(
            question=question,
            slide=slides[0] if slides else None,
            slides=slides,
            pass_mark=section.quiz_pass_mark or 0,
            answered=answered,
            right=right,
            incomplete=max(0, answered - right - stat.get("with_wrong_choice", 0)),
            top_wrong=WrongChoice(text=wrong[2], times=wrong[0]) if wrong else None,
        )
        analyses.setdefault(section.pk, SectionAnalysis(section=section, questions=[])).questions.append(analysis)
    return [analyses[s.pk] for s in sections if s.pk in analyses]


# --- reminders ------------------------------------------------------------------------


@dataclass
class ReminderPlan:
    """Who a reminder for "not active for ``days`` days" goes to, and who is skipped."""

    days: int
    recipients: list[LearnerRow]
    already_reminded: list[LearnerRow]


def reminder_plan(*, cohort: Cohort, days: int, now: datetime | None = None) -> ReminderPlan:
    """Active learners who have not finished and did nothing for ``days`` days (counted from their
    enrolment if they never began); those reminded in the last 7 days are skipped (5 queries)."""
    now = now or timezone.now()
    dashboard = cohort_dashboard(cohort=cohort, now=now)
    quiet_before = now - timedelta(days=days)
    inactive = [
        row
        for row in dashboard.rows_for(sort="actief")
        if row.enrollment.status == Enrollment.Status.ACTIVE and not row.completed and row.inactive_since <= quiet_before
    ]
    reminded = set(
        Reminder.objects.since(now - REMINDER_INTERVAL)
        .filter(learner_id__in=_learner_ids(cohort))
        .values_list("learner_id", flat=True)
    )
    return ReminderPlan(
        days=days,
        recipients=[r for r in inactive if r.user.pk not in reminded],
        already_reminded=[r for r in inactive if r.user.pk in reminded],
    )


# --- a learner's quiz attempts (staff reset) ---------------------------------------------


@dataclass
class LearnerQuizAttempts:
    section: Section
    overview: "quiz_selectors.QuizOverview"


def learner_in_cohort_or_404(*, cohort: Cohort, user_id) -> Enrollment:
    """The enrolment of a learner holding a place in ``cohort`` (1 query); anyone else: 404."""
    enrollment = _place_holders(cohort).select_related("user").filter(user_id=user_id).first()
    if enrollment is None:
        raise Http404("No such learner in this cohort.")
    return enrollment


def learner_quiz_attempts(*, cohort: Cohort, user) -> list[LearnerQuizAttempts]:
    """Per quiz of the cohort's module: the learner's attempts and when the next may start
    (1 query for the quizzes, then 3 per quiz: a module has a handful)."""
    quizzes = Quiz.objects.filter(section__module=cohort.module).select_related("section").order_by("section__number")
    result = []
    for quiz in quizzes:
        quiz.section.module = cohort.module
        result.append(LearnerQuizAttempts(section=quiz.section, overview=quiz_selectors.quiz_overview(quiz=quiz, user=user)))
    return result

# --- one learner, for their trainer ------------------------------------------------


@dataclass
class SlideRead:
    slide: Slide
    number: int  # the learner's number of the slide in its section
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass
class LearnerDetail:
    """What a trainer sees of one learner: the grid's row, every slide with when it was read,
    every submitted attempt with each answer, and the reminders the learner got."""

    row: LearnerRow
    slides: list[tuple[Section, list[SlideRead]]]
    attempts: list[Attempt]
    reminders: list[Reminder]
    reminded_recently: Reminder | None


def learner_detail(*, cohort: Cohort, enrollment: Enrollment, now: datetime | None = None) -> LearnerDetail | None:
    """One learner holding a place in ``cohort``, or ``None`` (a withdrawn learner) (11 queries, whatever
    the number of slides, attempts or answers)."""
    now = now or timezone.now()
    dashboard = cohort_dashboard(cohort=cohort, now=now, user_id=enrollment.user_id)  # 4
    if not dashboard.rows:
        return None
    row = dashboard.rows[0]
    user_id = enrollment.user_id
    seen = {
        v["slide_id"]: v
        for v in SlideView.objects.filter(user_id=user_id, slide__section__module=cohort.module)
        .values("slide_id", "first_seen", "last_seen")
    }  # 1
    by_section: dict[int, list[SlideRead]] = {section.pk: [] for section in dashboard.sections}
    for slide in Slide.objects.filter(section__module=cohort.module).for_learners().order_by("section__number", "position").only(
        "id", "title", "position", "section_id", "slug", "kind", "is_published"
    ):  # 1
        reads = by_section.setdefault(slide.section_id, [])
        view = seen.get(slide.pk)
        reads.append(SlideRead(slide=slide, number=len(reads) + 1, first_seen=view and view["first_seen"],
                               last_seen=view and view["last_seen"]))
    attempts = list(
        Attempt.objects.filter(user_id=user_id, quiz__section__module=cohort.module, submitted_at__isnull=False)
        .select_related("quiz__section")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("position")),
                    Prefetch("question__choices", queryset=Choice.objects.filter(is_correct=True).order_by("position"),
                             to_attr="right_choices"),
                ).order_by("question__position"),
            )
        )
        .order_by("quiz__section__number", "number")
    )  # 4
    reminders = list(Reminder.objects.filter(learner_id=user_id).select_related("sent_by", "cohort").order_by("-sent_at"))  # 1
    recent = next((r for r in reminders if r.sent_at > now - REMINDER_INTERVAL), None)
    return LearnerDetail(
        row=row,
        slides=[(section, by_section.get(section.pk, [])) for section in dashboard.sections],
        attempts=attempts,
        reminders=reminders,
        reminded_recently=recent,
    )
