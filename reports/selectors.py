"""The figures centres report to the programme, in a fixed number of queries.

What is counted, and why:

* **Who**: the learners whose enrolment in one of the report's cohorts started in the period
  (the cohort's intake in that period). A learner in two of those cohorts counts once in the
  totals and once in each cohort's row. Withdrawn learners stay in the intake (they were
  reached) and are also counted as withdrawn, so a funder sees both.
* **How far they got**, by the end of the period: started (read a slide or started a quiz),
  read at least half of the module's published slides, passed every quiz of the module, and
  holds a valid certificate. These come from each learner's progress row in the module
  (``progress.LearnerProgress``: when each stage was reached, kept in the transaction of the read
  or the attempt that reached it, and recounted when a module's slides or quizzes change) and
  the ``Certificate`` table, with the dashboard's rules: a draft slide counts for nobody, a
  revoked certificate does not count. A stage counts when its moment is before the period's end.
* **Learning**: first attempts only (what a learner understood from reading, before feedback
  taught the answer), as the dashboard's item analysis does. The answers of first attempts are
  counted from ``quizzes.FirstAttemptAnswer`` (a narrow copy of each, written with it), not from
  every answer joined to its attempt.

Eight queries, whatever the number of cohorts, learners or attempts: scope, the funnels (per
cohort, plus the rare learners enrolled in more than one of the report's cohorts, so that centres
and the total count each learner once), reach (per centre, business, sector, size and month, plus
the learners enrolled more than once), the median time to a certificate, first-attempt pass rates,
the module's questions ranked by their wrong first-attempt answers (the most missed), and the idea
wall's sessions and posts. Each comes back summed by the database, never as a row per learner.
"""
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CompanySector, CompanySize
from centres.models import Centre, Cohort, Enrollment
from ideas.models import Idea, Session
from quizzes.models import Attempt, FirstAttemptAnswer, Question, Quiz

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

    The database counts: every figure comes back already summed (per cohort, per centre, per
    sector, per month, per section, per question), never as a row per learner, so the time does not
    grow with Python work per learner. How far each learner got is read from their progress row
    (``progress.LearnerProgress``: the moment each stage was reached, kept as they go), not from the
    450,000 slides read and attempts behind it.
    """
    start, end = period.bounds()
    cohorts = list(cohorts.select_related("centre", "module").order_by("centre__name", "-start_date", "name"))
    cohort_ids = [c.pk for c in cohorts]
    module_ids = sorted({c.module_id for c in cohorts})

    intake = Enrollment.objects.filter(
        cohort_id__in=cohort_ids, enrolled_at__gte=start, enrolled_at__lt=end
    ).order_by()  # the model's ordering (by name) would sort rows nobody reads in order
    population = intake.values("user_id")

    funnels = _funnels(intake, end=end)
    _sum_funnels(funnels, cohorts)
    reach = _reach(intake, period)
    centre_rows: dict[int, CentreRow] = {}
    for c in cohorts:
        row = centre_rows.setdefault(c.centre_id, CentreRow(c.centre, funnels.centres[c.centre_id]))
        row.cohorts += 1
        row.businesses = len(reach.businesses_per_centre.get(c.centre_id, ()))
    cohort_rows = [CohortRow(c, funnels.cohorts[c.pk]) for c in cohorts]
    per_month = [(month, reach.per_month[month]) for month in period.months()]

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

    return Report(
        period=period,
        cohorts=cohorts,
        funnel=funnels.total,
        learners=reach.learners,
        businesses=len(reach.businesses),
        by_sector=_breakdown(reach.by_sector, CompanySector),
        by_size=_breakdown(reach.by_size, CompanySize),
        per_month=per_month,
        first_pass=first_pass,
        most_missed=most_missed,
        median_days_to_certificate=_median_days_to_certificate(intake, end=end),
        cohort_rows=cohort_rows,
        centre_rows=sorted(centre_rows.values(), key=lambda r: r.centre.name.casefold()),
        ideas=ideas,
    )


@dataclass
class _Funnels:
    total: Funnel
    cohorts: dict[int, Funnel]
    centres: dict[int, Funnel]
    # (user, module) → that learner's rows, one per enrolment, when they have more than one in the intake
    repeated: dict[tuple[int, int], list[tuple]]


_BY_COHORT, _TWICE = 1, 2


def _stages(end) -> dict[str, Q]:
    """What each stage means by the end of the period, on an enrolment joined to its learner's progress
    row in the cohort's module (``progress``) and their valid certificate in it (``certificate``)."""
    return {
        "started": Q(progress__started_at__lt=end),
        "half_read": Q(progress__half_read_at__lt=end),
        "quizzes_passed": Q(progress__quizzes_passed_at__lt=end),
        "certified": Q(certificate__issued_at__lt=end),
    }


