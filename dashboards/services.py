"""Writes of the cohort dashboard: sending reminders.

"At most one reminder a week per learner" holds even when two members of
staff (or two tabs) send at the same moment: the service locks the
recipients' user rows (``SELECT … FOR UPDATE``, in primary-key order so two
senders never deadlock), and only then reads who was reminded in the last
seven days. The unique constraint on (learner, UTC week) is the last line of
defence where rows can't be locked (SQLite): the second sender then gets
``ReminderConflict`` and nothing of theirs is saved.

The e-mails are handed over inside the transaction. On the site that means the outbox
(EMAIL_BACKEND, outbox/): reminders and their mails are committed together, and a mail server
that is down delays the mails (they wait in the outbox) instead of undoing the reminders. Only a
backend that raises (the tests' failing one) rolls the reminders back.
"""
import logging
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import mail
from centres.models import Cohort

from . import selectors
from .models import Reminder

logger = logging.getLogger(__name__)


class ReminderConflict(Exception):
    """Another reminder to one of these learners was being sent at the same moment."""


class ReminderNotSent(Exception):
    """The mail server refused; nothing was recorded."""


@dataclass(frozen=True)
class ReminderResult:
    sent: int
    skipped: int


def week_start(moment) -> date:
    """The Monday of ``moment``'s week in UTC: instants seven days apart always fall in different
    weeks (in local time a change to winter time could put them in the same one)."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def reminder_message(*, row: "selectors.LearnerRow", cohort: Cohort, days: int, sender, build_url) -> EmailMessage:
    """The e-mail one learner gets; the preview shows exactly this."""
    return mail.render_mail(
        template_prefix="dashboards/email/reminder",
        to=row.user.email,
        context={
            "learner": row.user,
            "row": row,
            "cohort": cohort,
            "module": cohort.module,
            "days": days,
            "sender": sender,
            "module_url": build_url(cohort.module.get_absolute_url()),
        },
        reply_to=[sender.email] if sender is not None and sender.email else None,
    )


@transaction.atomic
def send_reminders(*, cohort: Cohort, days: int, by, build_url, now=None) -> ReminderResult:
    """E-mail the cohort's learners who were not active for ``days`` days, except those
    reminded in the last seven days; record each reminder. Returns how many were sent and skipped."""
    now = now or timezone.now()
    plan = selectors.reminder_plan(cohort=cohort, days=days, now=now)
    candidates = plan.recipients + plan.already_reminded
    if not candidates:
        return ReminderResult(sent=0, skipped=0)
    ids = sorted(row.user.pk for row in candidates)
    list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    # Decided again under the lock: a sender who was faster has just reminded some of them.
    reminded = set(
        Reminder.objects.since(now - selectors.REMINDER_INTERVAL).filter(learner_id__in=ids).values_list("learner_id", flat=True)
    )
    recipients = [row for row in candidates if row.user.pk not in reminded]
    week = week_start(now)
    try:
        with transaction.atomic():
            Reminder.objects.bulk_create(
                Reminder(learner=row.user, cohort=cohort, sent_by=by, sent_at=now, week_start=week, inactive_days=days)
                for row in recipients
            )
    except IntegrityError:
        raise ReminderConflict from None
    messages = [
        reminder_message(row=row, cohort=cohort, days=days, sender=by, build_url=build_url) for row in recipients
    ]
    try:
        for message in messages:
            mail.send(message)
    except Exception as error:  # noqa: BLE001 - any mail failure: roll back, tell the sender
        logger.exception("Sending %d reminder(s) for cohort %s failed", len(messages), cohort.pk)
        raise ReminderNotSent from error
    return ReminderResult(sent=len(recipients), skipped=len(candidates) - len(recipients))


class ReminderTooSoon(Exception):
    """This learner already got a reminder in the last seven days."""


@transaction.atomic
def send_reminder(*, cohort: Cohort, row: "selectors.LearnerRow", by, build_url, now=None) -> Reminder:
    """E-mail one learner a reminder from their learner page, under the same one-a-week rule as
    ``send_reminders`` (a lock on the learner's row, then the database's unique constraint)."""
    now = now or timezone.now()
    user = row.user
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    if Reminder.objects.since(now - selectors.REMINDER_INTERVAL).filter(learner_id=user.pk).exists():
        raise ReminderTooSoon
    days = max(1, (now - row.inactive_since).days)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                learner=user, cohort=cohort, sent_by=by, sent_at=now, week_start=week_start(now), inactive_days=days
            )
    except IntegrityError:
        raise ReminderConflict from None
    message = reminder_message(row=row, cohort=cohort, days=days, sender=by, build_url=build_url)
    try:
        mail.send(message)
    except Exception as error:  # noqa: BLE001 - any mail failure: roll back, tell the sender
        logger.exception("Sending a reminder to learner %s failed", user.pk)
        raise ReminderNotSent from error
    return reminder
