"""Every write about cohorts and enrolments.

Enrolling is serialised per cohort: each service that may take a place first
locks the cohort row (``SELECT ... FOR UPDATE``), then counts the places taken,
then writes. Two requests racing for the last place therefore run one after the
other, and the second sees the cohort full. The unique constraint on
(cohort, user) is the last line of defence against a double enrolment.
"""
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import mail

from .models import (
    Cohort,
    Enrollment,
    EnrollmentBatch,
    Invitation,
    PendingJoin,
    hash_token,
    new_join_code,
)

INVITATION_VALID_DAYS = 14
logger = logging.getLogger(__name__)


class EnrollmentRefused(Exception):
    """Why someone can't be enrolled; ``message`` is for the person in front of the screen."""

    MESSAGES = {
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


def _lock(cohort: Cohort) -> Cohort:
    """The cohort row, locked until the end of the transaction."""
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def places_taken(cohort: Cohort, *, except_invitation: Invitation | None = None, now=None) -> int:
    """Active and completed enrolments, plus invitations still waiting for an answer
    (a place is kept for everyone a centre invited)."""
    enrolled = Enrollment.objects.filter(cohort=cohort).holding_a_place().count()
    invitations = Invitation.objects.filter(cohort=cohort).pending(now)
    if except_invitation is not None:
        invitations = invitations.exclude(pk=except_invitation.pk)
    return enrolled + invitations.count()


def places_left(cohort: Cohort, **kwargs) -> int | None:
    if cohort.capacity is None:
        return None
    return max(0, cohort.capacity - places_taken(cohort, **kwargs))


def join_refusal(cohort: Cohort, *, today=None) -> str | None:
    """Why the join link can't be used right now, without looking at places (no lock)."""
    if cohort.has_ended(today):
        return "ended"
    if not cohort.is_open:
        return "closed"
    return None


@transaction.atomic
def enroll(*, cohort: Cohort, user, via_invitation: Invitation | None = None, check_open: bool = True) -> EnrollResult:
    """Enrol ``user`` in ``cohort``, or return their existing active/completed enrolment.

    Refuses (``EnrollmentRefused``) a closed or ended cohort, a full one and a
    learner whom staff withdrew; nothing is written then. ``check_open=False`` is
    for staff and invitations: a closed cohort only stops the join link.
    """
    if not user.is_active:
        raise EnrollmentRefused("inactive")
    cohort = _lock(cohort)
    existing = Enrollment.objects.filter(cohort=cohort, user=user).first()
    if existing is not None:
        if existing.status == Enrollment.Status.WITHDRAWN:
            raise EnrollmentRefused("withdrawn")
        _mark_invitations_accepted(cohort=cohort, user=user)
        return EnrollResult(existing, created=False)
    if cohort.has_ended():
        raise EnrollmentRefused("ended")
    if check_open and not cohort.is_open:
        raise EnrollmentRefused("closed")
    own_invitation = via_invitation or _pending_invitation_for(cohort=cohort, email=user.email)
    left = places_left(cohort, except_invitation=own_invitation)
    if left is not None and left <= 0:
        raise EnrollmentRefused("full")
    now = timezone.now()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(cohort=cohort, user=user, enrolled_at=now, status_changed_at=now)
    except IntegrityError:
        # Only reachable without row locks (SQLite); the lock serialises this on PostgreSQL.
        return EnrollResult(Enrollment.objects.get(cohort=cohort, user=user), created=False)
    _mark_invitations_accepted(cohort=cohort, user=user)
    return EnrollResult(enrollment, created=True)


def _pending_invitation_for(*, cohort: Cohort, email: str) -> Invitation | None:
    return (
        Invitation.objects.filter(cohort=cohort).pending().annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .first()
    )


def _mark_invitations_accepted(*, cohort: Cohort, user) -> None:
    """Someone invited who joined another way has used their invitation: free the place it kept."""
    Invitation.objects.filter(cohort=cohort, accepted_at__isnull=True).annotate(email_lower=Lower("email")).filter(
        email_lower=user.email.lower()
    ).update(accepted_at=timezone.now(), accepted_by=user)


@transaction.atomic
def set_enrollment_status(*, enrollment: Enrollment, status: str) -> Enrollment:
    """Withdraw an active learner or re-activate a withdrawn one (which needs a free place)."""
    cohort = _lock(enrollment.cohort)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if status == Enrollment.Status.WITHDRAWN:
        if enrollment.status != Enrollment.Status.ACTIVE:
            raise EnrollmentRefused("not_active")
    elif status == Enrollment.Status.ACTIVE:
        if enrollment.status != Enrollment.Status.WITHDRAWN:
            raise EnrollmentRefused("not_withdrawn")
        left = places_left(cohort)
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
    _lock(enrollment.cohort)
    Enrollment.objects.filter(pk=enrollment.pk).delete()


@transaction.atomic
def create_cohort(*, centre, module, name, start_date, end_date, capacity=None, is_open=True, trainers=()) -> Cohort:
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
def update_cohort(*, cohort: Cohort, trainers=None, **fields) -> Cohort:
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
    cohort = _lock(cohort)
    old = cohort.join_code
    while True:
        code = new_join_code()
        if code != old and not Cohort.objects.filter(join_code=code).exists():
            break
    cohort.join_code = code
    cohort.save(update_fields=["join_code"])
    return cohort


# --- invitations -------------------------------------------------------------


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def invitation_for_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("cohort__centre", "cohort__module").filter(token_hash=hash_token(token)).first()


def resend_invitation(*, invitation: Invitation, by, build_url) -> bool:
    """A fresh link (the old one stops working) valid for another two weeks, e-mailed
    again: for an invitation that got lost or expired. Returns whether the mail went out."""
    invitation, mail = _renew_invitation(invitation=invitation, by=by, build_url=build_url)
    return _send([mail])


@transaction.atomic
def _renew_invitation(*, invitation: Invitation, by, build_url) -> tuple[Invitation, EmailMessage]:
    cohort = _lock(invitation.cohort)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise EnrollmentRefused("invitation_used")
    if cohort.has_ended():
        raise EnrollmentRefused("ended")
    if invitation.is_expired():  # an expired invitation kept no place: it needs a free one again
        left = places_left(cohort)
        if left is not None and left <= 0:
            raise EnrollmentRefused("full")
    token, invitation.token_hash = _new_token()
    invitation.invited_by, invitation.created_at = by, timezone.now()
    invitation.expires_at = invitation.created_at + timedelta(days=INVITATION_VALID_DAYS)
    invitation.save(update_fields=["token_hash", "invited_by", "created_at", "expires_at"])
    invitation.cohort = cohort
    return invitation, _invitation_mail(invitation=invitation, token=token, build_url=build_url)


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> EnrollResult:
    """Enrol ``user`` (whose address the invitation was sent to) and close the invitation."""
    if invitation.email.lower() != user.email.lower():
        raise ValueError("An invitation is accepted by the account of its own address.")
    result = enroll(cohort=invitation.cohort, user=user, via_invitation=invitation, check_open=False)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=user)
    return result