def _with_progress(intake):
    """The enrolments joined to their learner's progress row and valid certificate in the cohort's
    module: at most one of each (one row per learner and module; one current certificate). Joined
    through the cohort's module (one row), not through the learner's account (one per learner)."""
    return intake.alias(
        progress=FilteredRelation(
            "cohort__module__learner_progress",
            condition=Q(cohort__module__learner_progress__user_id=F("user_id")),
        ),
        certificate=FilteredRelation(
            "cohort__module__certificates",
            condition=Q(
                cohort__module__certificates__user_id=F("user_id"),
                cohort__module__certificates__revoked_at__isnull=True,
                cohort__module__certificates__replaced_by__isnull=True,
            ),
        ),
    )


def _funnels(intake, *, end) -> _Funnels:
    """The funnel per cohort, per centre and in total, in one query of one row per cohort, plus one row per
    enrolment of a learner enrolled in more than one of the report's cohorts of a module (rare).

    A cohort's row counts its enrolments, and its own withdrawals. A centre's row and the total count
    each learner once per module (one learner in two cohorts is one learner reached), as withdrawn when
    every one of their enrolments there was withdrawn by the end of the period. A learner's stages are
    the same in each of their cohorts of a module (one progress row, one certificate), so the sums of
    the cohorts' rows are exact but for those learners, whom the second part of the query names.
    """
    joined = _with_progress(intake)
    stages = {name: Count("pk", filter=condition) for name, condition in _stages(end).items()}
    withdrawn = Q(status=Enrollment.Status.WITHDRAWN, status_changed_at__lt=end)
    kind = IntegerField()
    per_cohort = (
        joined.values("cohort_id")
        .annotate(kind=Value(_BY_COHORT, output_field=kind), a=F("cohort_id"), b=Value(None, output_field=kind),
                  c=Value(None, output_field=kind), enrolled=Count("pk"), **stages, withdrawn=Count("pk", filter=withdrawn))
        .values_list("kind", "a", "b", "c", "enrolled", *stages, "withdrawn")
    )
    again = intake.filter(user_id=OuterRef("user_id"), cohort__module_id=OuterRef("cohort__module_id")).exclude(
        pk=OuterRef("pk")
    )
    one = Value(1, output_field=kind)

    def flag(condition):
        return Case(When(condition, then=one), default=Value(0, output_field=kind), output_field=kind)

    twice = (
        joined.filter(Exists(again))
        .annotate(kind=Value(_TWICE, output_field=kind), a=F("cohort__centre_id"), b=F("cohort__module_id"),
                  c=F("user_id"), enrolled=one, **{name: flag(condition) for name, condition in _stages(end).items()},
                  withdrawn=flag(withdrawn))
        .values_list("kind", "a", "b", "c", "enrolled", *stages, "withdrawn")
    )
    result = _Funnels(total=Funnel(), cohorts={}, centres={}, repeated={})
    for row in per_cohort.union(twice, all=True):
        if row[0] == _BY_COHORT:
            result.cohorts[row[1]] = Funnel(*row[4:9], withdrawn=row[9])
        else:
            result.repeated.setdefault((row[3], row[2]), []).append(row)
    return result


