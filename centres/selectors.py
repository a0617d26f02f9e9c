"""Reads for the centre pages and the learner's environment.

Each function owns its queries, so that a page does the same number of them
for a cohort of 5 learners or of 500 (pinned in tests/test_centres_queries.py).
"""
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Cohort, Enrollment, EnrollmentBatch, Invitation


def _count_subquery(queryset, field="cohort"):
    counted = (
        queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def cohorts_for_staff(user):
    """The cohorts a member of staff may open, with their counts, trainers and centre (2 queries)."""
    now = timezone.now()
    return (
        Cohort.objects.visible_to(user)
        .select_related("centre", "module")
        .prefetch_related("trainers")
        .annotate(
            active_count=_count_subquery(Enrollment.objects.filter(status=Enrollment.Status.ACTIVE)),
            completed_count=_count_subquery(Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)),
            withdrawn_count=_count_subquery(Enrollment.objects.filter(status=Enrollment.Status.WITHDRAWN)),
            invited_count=_count_subquery(Invitation.objects.pending(now)),
        )
        .order_by("centre__name", "-start_date", "name")
    )


@dataclass(frozen=True)
class CohortCounts:
    active: int
    completed: int
    withdrawn: int
    invited: int
    capacity: int | None

    @property
    def places_taken(self) -> int:
        return self.active + self.completed + self.invited

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.places_taken)


def cohort_counts(cohort: Cohort) -> CohortCounts:
    """Learners per status and open invitations (2 queries)."""
    by_status = dict(
        Enrollment.objects.filter(cohort=cohort).order_by().values_list("status").annotate(n=Count("pk"))
    )
    invited = Invitation.objects.filter(cohort=cohort).pending().count()
    return CohortCounts(
        active=by_status.get(Enrollment.Status.ACTIVE, 0),
        completed=by_status.get(Enrollment.Status.COMPLETED, 0),
        withdrawn=by_status.get(Enrollment.Status.WITHDRAWN, 0),
        invited=invited,
        capacity=cohort.capacity,
    )


def cohort_learners(cohort: Cohort, *, status: str | None = None):
    """The cohort's enrolments with each learner (1 query)."""
    enrollments = Enrollment.objects.filter(cohort=cohort).select_related("user")
    if status:
        enrollments = enrollments.filter(status=status)
    return enrollments.order_by("user__name", "user__email")


def company_breakdown(cohort: Cohort):
    """Learners (active or completed) per company, for the centre's reports (1 query)."""
    return (
        Enrollment.objects.filter(cohort=cohort)
        .holding_a_place()
        .order_by()
        .values("user__company_name")
        .annotate(learners=Count("pk"))
        .order_by("-learners", "user__company_name")
    )


def open_invitations(cohort: Cohort):
    """Invitations not yet accepted, newest first (1 query)."""
    return Invitation.objects.filter(cohort=cohort, accepted_at__isnull=True).order_by("-created_at")


def recent_batches(cohort: Cohort, *, limit: int = 5):
    return EnrollmentBatch.objects.filter(cohort=cohort).select_related("created_by").order_by("-created_at")[:limit]


def learner_enrollments(user):
    """A learner's cohorts for "Mijn leeromgeving": active and completed first (2 queries)."""
    return (
        Enrollment.objects.for_user(user)
        .select_related("cohort__centre", "cohort__module")
        .prefetch_related(Prefetch("cohort__trainers"))
        .order_by("status", "-cohort__start_date")
    )


def cohort_by_join_code(code: str):
    return Cohort.objects.select_related("centre", "module").filter(join_code=code).first()


def is_enrolled(user, cohort) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(cohort=cohort, user=user).first()

