"""The figures centres report to the programme, in a fixed number of queries.

What is counted, and why:

* **Who**: the learners whose enrolment in one of the report's cohorts started in the period
  (the cohort's intake in that period). A learner in two of those cohorts counts once in the
  totals and once in each cohort's row. Withdrawn learners stay in the intake (they were
  reached) and are also counted as withdrawn, so a funder sees both.
* **How far they got**, by the end of the period: started (read a slide or started a quiz),
  read at least half of the module's published slides, passed every quiz of the module, and
  holds a valid certificate. These are the very records the cohort dashboard and the learner's
  own pages read (``SlideView``, ``Attempt``, ``Certificate``), with the same rules: a draft
  slide counts for nobody, a revoked certificate does not count.
* **Learning**: first attempts only (what a learner understood from reading, before feedback
  taught the answer), as the dashboard's item analysis does.

Ten queries, whatever the number of cohorts, learners or attempts: scope (with each module's
size), intake, slides read, quiz progress, certificates, first-attempt pass rates, the answers
per question and the module's questions (the most missed), and the idea wall's sessions and posts.
Each returns one row per learner (or per section or question), aggregated in the database.
"""
import bisect
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CompanySector, CompanySize
from centres.models import Centre, Cohort, Enrollment
from ideas.models import Idea, Session
from progress.models import Certificate, SlideView
from quizzes.models import Answer, Attempt, Question, Quiz
from sections.models import Slide

from .periods import Period


@dataclass
class Stage:
    key: str
    count: int
    of: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.of) if self.of else None


@dataclass
class Funnel:
    """How far the intake got. Each stage is a subset of the one before, in practice."""

    enrolled: int = 0
    started: int = 0
    half_read: int = 0
    quizzes_passed: int = 0
    certified: int = 0
    withdrawn: int = 0

    STAGES = ("enrolled", "started", "half_read", "quizzes_passed", "certified")

    @property
    def stages(self) -> list[Stage]:
        return [Stage(key, getattr(self, key), self.enrolled) for key in self.STAGES]


@dataclass
class Count_:
    key: str
    label: str
    count: int


@dataclass
class SectionRate:
    number: int
    title: str
    attempts: int
    passed: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.passed / self.attempts) if self.attempts else None


@dataclass
class MissedQuestion:
    question_id: int
    text: str
    section_number: int
    answered: int
    wrong: int

    @property
    def percent_wrong(self) -> int:
        return round(100 * self.wrong / self.answered) if self.answered else 0


@dataclass
class IdeaFigures:
    """The cohorts' practice on the idea wall in the period: sessions held, and what learners posted."""

    sessions: int = 0
    ideas: int = 0  # new ideas
    builds: int = 0  # ideas that build on another (turn-arounds of the icebreaker included)
    contributors: int = 0  # learners of the cohort who posted at least once

    def per_learner(self, count: int) -> float | None:
        return round(count / self.contributors, 1) if self.contributors else None

    @property
    def ideas_per_learner(self) -> float | None:
        return self.per_learner(self.ideas)

    @property
    def builds_per_learner(self) -> float | None:
        return self.per_learner(self.builds)


@dataclass
class CohortRow:
    cohort: Cohort
    funnel: Funnel = field(default_factory=Funnel)


@dataclass
class CentreRow:
    centre: Centre
    funnel: Funnel = field(default_factory=Funnel)
    businesses: int = 0
    cohorts: int = 0


@dataclass
class Report:
    period: Period
    cohorts: list[Cohort]
    funnel: Funnel
    learners: int
    businesses: int
    by_sector: list[Count_]
    by_size: list[Count_]
    per_month: list[tuple[date, int]]
    first_pass: list[SectionRate]
    most_missed: list[MissedQuestion]
    median_days_to_certificate: float | None
    cohort_rows: list[CohortRow]
    centre_rows: list[CentreRow]
    ideas: IdeaFigures


def _company_key(name: str) -> str:
    """One business however its name was typed: case, spacing and a trailing full stop do not matter."""
    return " ".join(name.casefold().replace(".", " ").split())


def _breakdown(counter: Counter, choices) -> list[Count_]:
    rows = [Count_(value, str(label), counter.get(value, 0)) for value, label in choices.choices]
    rows.append(Count_("", str(_("Niet ingevuld")), counter.get("", 0)))
    return rows