def _add(funnel: Funnel, other: Funnel, sign: int = 1) -> None:
    for name in (*Funnel.STAGES, "withdrawn"):
        setattr(funnel, name, getattr(funnel, name) + sign * getattr(other, name))


def _sum_funnels(funnels: _Funnels, cohorts: list[Cohort]) -> None:
    """The centres' and the total funnel: their cohorts' rows added up, then each learner enrolled in more
    than one of them (of one module) counted once, and as withdrawn only if withdrawn from all."""
    for c in cohorts:
        row = funnels.cohorts.setdefault(c.pk, Funnel())
        _add(funnels.centres.setdefault(c.centre_id, Funnel()), row)
        _add(funnels.total, row)
    for rows in funnels.repeated.values():
        # rows: (kind, centre, module, user, 1, started, half_read, quizzes_passed, certified, withdrawn) per enrolment
        _correct(funnels.total, rows)
        by_centre: dict[int, list[tuple]] = {}
        for row in rows:
            by_centre.setdefault(row[1], []).append(row)
        for centre_id, centre_rows in by_centre.items():
            _correct(funnels.centres[centre_id], centre_rows)


def _correct(funnel: Funnel, rows: list[tuple]) -> None:
    """``rows``: one learner's enrolments (of one module) that ``funnel`` counted each; count them once."""
    if len(rows) < 2:
        return
    extra = len(rows) - 1
    first = rows[0]
    funnel.enrolled -= extra
    for index, name in enumerate(("started", "half_read", "quizzes_passed", "certified"), start=5):
        setattr(funnel, name, getattr(funnel, name) - extra * first[index])
    withdrawn = sum(row[9] for row in rows)
    funnel.withdrawn -= withdrawn - (1 if withdrawn == len(rows) else 0)


@dataclass
class _Reach:
    learners: int
    by_sector: Counter
    by_size: Counter
    per_month: Counter
    businesses: set
    businesses_per_centre: dict[int, set]


_GROUP, _REPEATED = 1, 2


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _reach(intake, period: Period) -> _Reach:
    """Unique learners by sector, size and the month of their first enrolment in the intake (they give one
    each), and the businesses per centre, in one query of one row per (centre, business name, sector,
    size, month), plus one row per enrolment of a learner enrolled more than once in the intake (rare).

    The enrolments are counted as they come, then each learner enrolled more than once is counted once,
    in the month of their first enrolment (the calendar month in the site's time zone).
    """
    tz = timezone.get_current_timezone()
    number, text = IntegerField(), CharField()
    # Which of the period's months, by comparing with each month's local midnight: plain SQL on both
    # databases (SQLite's time zone functions are Python, called once per row).
    months = period.months()
    following = [datetime.combine(m, time.min, tzinfo=tz) for m in [*months[1:], _next_month(months[-1])]]
    month = Case(*(When(enrolled_at__lt=bound, then=Value(i)) for i, bound in enumerate(following)),
                 default=Value(len(months) - 1), output_field=number)
    grouped = (
        intake.annotate(month=month)
        .values("cohort__centre_id", "user__company_name", "user__company_sector", "user__company_size", "month")
        .annotate(kind=Value(_GROUP, output_field=number), centre=F("cohort__centre_id"), a=F("user__company_name"),
                  b=F("user__company_sector"), c=F("user__company_size"), m=F("month"), n=Count("pk"))
        .values_list("kind", "centre", "a", "b", "c", "m", "n")
    )
    again = intake.filter(user_id=OuterRef("user_id")).exclude(pk=OuterRef("pk"))
    repeated = (
        intake.filter(Exists(again))
        .annotate(kind=Value(_REPEATED, output_field=number), centre=Value(None, output_field=number),
                  a=Value(None, output_field=text), b=F("user__company_sector"), c=F("user__company_size"), m=month,
                  n=F("user_id"))
        .values_list("kind", "centre", "a", "b", "c", "m", "n")
    )
    reach = _Reach(learners=0, by_sector=Counter(), by_size=Counter(), per_month=Counter(), businesses=set(),
                   businesses_per_centre={})
    names = {}
    again_by_user: dict[int, list[tuple]] = {}
    for kind, centre_id, company, sector, size, moment, n in grouped.union(repeated, all=True):
        if kind == _REPEATED:
            again_by_user.setdefault(n, []).append((sector, size, months[moment]))
            continue
        reach.learners += n
        reach.by_sector[sector] += n
        reach.by_size[size] += n
        reach.per_month[months[moment]] += n
        key = names.get(company)
        if key is None:
            key = names[company] = _company_key(company) if company.strip() else ""
        if key:
            reach.businesses.add(key)
            reach.businesses_per_centre.setdefault(centre_id, set()).add(key)
    for rows in again_by_user.values():
        extra = len(rows) - 1
        sector, size, _month = rows[0]
        reach.learners -= extra
        reach.by_sector[sector] -= extra
        reach.by_size[size] -= extra
        for _sector, _size, moment in rows:
            reach.per_month[moment] -= 1
        reach.per_month[min(moment for *_, moment in rows)] += 1
    return reach


