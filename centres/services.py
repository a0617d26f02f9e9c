"""Every write about cohorts and enrollments (bulk enrollment: ``bulk.py``).

Enrolling is serialised per cohort: each service that may take a place first
locks the cohort row (``SELECT ... FOR UPDATE``), then asks the selectors why
joining would be refused (places taken included), then writes. Two requests
racing for the last place therefore run one after the other, and the second sees
the cohort full. The unique constraint on (cohort, user) is the last line of
defence against a double enrollment.
"""
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts import mail
from courses.models import Module

from . import selectors
from .models import (
    Centre,
    CentreStaff,
    Cohort,
    Enrollment,
    Invitation,
    PendingJoin,
    hash_token,
    new_join_code,
)

INVITATION_VALID_DAYS = 14
logger = logging.getLogger(__name__)

BuildUrl = Callable[[str], str]  # request.build_absolute_uri: a path → an absolute address


class EnrollmentRefused(Exception):
    """Why someone can't be enrolled (a reason of ``selectors.join_refusal`` or a staff action's);
    ``message`` is for the person in front of the screen."""

    MESSAGES = selectors.REFUSAL_MESSAGES

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self):
        return self.MESSAGES[self.reason]


@dataclass(frozen=True)
class EnrollResult:
    enrollment: Enrollment
    created: bool


def lock_cohort(*, cohort: Cohort) -> Cohort:
    """The cohort row, locked until the end of the transaction (every service that may take a place)."""
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


@transaction.atomic
def enroll(
    *, cohort: Cohort, user: AbstractBaseUser, via_invitation: Invitation | None = None, check_open: bool = True
) -> EnrollResult:
    """Enroll ``user`` in ``cohort``, or return their existing active/completed enrollment.

    Refuses (``EnrollmentRefused``, for the reasons of ``selectors.join_refusal``) a
    deactivated account, a learner whom staff withdrew, an ended, closed or full cohort;
    nothing is written then. ``check_open=False`` is for staff and invitations: a closed
    cohort only stops the join link.
    """
    cohort = lock_cohort(cohort=cohort)
    existing = Enrollment.objects.filter(cohort=cohort, user=user).first()
    refusal = selectors.join_refusal(
        cohort=cohort, user=user, enrollment=existing, invitation=via_invitation, check_open=check_open
    )
    if refusal is not None:
        raise EnrollmentRefused(refusal)
    if existing is not None:
        _mark_invitations_accepted(cohort=cohort, user=user)
        return EnrollResult(existing, created=False)
    now = timezone.now()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(cohort=cohort, user=user, enrolled_at=now, status_changed_at=now)
    except IntegrityError:
        # Only reachable without row locks (SQLite); the lock serialises this on PostgreSQL.
        return EnrollResult(Enrollment.objects.get(cohort=cohort, user=user), created=False)
    _mark_invitations_accepted(cohort=cohort, user=user)
    return EnrollResult(enrollment, created=True)


def _mark_invitations_accepted(*, cohort: Cohort, user: AbstractBaseUser) -> None:
    """Someone invited who joined another way has used their invitation: free the place it kept."""
    Invitation.objects.filter(cohort=cohort, accepted_at__isnull=True).annotate(email_lower=Lower("email")).filter(
        email_lower=user.email.lower()
    ).update(accepted_at=timezone.now(), accepted_by=user)


@transaction.atomic
def set_enrollment_status(*, enrollment: Enrollment, status: str) -> Enrollment:
    """Withdraw an active learner or re-activate a withdrawn one (which needs a free place)."""
    cohort = lock_cohort(cohort=enrollment.cohort)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if status == Enrollment.Status.WITHDRAWN:
        if enrollment.status != Enrollment.Status.ACTIVE:
            raise EnrollmentRefused("not_active")
    elif status == Enrollment.Status.ACTIVE:
        if enrollment.status != Enrollment.Status.WITHDRAWN:
            raise EnrollmentRefused("not_withdrawn")
        left = selectors.places_left(cohort=cohort)
        if left is not None and left <= 0:
            raise EnrollmentRefused("full")
    else:
        raise ValueError(f"Staff can't set status {status!r}.")
    enrollment.status = status
    enrollment.status_changed_at = timezone.now()
    enrollment.save(update_fields=["status", "status_changed_at"])
    return enrollment


@transaction.atomic
def leave_cohort(*, enrollment: Enrollment) -> None:
    """The learner leaves the cohort themselves (issue 13): the enrolment is removed, so the
    cohort's staff no longer see anything of theirs (progress, scores, certificate) and the
    place is free. Their progress in the module stays theirs. As in Moodle's self-unenrol,
    they can join again by the link or a new invitation, which is a new consent."""
    lock_cohort(cohort=enrollment.cohort)
    Enrollment.objects.filter(pk=enrollment.pk).delete()


@transaction.atomic
def create_cohort(
    *,
    centre: Centre,
    module: Module,
    name: str,
    start_date: date,
    end_date: date,
    capacity: int | None = None,
    is_open: bool = True,
    trainers: Iterable[AbstractBaseUser] = (),
) -> Cohort:
    cohort = Cohort.objects.create(
        centre=centre,
        module=module,
        name=name,
        start_date=start_date,
        end_date=end_date,
        capacity=capacity,
        is_open=is_open,
    )
    cohort.trainers.set(trainers)
    return cohort


@transaction.atomic
def update_cohort(*, cohort: Cohort, trainers: Iterable[AbstractBaseUser] | None = None, **fields: object) -> Cohort:
    allowed = {"name", "module", "start_date", "end_date", "capacity", "is_open"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Can't change {sorted(unknown)} here.")
    for name, value in fields.items():
        setattr(cohort, name, value)
    cohort.save(update_fields=list(fields))
    if trainers is not None:
        cohort.trainers.set(trainers)
    return cohort


@transaction.atomic
def regenerate_join_code(*, cohort: Cohort) -> Cohort:
    """A fresh join code: the old link stops working at once (e.g. after it leaked)."""
    cohort = lock_cohort(cohort=cohort)
    old = cohort.join_code
    while True:
        code = new_join_code()
        if code != old and not Cohort.objects.filter(join_code=code).exists():
            break
    cohort.join_code = code
    cohort.save(update_fields=["join_code"])
    return cohort


# --- invitations -------------------------------------------------------------


def new_invitation_token() -> tuple[str, str]:
    """A link's token and the hash that is stored (the raw token exists only in the e-mail)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def resend_invitation(*, invitation: Invitation, by: AbstractBaseUser, build_url: BuildUrl) -> bool:
    """A fresh link (the old one stops working) valid for another two weeks, e-mailed
    again: for an invitation that got lost or expired. Returns whether the mail went out."""
    invitation, message = _renew_invitation(invitation=invitation, by=by, build_url=build_url)
    return send_mails(messages=[message])


@transaction.atomic
def _renew_invitation(*, invitation: Invitation, by: AbstractBaseUser, build_url: BuildUrl) -> tuple[Invitation, EmailMessage]:
    cohort = lock_cohort(cohort=invitation.cohort)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise EnrollmentRefused("invitation_used")
    # An invitation still waiting keeps its place; an expired one kept none and needs a free one again.
    refusal = selectors.join_refusal(cohort=cohort, check_open=False, check_places=invitation.is_expired())
    if refusal is not None:
        raise EnrollmentRefused(refusal)
    token, invitation.token_hash = new_invitation_token()
    invitation.invited_by, invitation.created_at = by, timezone.now()
    invitation.expires_at = invitation.created_at + timedelta(days=INVITATION_VALID_DAYS)
    invitation.save(update_fields=["token_hash", "invited_by", "created_at", "expires_at"])
    invitation.cohort = cohort
    return invitation, invitation_mail(invitation=invitation, token=token, build_url=build_url)


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: AbstractBaseUser) -> EnrollResult:
    """Enrol ``user`` (whose address the invitation was sent to) and close the invitation."""
    if invitation.email.lower() != user.email.lower():
        raise ValueError("An invitation is accepted by the account of its own address.")
    result = enroll(cohort=invitation.cohort, user=user, via_invitation=invitation, check_open=False)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=user)
    return result


@transaction.atomic
def accept_invitation_with_new_account(
    *, invitation: Invitation, password: str, name: str, company_name: str = ""
) -> tuple[AbstractBaseUser, EnrollResult]:
    """Create the invitee's account (its address verified by the link they followed)
    and enrol them. If the enrolment is refused, no account is created either."""
    from accounts.services import create_verified_user

    user = create_verified_user(email=invitation.email, password=password, name=name, company_name=company_name)
    result = accept_invitation(invitation=invitation, user=user)
    return user, result


# --- invitation mails ---------------------------------------------------------


def invitation_mail(*, invitation: Invitation, token: str, build_url: BuildUrl) -> EmailMessage:
    """The invitation e-mail with its link (``centres/email/invitation_*.txt``), in the site's language."""
    context = {
        "invitation": invitation,
        "cohort": invitation.cohort,
        "accept_url": build_url(reverse("centres:invitation", kwargs={"token": token})),
        "valid_days": INVITATION_VALID_DAYS,
    }
    return mail.render_mail(template_prefix="centres/email/invitation", to=invitation.email, context=context)


def send_mails(*, messages: list[EmailMessage]) -> bool:
    """Send through the one mail door; False (and logged) if the mail could not be handed over."""
    if not messages:
        return True
    try:
        for message in messages:
            mail.send(message)
    except Exception:  # noqa: BLE001 - any mail failure is reported, the enrollments stand
        logger.exception("Sending %d enrollment e-mail(s) failed", len(messages))
        return False
    return True


# --- staff -------------------------------------------------------------------

TRAINERS_GROUP = "Trainers"


@transaction.atomic
def grant_trainer_admin_access(*, user: AbstractBaseUser) -> None:
    """Trainers edit the module's content in the admin: staff status plus the Trainers group."""
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=TRAINERS_GROUP)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group)


