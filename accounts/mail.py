"""Every e-mail of the site is made here and leaves through one door: ``send``.

``render_mail`` builds a message the way django-allauth does: two templates per mail,
``<prefix>_subject.txt`` (one line) and ``<prefix>_message.txt`` (the plain-text body),
rendered in the site's language whatever language the member of staff who causes the
mail reads the site in. allauth's own mails (confirm your address, reset your password)
go through ``send`` as well (``accounts.adapter.AccountAdapter``).

``send`` is the only place that hands a message to Django's mail backend, so that sending
can move to a background queue by changing this one function.
"""
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def render_mail(
    *, template_prefix: str, to: str | Iterable[str], context: dict, reply_to: Iterable[str] | None = None
) -> EmailMessage:
    """The message for ``to`` from ``<template_prefix>_subject.txt`` and ``<template_prefix>_message.txt``."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_message.txt", context)
    # A subject is one line: a template's line breaks would make a header injection error.
    subject = " ".join(subject.split())
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to] if isinstance(to, str) else list(to),
        reply_to=list(reply_to) if reply_to else None,
    )


def send(message: EmailMessage) -> None:
    """Send ``message``; raises if the mail server refuses (the caller decides what that means)."""
    message.send(fail_silently=False)
