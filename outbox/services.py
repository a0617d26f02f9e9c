"""Writes of the outbox: store a mail, deliver it (once), send it again.

``enqueue`` is called inside the caller's transaction: the mail exists exactly when the data it is
about exists. Its delivery is queued with ``transaction.on_commit``: in a worker (Celery with
Redis), or, without a broker, in this process right after the commit. Either way a mail server
that is down never fails the request that wrote the mail.

``deliver`` is what the task does. It is safe to run twice for the same mail, at the same time
or one after the other: the row lock and the status decide who sends. The one moment no
database can cover is between the mail server's "250 OK" and our commit of "sent": a process
killed exactly then sends that mail again when the task is retried (SMTP has no exactly-once);
the mail keeps its Message-ID, so the receiving side can recognise the duplicate.
"""
import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutgoingMail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What one attempt did. ``retry_in``: seconds until the task should try again (None: don't)."""

    outcome: str  # "sent", "already_sent", "busy", "retry", "failed", "missing"
    retry_in: float | None = None


class _Publish:
    """One on-commit callback per transaction, however many mails it wrote: 200 invitations
    cost the request one message to the broker, and the worker fans them out."""

    def __init__(self, mail_id: int):
        self.ids = [mail_id]

    def __call__(self):
        from .tasks import deliver_mail, deliver_mails

        try:
            if len(self.ids) == 1:
                deliver_mail.delay(self.ids[0])
            else:
                deliver_mails.delay(self.ids)
        except Exception:  # noqa: BLE001 - broker unreachable: the sweep queues them later
            logger.exception("Could not queue %d mail(s); the outbox sweep will send them", len(self.ids))


def _queue(mail_id: int) -> None:
    """Queue the delivery when the current transaction commits (at once outside one)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and connection.run_on_commit:
        # Joined only within the same (save)point: a savepoint rolled back drops its own batch.
        sids, last, _robust = connection.run_on_commit[-1]
        if isinstance(last, _Publish) and sids == set(connection.savepoint_ids):
            last.ids.append(mail_id)
            return
    transaction.on_commit(_Publish(mail_id), robust=True)


def enqueue(message, *, key: str | None = None) -> OutgoingMail:
    """Store ``message`` (an EmailMessage) and queue its delivery after the commit.

    ``key`` names the mail: a second call with the same key stores and sends nothing more (the
    caller's retry, a double submit). Without one, every call is a new mail.
    """
    if getattr(message, "attachments", None):
        raise ValueError("The outbox does not store attachments.")
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    headers = {k: v for k, v in (message.extra_headers or {}).items() if k.lower() != "message-id"}
    fields = dict(
        message_id=(message.extra_headers or {}).get("Message-ID") or make_msgid(domain=_domain()),
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        headers=headers,
        subject=str(message.subject)[:500],
        body=message.body,
        html_body=html,
    )
    if key is None:
        mail = OutgoingMail.objects.create(**fields)
    else:
        key = key[:200]
        try:
            with transaction.atomic():
                mail = OutgoingMail.objects.create(idempotency_key=key, **fields)
        except IntegrityError:
            return OutgoingMail.objects.get(idempotency_key=key)  # stored before: not again
    _queue(mail.pk)
    return mail


def _domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)
    return sender[1].strip(" >") if len(sender) == 2 else "localhost"


def _is_permanent(error: BaseException) -> bool:
    """A 5xx answer about this mail (an address that does not exist) will not change by waiting."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return 500 <= error.smtp_code < 600
    return False


def _describe(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"[:500]


def backoff(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: 30, 60, 120, 240, 240, ..."""
    return min(settings.MAIL_RETRY_BACKOFF * 2 ** max(attempts - 1, 0), settings.MAIL_RETRY_BACKOFF_MAX)


def deliver(*, mail_id: int) -> Delivery:
    """One attempt to send the mail; records what happened. Never raises for the mail server."""
    now = timezone.now()
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None:
            return Delivery("missing")
        if mail.status == OutgoingMail.Status.SENT:
            return Delivery("already_sent")
        if mail.status == OutgoingMail.Status.FAILED:
            return Delivery("failed")
        if mail.status == OutgoingMail.Status.SENDING and mail.locked_until and mail.locked_until > now:
            # Another worker is sending it right now (or died doing so: then try after its lease).
            return Delivery("busy", retry_in=(mail.locked_until - now).total_seconds() + 1)
        mail.status = OutgoingMail.Status.SENDING
        mail.attempts += 1
        mail.locked_until = now + timedelta(seconds=settings.MAIL_SEND_LEASE)
        mail.save(update_fields=["status", "attempts", "locked_until", "updated_at"])

    try:
        with get_connection(settings.MAIL_DELIVERY_BACKEND, timeout=settings.EMAIL_TIMEOUT) as connection:
            connection.send_messages([mail.to_message()])
    except Exception as error:  # noqa: BLE001 - every failure is recorded and retried or shown
        permanent = _is_permanent(error) or mail.attempts >= settings.MAIL_MAX_ATTEMPTS
        status = OutgoingMail.Status.FAILED if permanent else OutgoingMail.Status.PENDING
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=status, last_error=_describe(error), locked_until=None, updated_at=timezone.now()
        )
        logger.warning("Mail %s, attempt %d: %s", mail.pk, mail.attempts, _describe(error))
        if permanent:
            return Delivery("failed")
        return Delivery("retry", retry_in=backoff(mail.attempts))

    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now(), locked_until=None, last_error="",
        body="", html_body="", updated_at=timezone.now(),
    )
    return Delivery("sent")


@transaction.atomic
def resend(*, mails) -> int:
    """Staff's "opnieuw versturen": failed or waiting mails get a fresh series of attempts now.
    A mail that was sent is never sent again (its text is gone). Returns how many were queued."""
    ids = list(
        OutgoingMail.objects.select_for_update()
        .filter(pk__in=[m.pk for m in mails], status__in=[OutgoingMail.Status.FAILED, OutgoingMail.Status.PENDING])
        .values_list("pk", flat=True)
    )
    OutgoingMail.objects.filter(pk__in=ids).update(
        status=OutgoingMail.Status.PENDING, attempts=0, locked_until=None, updated_at=timezone.now()
    )
    for mail_id in ids:
        _queue(mail_id)
    return len(ids)


def sweep(*, now=None) -> int:
    """Queue again what no task will deliver: mails still pending a while after they were written
    or last tried (the broker was down when they were queued, or their task was lost: Redis hands
    a message to a worker by popping it, and a worker killed at that moment takes it along), and
    mails whose sender's lease ran out (its worker died). Idempotent: a mail queued twice is sent
    once."""
    now = now or timezone.now()
    # A mail waiting for its retry is not lost; queued twice it would still be sent once.
    settle = timedelta(seconds=max(settings.MAIL_SWEEP_AFTER, settings.MAIL_RETRY_BACKOFF_MAX + 5))
    stale = OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING, updated_at__lt=now - settle) | (
        OutgoingMail.objects.filter(status=OutgoingMail.Status.SENDING, locked_until__lt=now)
    )
    ids = list(stale.values_list("pk", flat=True)[:1000])
    with transaction.atomic():  # one message to the broker for all of them
        for mail_id in ids:
            _queue(mail_id)
    return len(ids)


def purge(*, now=None) -> int:
    """Remove sent mails older than MAIL_KEEP_SENT_DAYS (failed and waiting ones stay)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MAIL_KEEP_SENT_DAYS)
    deleted, _ = OutgoingMail.objects.filter(status=OutgoingMail.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted
