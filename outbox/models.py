"""The outbox: every e-mail the site sends is a row here first.

``accounts.mail.send`` (the one door every mail goes through) stores the message in the same
transaction as the data it is about (an invitation, a reminder, an account), and queues its
delivery when that transaction commits. The row is what makes delivery safe to retry:

- ``idempotency_key`` is unique: queueing the same mail twice (a double click, a retried request)
  finds the row that is there and adds nothing;
- ``status`` moves pending → sending → sent under a row lock, so a task that runs twice (a broker
  redelivery, a worker restarted half-way) finds the mail sent and does nothing;
- a worker that dies while sending leaves the mail "sending" with a lease (``locked_until``); once
  that lapses another worker may send it;
- ``attempts`` and ``last_error`` tell staff what happened; a mail that failed for good waits in
  the admin for "opnieuw versturen".

This app sits below accounts in the layers: it knows e-mail, nothing of the course.
"""
import uuid

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingMailQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status__in=[OutgoingMail.Status.PENDING, OutgoingMail.Status.SENDING])


class OutgoingMail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("wacht op verzending")
        SENDING = "sending", _("wordt verstuurd")
        SENT = "sent", _("verstuurd")
        FAILED = "failed", _("mislukt")

    idempotency_key = models.CharField(_("sleutel"), max_length=200, unique=True, default=uuid.uuid4)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    last_error = models.CharField(_("laatste foutmelding"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    locked_until = models.DateTimeField(_("in behandeling tot"), null=True, blank=True)

    # The message itself (an EmailMessage, field by field). The body may hold a personal link
    # (password reset, invitation): it is never shown in the admin and is removed once sent.
    message_id = models.CharField(_("Message-ID"), max_length=250)
    from_email = models.CharField(_("afzender"), max_length=320)
    to = models.JSONField(_("aan"), default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    subject = models.CharField(_("onderwerp"), max_length=500)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("uitgaande e-mail")
        verbose_name_plural = _("uitgaande e-mails")
        ordering = ["-created_at", "-id"]
        permissions = [("resend_outgoingmail", _("Kan uitgaande e-mail opnieuw versturen"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
        ]

    def __str__(self):
        return f"{', '.join(self.to)}: {self.subject}"

    def to_message(self) -> EmailMessage:
        """The stored mail as Django sends it, with the same Message-ID on every attempt (a
        receiving server that sees it twice may recognise the duplicate)."""
        headers = {**self.headers, "Message-ID": self.message_id}
        kwargs = dict(
            subject=self.subject, body=self.body, from_email=self.from_email, to=self.to, cc=self.cc,
            bcc=self.bcc, reply_to=self.reply_to, headers=headers,
        )
        if self.html_body:
            message = EmailMultiAlternatives(**kwargs)
            message.attach_alternative(self.html_body, "text/html")
            return message
        return EmailMessage(**kwargs)