def _median_days_to_certificate(intake, *, end) -> float | None:
    """The median of (certificate − first enrolment in the intake) over the certified learners: one row
    per certified learner and module (the database finds each one's first enrolment)."""
    durations = [
        (issued - first).total_seconds() / 86400
        for first, issued in _with_progress(intake)
        .filter(certificate__issued_at__lt=end)
        .values("user_id", "cohort__module_id")
        .annotate(first=Min("enrolled_at"), issued=Min("certificate__issued_at"))
        .values_list("first", "issued")
    ]
    return round(statistics.median(durations), 1) if durations else None


def _most_missed(*, population, end, module_ids) -> list[MissedQuestion]:
    """The three questions most often answered wrong at a first attempt (ties: in the module's order).

    One query: the module's questions, each with its wrong first-attempt answers counted from the
    narrow ``FirstAttemptAnswer`` rows (one range of one index per question, read from the index
    alone), ranked and cut to three by the database, and only those three with all their first-attempt
    answers counted (PostgreSQL evaluates an expensive column after the LIMIT).
    """
    quizzes = Quiz.objects.filter(section__module_id__in=module_ids).values("pk")
    first = FirstAttemptAnswer.objects.filter(
        # The module is that of the attempt's quiz, as with the attempts themselves: the question's own
        # quiz (answered where it is now: nearly every row, settled by the first test) or another quiz
        # of the report's modules (a question moved since).
        Q(quiz_id=OuterRef("quiz_id")) | Q(quiz_id__in=quizzes),
        question_id=OuterRef("pk"), submitted_at__lt=end, user_id__in=population,
    ).order_by()

    def counted(answers):
        # COUNT(*) without GROUP BY: one row, 0 when there is nothing to count; of no column outside the index.
        return Subquery(answers.values(n=Func(template="COUNT(*)", output_field=IntegerField())))

    ranked = (
        Question.objects.filter(quiz__section__module_id__in=module_ids)
        .annotate(answered=counted(first), wrong=counted(first.filter(is_correct=False)))
        .order_by("-wrong", "quiz__section__number", "position", "pk")
        .values_list("pk", "text", "quiz__section__number", "answered", "wrong")[:3]
    )
    return [MissedQuestion(*row) for row in ranked if row[4]]


def timezone_month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def report_cohorts(user):
    """The cohorts a member of staff may report on: the same rule as every other centre page."""
    return Cohort.objects.visible_to(user)


def centres_of(cohorts) -> list[Centre]:
    return list(Centre.objects.filter(pk__in=cohorts.values("centre_id")).order_by("name"))
