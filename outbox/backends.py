"""The site's EMAIL_BACKEND: every message Django is asked to send goes into the outbox.

Whoever sends (allauth's confirmation and password-reset mails, invitations, enrolment mails,
reminders, the one mail door ``accounts.mail.send``) calls Django's ``send()``; this backend
stores each message in the caller's transaction and queues its delivery for after the commit
(outbox.services). The real delivery uses MAIL_DELIVERY_BACKEND (SMTP in production, the
console in development). So a mail server that is down never reaches a request.
"""
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from . import services


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        messages = list(email_messages)
        with transaction.atomic():  # all of them, or none, with one message to the broker
            for message in messages:
                services.enqueue(message)
        return len(messages)
