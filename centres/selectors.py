"""Reads for the centre pages and the learner's environment.

Each function owns its queries, so that a page does the same number of them
for a cohort of 5 learners or of 500 (pinned in tests/test_centres_queries.py).

Two rules are defined here once and used by every page and service that needs them:
*places taken* (:func:`places_taken`, :func:`places_left`, and ``CohortCounts`` from counts
already made) and *why joining is refused* (:func:`join_refusal`).
"""
import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Cohort, Enrollment, EnrollmentBatch, Invitation, PendingJoin, hash_token

# --- places taken and join refusal: the one definition --------------------------------------


def _taken(*, holding_a_place: int, invited: int) -> int:
    """A place is taken by an active or completed enrollment and by an invitation still waiting
    for an answer (a place is kept for everyone a centre invited); a withdrawn learner frees theirs."""
    return holding_a_place + invited


def _left(*, capacity: int | None, taken: int) -> int | None:
    return None if capacity is None else max(0, capacity - taken)


def places_taken(
    *, cohort: Cohort, except_invitation: Invitation | None = None, now: datetime.datetime | None = None
) -> int:
    """The places taken in ``cohort`` (2 queries); ``except_invitation`` is the place of the one
    who is joining now (their own invitation does not stand in their way)."""
    holding = Enrollment.objects.filter(cohort=cohort).holding_a_place().count()
    invitations = Invitation.objects.filter(cohort=cohort).pending(now)
    if except_invitation is not None:
        invitations = invitations.exclude(pk=except_invitation.pk)
    return _taken(holding_a_place=holding, invited=invitations.count())


def places_left(
    *, cohort: Cohort, except_invitation: Invitation | None = None, now: datetime.datetime | None = None
) -> int | None:
    """Free places, or ``None`` for a cohort without a maximum (then no query)."""
    if cohort.capacity is None:
        return None
    return _left(capacity=cohort.capacity, taken=places_taken(cohort=cohort, except_invitation=except_invitation, now=now))


def pending_invitation_for(*, cohort: Cohort, email: str) -> Invitation | None:
    """The invitation to ``cohort`` still waiting for ``email`` (any case), if there is one (1 query)."""
    return (
        Invitation.objects.filter(cohort=cohort).pending().annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .first()
    )


# Why someone can't join, for the person in front of the screen (the join page, the join button,
# an invitation, a staff action). ``services.EnrollmentRefused`` carries one of these reasons.
REFUSAL_MESSAGES = {
    "closed": _(
        "Dit cohort is gesloten: via deze link kan niemand zich meer inschrijven. "
        "Neem contact op met je ondernemerscentrum als je toch wilt meedoen."
    ),
    "ended": _("Dit cohort is al afgelopen. Vraag je ondernemerscentrum naar een volgend cohort."),
    "full": _("Dit cohort is vol: alle plaatsen zijn bezet. Vraag je ondernemerscentrum naar een volgend cohort."),
    "withdrawn": _(
        "Je bent uitgeschreven uit dit cohort. Wil je weer meedoen? Vraag je trainer of je "
        "ondernemerscentrum om je inschrijving weer te activeren."
    ),
    "inactive": _("Dit account is gedeactiveerd."),
    "not_withdrawn": _("Alleen een uitgeschreven deelnemer kan weer actief worden."),
    "not_active": _("Alleen een actieve deelnemer kan worden uitgeschreven."),
    "invitation_used": _("Deze uitnodiging is al aangenomen."),
}


def join_refusal(
    *,
    cohort: Cohort,
    user=None,
    enrollment: Enrollment | None = None,
    invitation: Invitation | None = None,
    check_open: bool = True,
    check_places: bool = True,
    today: datetime.date | None = None,
) -> str | None:
    """Why joining ``cohort`` is refused right now (a key of ``REFUSAL_MESSAGES``), or ``None``.

    In this order: a deactivated account (``user``); a learner whom staff withdrew (their
    ``enrollment`` in the cohort; someone active or completed is in already: ``None``); an ended
    cohort; a closed one (``check_open=False`` for staff and invitations: closing only stops the
    join link); a full one (``check_places=False`` skips the count). The joiner's own pending
    invitation (``invitation``, or the one for ``user``'s address) keeps a place for them.
    Queries: none for the cohort's own state, 2–3 for the places of a cohort with a maximum.
    """
    if user is not None and user.is_authenticated and not user.is_active:
        return "inactive"
    if enrollment is not None:
        return "withdrawn" if enrollment.status == Enrollment.Status.WITHDRAWN else None
    if cohort.has_ended(today):
        return "ended"
    if check_open and not cohort.is_open:
        return "closed"
    if check_places and cohort.capacity is not None:
        if invitation is None and user is not None and user.is_authenticated:
            invitation = pending_invitation_for(cohort=cohort, email=user.email)
        left = places_left(cohort=cohort, except_invitation=invitation)
        if left is not None and left <= 0:
            return "full"
    return None


# --- the centre pages -----------------------------------------------------------------------


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
        return _taken(holding_a_place=self.active + self.completed, invited=self.invited)

    @property
    def places_left(self) -> int | None:
        return _left(capacity=self.capacity, taken=self.places_taken)


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


def cohort_by_join_code(code: str) -> Cohort | None:
    return Cohort.objects.select_related("centre", "module").filter(join_code=code).first()


def is_enrolled(user, cohort: Cohort) -> Enrollment | None:
    """The user's enrollment in ``cohort`` whatever its status, or ``None`` (1 query; none when anonymous)."""
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(cohort=cohort, user=user).first()


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to (stored hashed), or ``None`` (1 query)."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("cohort__centre", "cohort__module").filter(token_hash=hash_token(token)).first()


def pending_join_for(*, user) -> PendingJoin | None:
    """The cohort a new account is waiting to join (for the verification e-mail), or ``None``."""
    return PendingJoin.objects.unfinished().select_related("cohort__centre").filter(user=user).first()