@transaction.atomic
def add_centre_staff(*, centre: Centre, user: AbstractBaseUser, role: str) -> CentreStaff:
    """Make ``user`` a manager or trainer of ``centre`` (or change their role there)."""
    staff, _created = CentreStaff.objects.update_or_create(centre=centre, user=user, defaults={"role": role})
    if role == CentreStaff.Role.TRAINER:
        grant_trainer_admin_access(user=user)
    return staff


# --- joining by link across e-mail confirmation ---------------------------------


@transaction.atomic
def pending_join_record(*, user: AbstractBaseUser, cohort: Cohort) -> PendingJoin:
    """Remember that ``user`` signed up from ``cohort``'s join link (the last link wins)."""
    pending, _created = PendingJoin.objects.update_or_create(
        user=user,
        defaults={"cohort": cohort, "created_at": timezone.now(), "finished_at": None, "outcome": "",
                  "reason": "", "enrollment": None, "reported_at": None},
    )
    return pending


@transaction.atomic
def pending_join_finish(*, user: AbstractBaseUser) -> PendingJoin | None:
    """Enrol ``user`` in the cohort they signed up for, now that their address is confirmed.

    Called when the address is confirmed (on whatever device) and again at every
    log-in, so a join is finished even if the first call never happened. The same
    rules as the join button apply: a cohort that closed, ended or filled up in the
    meantime refuses, and then nothing is written but the refusal, which the learner
    is told about. Returns the finished join, or ``None`` when there was nothing to do.
    """
    pending = PendingJoin.objects.select_for_update().filter(user=user, finished_at__isnull=True).first()
    if pending is None:
        return None
    try:
        result = enroll(cohort=pending.cohort, user=user)
    except EnrollmentRefused as refusal:
        pending.outcome, pending.reason = PendingJoin.Outcome.REFUSED, refusal.reason
    else:
        pending.outcome, pending.enrollment = PendingJoin.Outcome.ENROLLED, result.enrollment
    pending.finished_at = timezone.now()
    pending.save(update_fields=["outcome", "reason", "enrollment", "finished_at"])
    return pending


@transaction.atomic
def pending_join_take_report(*, user: AbstractBaseUser) -> PendingJoin | None:
    """The finished join the learner has not been told about yet, marked as told (at most once)."""
    pending = (
        PendingJoin.objects.select_for_update().unreported().select_related("cohort__centre")
        .filter(user=user).first()
    )
    if pending is None:
        return None
    pending.reported_at = timezone.now()
    pending.save(update_fields=["reported_at"])
    return pending