@transaction.atomic
def accept_invitation_with_new_account(*, invitation: Invitation, password: str, name: str, company_name: str = ""):
    """Create the invitee's account (its address verified by the link they followed)
    and enrol them. If the enrolment is refused, no account is created either."""
    from accounts.services import create_verified_user

    user = create_verified_user(email=invitation.email, password=password, name=name, company_name=company_name)
    result = accept_invitation(invitation=invitation, user=user)
    return user, result


# --- bulk enrolment ----------------------------------------------------------


class Outcome:
    ENROLLED = "enrolled"
    INVITED = "invited"
    ALREADY_ENROLLED = "already_enrolled"
    ALREADY_INVITED = "already_invited"
    REJECTED = "rejected"

    LABELS = {
        ENROLLED: _("ingeschreven"),
        INVITED: _("uitnodiging verstuurd"),
        ALREADY_ENROLLED: _("al ingeschreven"),
        ALREADY_INVITED: _("al uitgenodigd"),
        REJECTED: _("afgewezen"),
    }
    REASONS = {
        "bad_address": _("ongeldig e-mailadres"),
        "duplicate": _("dubbele regel: dit adres staat al eerder in de lijst"),
        "full": _("cohort vol"),
        "inactive": _("account gedeactiveerd"),
        "withdrawn": _("uitgeschreven; activeer de deelnemer opnieuw in de deelnemerslijst"),
        "completed": _("heeft het cohort al afgerond"),
        "ended": _("cohort is afgelopen"),
    }