def build_report(*, cohorts, period: Period) -> Report:
    """The report for ``cohorts`` (a queryset the caller has already scoped to what the user may see).

    The database does the counting and hands back one small row per learner: at programme size
    (20,000 learners, 450,000 slides read, 460,000 answers) the work is in scanning those tables
    once each, not in sending their rows to Python or sorting what nobody reads in order.
    """
    start, end = period.bounds()
    published = Slide.objects.filter(section__module_id=OuterRef("module_id"), is_published=True)
    quizzes = Quiz.objects.filter(section__module_id=OuterRef("module_id"))
    cohorts = list(
        cohorts.select_related("centre", "module")
        .annotate(module_slides=_count(published), module_quizzes=_count(quizzes))
        .order_by("centre__name", "-start_date", "name")
    )
    cohort_ids = [c.pk for c in cohorts]
    module_ids = sorted({c.module_id for c in cohorts})
    sizes = {c.module_id: (c.module_slides, c.module_quizzes) for c in cohorts}

    intake = Enrollment.objects.filter(cohort_id__in=cohort_ids, enrolled_at__gte=start, enrolled_at__lt=end)
    population = intake.values("user_id")
    withdrawn_by_end = ExpressionWrapper(
        Q(status=Enrollment.Status.WITHDRAWN, status_changed_at__lt=end), output_field=BooleanField()
    )
    enrollments = (
        intake.order_by()  # the model's ordering (by name) sorted 20,000 rows nobody reads in order
        .annotate(withdrawn_by_end=withdrawn_by_end)
        .values_list(
            "user_id", "cohort_id", "withdrawn_by_end", "enrolled_at",
            "user__company_name", "user__company_sector", "user__company_size",
        )
    )
    reads = {
        (user_id, module_id): n
        for user_id, module_id, n in SlideView.objects.filter(
            user_id__in=population, first_seen__lt=end, slide__is_published=True,
            slide__section__module_id__in=module_ids,
        )
        .order_by()
        .values_list("user_id", "slide__section__module_id")
        .annotate(n=Count("pk"))
    }
    tries = {
        (user_id, module_id): passed
        for user_id, module_id, passed in Attempt.objects.filter(
            user_id__in=population, started_at__lt=end, quiz__section__module_id__in=module_ids
        )
        .order_by()
        .values_list("user_id", "quiz__section__module_id")
        .annotate(passed=Count("quiz_id", distinct=True, filter=Q(passed=True, submitted_at__lt=end)))
    }
    certificates = {
        (user_id, module_id): issued_at
        for user_id, module_id, issued_at in Certificate.objects.valid()
        .filter(user_id__in=population, issued_at__lt=end, module_id__in=module_ids)
        .order_by()
        .values_list("user_id", "module_id", "issued_at")
    }

    # One set of facts per learner (and module): the learner, not the enrolment, is what was reached.
    # facts[key] = [started, half_read, quizzes_passed, certified, withdrawn everywhere, first enrolled]
    module_of = {c.pk: c.module_id for c in cohorts}
    facts: dict[tuple[int, int], list] = {}
    profile: dict[int, tuple[str, str, str]] = {}
    first_enrolled: dict[int, datetime] = {}
    cohort_members: dict[int, list] = {c.pk: [] for c in cohorts}
    cohort_withdrawn = dict.fromkeys(cohort_ids, 0)
    for user_id, cohort_id, withdrawn, enrolled_at, company, sector, size in enrollments:
        module_id = module_of[cohort_id]
        key = (user_id, module_id)
        learner = facts.get(key)
        if learner is None:
            slides, module_quizzes = sizes[module_id]
            read = reads.get(key, 0)
            passed = tries.get(key)
            facts[key] = [
                bool(read) or passed is not None,
                slides > 0 and 2 * read >= slides,
                module_quizzes > 0 and (passed or 0) >= module_quizzes,
                key in certificates,
                bool(withdrawn),
                enrolled_at,
            ]
        else:
            learner[4] = learner[4] and bool(withdrawn)
            learner[5] = min(learner[5], enrolled_at)
        cohort_members[cohort_id].append(key)
        cohort_withdrawn[cohort_id] += bool(withdrawn)
        first_enrolled[user_id] = min(first_enrolled.get(user_id, enrolled_at), enrolled_at)
        profile[user_id] = (company, sector, size)

    company_keys = _company_keys(profile)
    funnel = _funnel(list(facts.values()))
    cohort_rows = []
    for c in cohorts:
        members = cohort_members[c.pk]
        cohort_rows.append(CohortRow(c, _funnel([facts[key] for key in members], withdrawn=cohort_withdrawn[c.pk])))
    centre_rows: dict[int, CentreRow] = {}
    for c in cohorts:
        row = centre_rows.setdefault(c.centre_id, CentreRow(c.centre))
        row.cohorts += 1
    for centre_id, row in centre_rows.items():
        members = set().union(*(cohort_members[c.pk] for c in cohorts if c.centre_id == centre_id))
        row.funnel = _funnel([facts[key] for key in members])
        row.businesses = len({company_keys[profile[user_id][0]] for user_id, _module in members} - {None})

    businesses = {company_keys[company] for company, _, _ in profile.values()} - {None}
    by_sector = _breakdown(Counter(sector for _, sector, _ in profile.values()), CompanySector)
    by_size = _breakdown(Counter(size for _, _, size in profile.values()), CompanySize)
    per_month = _per_month(first_enrolled.values(), period)

    first_pass = [
        SectionRate(row["quiz__section__number"], row["quiz__section__title"], row["total"], row["passed"])
        for row in Attempt.objects.filter(
            number=1, submitted_at__lt=end, user_id__in=population, quiz__section__module_id__in=module_ids
        )
        .order_by("quiz__section__number")
        .values("quiz__section__number", "quiz__section__title")
        .annotate(total=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    ]
    most_missed = _most_missed(population=population, end=end, module_ids=module_ids)

    enrolled_author = Enrollment.objects.filter(cohort_id=OuterRef("session__cohort_id"), user_id=OuterRef("author_id"))
    posts = (
        Idea.objects.filter(session__cohort_id__in=cohort_ids, created_at__gte=start, created_at__lt=end)
        .filter(Exists(enrolled_author))
        .aggregate(
            ideas=Count("pk", filter=Q(relation=Idea.Relation.NEW)),
            builds=Count("pk", filter=~Q(relation=Idea.Relation.NEW)),
            contributors=Count("author_id", distinct=True),
        )
    )
    ideas = IdeaFigures(
        sessions=Session.objects.filter(cohort_id__in=cohort_ids, created_at__gte=start, created_at__lt=end).count(),
        **posts,
    )

    durations = [
        (certificates[key] - learner[5]).total_seconds() / 86400 for key, learner in facts.items() if learner[3]
    ]
    return Report(
        period=period,
        cohorts=cohorts,
        funnel=funnel,
        learners=len(profile),
        businesses=len(businesses),
        by_sector=by_sector,
        by_size=by_size,
        per_month=per_month,
        first_pass=first_pass,
        most_missed=most_missed,
        median_days_to_certificate=round(statistics.median(durations), 1) if durations else None,
        cohort_rows=cohort_rows,
        centre_rows=sorted(centre_rows.values(), key=lambda r: r.centre.name.casefold()),
        ideas=ideas,
    )


def _count(queryset):
    """How many rows ``queryset`` (correlated with OuterRef) has, as a subquery: 0 for none."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _funnel(learners: list[list], *, withdrawn: int | None = None) -> Funnel:
    """A funnel over per-learner facts ``[started, half_read, quizzes_passed, certified, withdrawn, …]``
    (``withdrawn``: a count of the caller's instead, for a cohort's own withdrawals)."""
    funnel = Funnel(enrolled=len(learners))
    for started, half_read, quizzes_passed, certified, withdrawn_everywhere, _enrolled in learners:
        # Plain additions: this runs over every learner several times, and allocates nothing.
        if started:
            funnel.started += 1
        if half_read:
            funnel.half_read += 1
        if quizzes_passed:
            funnel.quizzes_passed += 1
        if certified:
            funnel.certified += 1
        if withdrawn_everywhere:
            funnel.withdrawn += 1
    if withdrawn is not None:
        funnel.withdrawn = withdrawn
    return funnel


def _company_keys(profile: dict) -> dict[str, str | None]:
    """Each company name as typed, normalised once, to its business key (None: no name given)."""
    return {name: _company_key(name) if name.strip() else None for name in {company for company, _, _ in profile.values()}}


def _per_month(moments, period: Period) -> list[tuple[date, int]]:
    """New learners per calendar month of the site's time zone: each month's local midnight as a bound."""
    months = period.months()
    tz = timezone.get_current_timezone()
    following = (months[-1] + timedelta(days=32)).replace(day=1)
    # In UTC, as the database's datetimes come: comparing two datetimes of one tzinfo needs no offsets.
    bounds = [datetime.combine(month, time.min, tzinfo=tz).astimezone(UTC) for month in [*months, following]]
    counts = [0] * len(months)
    for moment in moments:
        index = bisect.bisect_right(bounds, moment) - 1
        if 0 <= index < len(months):
            counts[index] += 1
    return list(zip(months, counts))


def _most_missed(*, population, end, module_ids) -> list[MissedQuestion]:
    """The three questions most often answered wrong at a first attempt (ties: in the module's order)."""
    first_attempts = Attempt.objects.filter(number=1, submitted_at__lt=end, user_id__in=population)
    questions = Question.objects.filter(quiz__section__module_id__in=module_ids)
    counts = (
        Answer.objects.filter(attempt__in=first_attempts.values("pk"), question__in=questions.values("pk"))
        .order_by()
        .values_list("question_id")
        .annotate(answered=Count("pk"), wrong=Count("pk", filter=Q(is_correct=False)))
    )
    wrong = {question_id: (answered, missed) for question_id, answered, missed in counts if missed}
    rows = [
        row for row in questions.order_by().values_list("pk", "text", "quiz__section__number", "position")
        if row[0] in wrong
    ]
    ranked = sorted(rows, key=lambda row: (-wrong[row[0]][1], row[2], row[3], row[0]))[:3]
    return [MissedQuestion(pk, text, number, *wrong[pk]) for pk, text, number, _position in ranked]


def timezone_month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def report_cohorts(user):
    """The cohorts a member of staff may report on: the same rule as every other centre page."""
    return Cohort.objects.visible_to(user)


def centres_of(cohorts) -> list[Centre]:
    return list(Centre.objects.filter(pk__in=cohorts.values("centre_id")).order_by("name"))
