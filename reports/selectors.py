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

Ten queries, whatever the number of cohorts, learners or attempts: scope, intake, slides read,
quiz progress, certificates, module sizes, first-attempt pass rates, the most-missed questions,
and the idea wall's sessions and posts.
Each returns one row per learner (or per section or question), aggregated in the database.
"""
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CompanySector, CompanySize
from centres.models import Centre, Cohort, Enrollment
from ideas.models import Idea, Session
from progress.models import Certificate, SlideView
from quizzes.models import Answer, Attempt
from sections.models import Section

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

    def add(self, facts: "LearnerFacts") -> None:
        self.enrolled += 1
        self.started += facts.started
        self.half_read += facts.half_read
        self.quizzes_passed += facts.quizzes_passed
        self.certified += facts.certified
        self.withdrawn += facts.withdrawn


@dataclass
class LearnerFacts:
    started: bool = False
    half_read: bool = False
    quizzes_passed: bool = False
    certified: bool = False
    withdrawn: bool = False
    certified_at: datetime | None = None
    enrolled_at: datetime | None = None


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
    """The report for ``cohorts`` (a queryset the caller has already scoped to what the user may see)."""
    start, end = period.bounds()
    cohorts = list(cohorts.select_related("centre", "module").order_by("centre__name", "-start_date", "name"))
    cohort_ids = [c.pk for c in cohorts]
    module_ids = sorted({c.module_id for c in cohorts})

    intake = Enrollment.objects.filter(cohort_id__in=cohort_ids, enrolled_at__gte=start, enrolled_at__lt=end)
    population = intake.values("user_id")
    enrollments = list(
        intake.values_list(
            "user_id", "cohort_id", "status", "status_changed_at", "enrolled_at",
            "user__company_name", "user__company_sector", "user__company_size",
        )
    )

    reads = {
        (row["user_id"], row["slide__section__module_id"]): row["n"]
        for row in SlideView.objects.filter(
            user_id__in=population, first_seen__lt=end, slide__is_published=True,
            slide__section__module_id__in=module_ids,
        )
        .order_by()
        .values("user_id", "slide__section__module_id")
        .annotate(n=Count("pk"))
    }
    tries = {
        (row["user_id"], row["quiz__section__module_id"]): row["passed"]
        for row in Attempt.objects.filter(
            user_id__in=population, started_at__lt=end, quiz__section__module_id__in=module_ids
        )
        .order_by()
        .values("user_id", "quiz__section__module_id")
        .annotate(passed=Count("quiz_id", distinct=True, filter=Q(passed=True, submitted_at__lt=end)))
    }
    certificates = {
        (user_id, module_id): issued_at
        for user_id, module_id, issued_at in Certificate.objects.valid()
        .filter(user_id__in=population, issued_at__lt=end, module_id__in=module_ids)
        .values_list("user_id", "module_id", "issued_at")
    }
    sizes = {
        row["module_id"]: row
        for row in Section.objects.filter(module_id__in=module_ids)
        .order_by()
        .values("module_id")
        .annotate(
            slides=Count("slides", filter=Q(slides__is_published=True), distinct=True),
            quizzes=Count("quiz", distinct=True),
        )
    }

    by_cohort = {c.pk: c for c in cohorts}
    cohort_rows = {c.pk: CohortRow(c) for c in cohorts}
    centre_rows: dict[int, CentreRow] = {}
    for c in cohorts:
        row = centre_rows.setdefault(c.centre_id, CentreRow(c.centre))
        row.cohorts += 1

    # One set of facts per learner (and module): the learner, not the enrolment, is what was reached.
    facts: dict[tuple[int, int], LearnerFacts] = {}
    profile: dict[int, tuple[str, str, str]] = {}
    first_enrolled: dict[int, datetime] = {}
    withdrawn_everywhere: dict[tuple[int, int], bool] = {}
    centre_members: dict[int, set] = defaultdict(set)
    centre_businesses: dict[int, set] = defaultdict(set)
    for user_id, cohort_id, status, changed_at, enrolled_at, company, sector, size in enrollments:
        cohort = by_cohort[cohort_id]
        key = (user_id, cohort.module_id)
        withdrawn = status == Enrollment.Status.WITHDRAWN and changed_at < end
        learner = facts.get(key)
        if learner is None:
            module = sizes.get(cohort.module_id, {"slides": 0, "quizzes": 0})
            read = reads.get(key, 0)
            passed = tries.get(key)
            certified_at = certificates.get(key)
            learner = facts[key] = LearnerFacts(
                started=bool(read) or passed is not None,
                half_read=module["slides"] > 0 and 2 * read >= module["slides"],
                quizzes_passed=module["quizzes"] > 0 and (passed or 0) >= module["quizzes"],
                certified=certified_at is not None,
                certified_at=certified_at,
                enrolled_at=enrolled_at,
            )
            withdrawn_everywhere[key] = withdrawn
        else:
            learner.enrolled_at = min(learner.enrolled_at, enrolled_at)
            withdrawn_everywhere[key] = withdrawn_everywhere[key] and withdrawn
        profile[user_id] = (company, sector, size)
        first_enrolled[user_id] = min(first_enrolled.get(user_id, enrolled_at), enrolled_at)
        cohort_facts = LearnerFacts(**{**learner.__dict__, "withdrawn": withdrawn})
        cohort_rows[cohort_id].funnel.add(cohort_facts)
        centre_members[cohort.centre_id].add(key)
        if company.strip():
            centre_businesses[cohort.centre_id].add(_company_key(company))

    for key, learner in facts.items():
        learner.withdrawn = withdrawn_everywhere[key]
    funnel = Funnel()
    for learner in facts.values():
        funnel.add(learner)
    for centre_id, members in centre_members.items():
        row = centre_rows[centre_id]
        for key in members:
            row.funnel.add(facts[key])
        row.businesses = len(centre_businesses[centre_id])

    businesses = {_company_key(company) for company, _, _ in profile.values() if company.strip()}
    by_sector = _breakdown(Counter(sector for _, sector, _ in profile.values()), CompanySector)
    by_size = _breakdown(Counter(size for _, _, size in profile.values()), CompanySize)
    months = Counter(timezone_month(moment) for moment in first_enrolled.values())
    per_month = [(month, months.get(month, 0)) for month in period.months()]

    first_pass = [
        SectionRate(row["quiz__section__number"], row["quiz__section__title"], row["total"], row["passed"])
        for row in Attempt.objects.filter(
            number=1, submitted_at__lt=end, user_id__in=population, quiz__section__module_id__in=module_ids
        )
        .order_by("quiz__section__number")
        .values("quiz__section__number", "quiz__section__title")
        .annotate(total=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    ]
    most_missed = [
        MissedQuestion(
            row["question_id"], row["question__text"], row["question__quiz__section__number"],
            row["answered"], row["wrong"],
        )
        for row in Answer.objects.filter(
            attempt__number=1, attempt__submitted_at__lt=end, attempt__user_id__in=population,
            question__quiz__section__module_id__in=module_ids,
        )
        .values("question_id", "question__text", "question__quiz__section__number", "question__position")
        .annotate(answered=Count("pk"), wrong=Count("pk", filter=Q(is_correct=False)))
        .filter(wrong__gt=0)
        .order_by("-wrong", "question__quiz__section__number", "question__position")[:3]
    ]

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
        (learner.certified_at - learner.enrolled_at).total_seconds() / 86400
        for learner in facts.values()
        if learner.certified_at is not None
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
        cohort_rows=list(cohort_rows.values()),
        centre_rows=sorted(centre_rows.values(), key=lambda r: r.centre.name.casefold()),
        ideas=ideas,
    )


def timezone_month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def report_cohorts(user):
    """The cohorts a member of staff may report on: the same rule as every other centre page."""
    return Cohort.objects.visible_to(user)


def centres_of(cohorts) -> list[Centre]:
    return list(Centre.objects.filter(pk__in=cohorts.values("centre_id")).order_by("name"))