@dataclass
class BulkRow:
    line: int
    email: str
    name: str = ""
    company: str = ""
    error: str = ""  # a reason code from Outcome.REASONS, set while parsing


def _send(messages: list[EmailMessage]) -> bool:
    """Send through the one mail door; False (and logged) if the mail could not be handed over."""
    if not messages:
        return True
    try:
        for message in messages:
            mail.send(message)
    except Exception:  # noqa: BLE001 - any mail failure is reported, the enrolments stand
        logger.exception("Sending %d enrolment e-mail(s) failed", len(messages))
        return False
    return True


def _invitation_mail(*, invitation: Invitation, token: str, build_url) -> EmailMessage:
    context = {
        "invitation": invitation,
        "cohort": invitation.cohort,
        "accept_url": build_url(reverse("centres:invitation", kwargs={"token": token})),
        "valid_days": INVITATION_VALID_DAYS,
    }
    # In the site's language, whatever language the member of staff reads the site in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("centres/email/invitation_subject.txt", context).strip()
        body = render_to_string("centres/email/invitation_message.txt", context)
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[invitation.email])


def bulk_enroll(*, cohort: Cohort, rows: list[BulkRow], by, source: str, filename: str = "", build_url) -> EnrollmentBatch:
    """Invite everyone on the list (with an account or without: each accepts the
    invitation before they are enrolled), row by row, keep the report, then e-mail
    the people concerned (after the data is committed).

    Idempotent: a second run of the same list finds everyone already enrolled
    or already invited and changes nothing (no second e-mail either). Rows that
    can't be handled are reported, never half-done: each row is enrolled,
    invited or left alone. ``batch.mail_sent`` tells whether the e-mails went out.
    """
    batch, mails = _bulk_enroll_rows(
        cohort=cohort, rows=rows, by=by, source=source, filename=filename, build_url=build_url
    )
    batch.mail_sent = _send(mails)
    return batch


@transaction.atomic
def _bulk_enroll_rows(*, cohort, rows, by, source, filename, build_url) -> tuple[EnrollmentBatch, list[EmailMessage]]:
    User = get_user_model()
    cohort = _lock(cohort)
    now = timezone.now()
    emails = {row.email.lower() for row in rows if not row.error}
    users = {
        u.email_lower: u
        for u in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    enrollments = {
        e.user_id: e for e in Enrollment.objects.filter(cohort=cohort, user__in=[u.pk for u in users.values()])
    }
    invitations = {
        i.email_lower: i
        for i in Invitation.objects.filter(cohort=cohort).annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    left = places_left(cohort, now=now)
    ended = cohort.has_ended()
    seen: set[str] = set()
    mails: list[EmailMessage] = []
    report = []

    def add(row, outcome, reason=""):
        report.append(
            {"line": row.line, "email": row.email, "name": row.name, "company": row.company, "outcome": outcome, "reason": reason}
        )

    for row in rows:
        key = row.email.lower()
        if row.error:
            add(row, Outcome.REJECTED, row.error)
            continue
        if key in seen:
            add(row, Outcome.REJECTED, "duplicate")
            continue
        seen.add(key)
        user = users.get(key)
        enrollment = enrollments.get(user.pk) if user is not None else None
        if enrollment is not None:
            # Already in this cohort (their own choice): staff see them on the cohort page anyway.
            reason = {"withdrawn": "withdrawn", "completed": "completed"}.get(enrollment.status, "")
            add(row, Outcome.ALREADY_ENROLLED, reason)
            continue
        # Consent (issue 13): an address with an account gets an invitation too, exactly like an
        # unknown one, and nothing of theirs reaches the cohort's staff until they accept it. The
        # report reads the same for both, so the form can't be used to test for accounts.
        invitation = invitations.get(key)
        if invitation is not None and invitation.accepted_at is None and not invitation.is_expired(now):
            add(row, Outcome.ALREADY_INVITED)
            continue
        if ended:
            add(row, Outcome.REJECTED, "ended")
            continue
        if left is not None and left <= 0:
            add(row, Outcome.REJECTED, "full")
            continue
        token, token_hash = _new_token()
        expires = now + timedelta(days=INVITATION_VALID_DAYS)
        if invitation is None:
            invitation = Invitation.objects.create(
                cohort=cohort,
                email=row.email,
                name=row.name,
                company_name=row.company,
                token_hash=token_hash,
                invited_by=by,
                created_at=now,
                expires_at=expires,
            )
        else:  # expired, or accepted by an account that no longer exists: invite again
            invitation.name, invitation.company_name = row.name or invitation.name, row.company or invitation.company_name
            invitation.token_hash, invitation.invited_by, invitation.created_at = token_hash, by, now
            invitation.expires_at, invitation.accepted_at, invitation.accepted_by = expires, None, None
            invitation.save()
        invitation.cohort = cohort
        if left is not None:
            left -= 1
        mails.append(_invitation_mail(invitation=invitation, token=token, build_url=build_url))
        add(row, Outcome.INVITED)

    batch = EnrollmentBatch.objects.create(
        cohort=cohort, created_by=by, created_at=now, source=source, filename=filename[:255], rows=report
    )
    return batch, mails


def _pending_keys(invitations: dict, now) -> set[str]:
    return {key for key, inv in invitations.items() if inv.accepted_at is None and not inv.is_expired(now)}


# --- staff -------------------------------------------------------------------

TRAINERS_GROUP = "Trainers"


@transaction.atomic
def grant_trainer_admin_access(*, user) -> None:
    """Trainers edit the module's content in the admin: staff status plus the Trainers group."""
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=TRAINERS_GROUP)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group)


@transaction.atomic
def add_centre_staff(*, centre, user, role: str):
    """Make ``user`` a manager or trainer of ``centre`` (or change their role there)."""
    from .models import CentreStaff

    staff, _created = CentreStaff.objects.update_or_create(centre=centre, user=user, defaults={"role": role})
    if role == CentreStaff.Role.TRAINER:
        grant_trainer_admin_access(user=user)
    return staff


# --- joining by link across e-mail confirmation ---------------------------------


@transaction.atomic
def pending_join_record(*, user, cohort: Cohort) -> PendingJoin:
    """Remember that ``user`` signed up from ``cohort``'s join link (the last link wins)."""
    pending, _created = PendingJoin.objects.update_or_create(
        user=user,
        defaults={"cohort": cohort, "created_at": timezone.now(), "finished_at": None, "outcome": "",
                  "reason": "", "enrollment": None, "reported_at": None},
    )
    return pending


def pending_join_for(*, user) -> PendingJoin | None:
    """The cohort a new account is waiting to join (for the verification e-mail), or ``None``."""
    return PendingJoin.objects.unfinished().select_related("cohort__centre").filter(user=user).first()


@transaction.atomic
def pending_join_finish(*, user) -> PendingJoin | None:
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
def pending_join_take_report(*, user) -> PendingJoin | None:
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
