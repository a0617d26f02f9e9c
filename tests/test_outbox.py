"""The outbox: a mail is stored with the data it is about, leaves after the commit, once.

Delivery is tested against a real SMTP server on 127.0.0.1 (aiosmtpd, tests/smtp_sink.py): up,
down, answering 550, and one that accepts the connection but never speaks (EMAIL_TIMEOUT).
Without a broker (as here) the delivery task runs in this process right after the commit.
"""
import socket
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import OutgoingMail

from .smtp_sink import SmtpSink, free_port

pytestmark = pytest.mark.django_db


def message(to="lena@example.org", subject="Welkom", body="Hallo Lena"):
    return EmailMessage(subject=subject, body=body, from_email="cursus@example.org", to=[to])


@pytest.fixture
def smtp(settings):
    """A real mail server; the site sends to it over SMTP with a short time-out."""
    sink = SmtpSink().start()
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 2
    yield sink
    sink.stop()


def test_a_mail_is_stored_at_once_and_sent_only_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stored = services.enqueue(message())
        assert mail.outbox == []  # the data it is about is not committed yet
        assert OutgoingMail.objects.get().status == OutgoingMail.Status.PENDING
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lena@example.org"]
    assert mail.outbox[0].extra_headers["Message-ID"] == stored.message_id
    stored.refresh_from_db()
    assert stored.status == OutgoingMail.Status.SENT and stored.attempts == 1 and stored.sent_at
    assert stored.body == ""  # a personal link does not stay in the database


def test_one_transaction_queues_its_mails_as_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for n in range(3):
            services.enqueue(message(to=f"deelnemer{n}@example.org"))
    assert len(callbacks) == 1  # one message to the broker; the worker fans out (tasks.deliver_mails)
    assert sorted(m.to[0] for m in mail.outbox) == [f"deelnemer{n}@example.org" for n in range(3)]
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_rolled_back_savepoint_takes_its_mail_with_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.enqueue(message(to="blijft@example.org"))
        with pytest.raises(RuntimeError), transaction.atomic():
            services.enqueue(message(to="weg@example.org"))
            raise RuntimeError
    assert [m.to for m in mail.outbox] == [["blijft@example.org"]]


def test_a_rolled_back_transaction_sends_nothing(transactional_db):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue(message())
        raise RuntimeError("the invitation could not be saved")
    assert mail.outbox == [] and not OutgoingMail.objects.exists()


def test_the_same_key_stores_and_sends_one_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.enqueue(message(), key="invitation:7:abc")
        second = services.enqueue(message(subject="Nog eens"), key="invitation:7:abc")
    assert first.pk == second.pk
    assert OutgoingMail.objects.count() == 1 and len(mail.outbox) == 1


def test_delivering_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.enqueue(message())
    assert services.deliver(mail_id=stored.pk).outcome == "already_sent"
    assert len(mail.outbox) == 1
    assert services.deliver(mail_id=10**9).outcome == "missing"


def test_html_alternative_and_reply_to_survive_the_outbox(django_capture_on_commit_callbacks):
    html = EmailMultiAlternatives(subject="Herinnering", body="tekst", to=["a@example.org"], reply_to=["t@example.org"])
    html.attach_alternative("<p>tekst</p>", "text/html")
    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue(html)
    sent = mail.outbox[0]
    assert sent.reply_to == ["t@example.org"]
    assert sent.alternatives[0][0] == "<p>tekst</p>"


def test_attachments_are_refused_loudly():
    with_file = message()
    with_file.attach("a.txt", "x", "text/plain")
    with pytest.raises(ValueError):
        services.enqueue(with_file)


def test_smtp_delivery_with_the_server_down_then_up(smtp, django_capture_on_commit_callbacks):
    smtp.stop()  # nothing listens on the port
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.enqueue(message())  # no exception reaches the caller
    stored.refresh_from_db()
    assert stored.status == OutgoingMail.Status.PENDING
    assert stored.attempts == 1
    assert "Connection refused" in stored.last_error or "ConnectionRefused" in stored.last_error
    assert stored.body  # kept for the next attempt

    smtp.start()
    delivery = services.deliver(mail_id=stored.pk)
    assert delivery.outcome == "sent"
    assert smtp.count() == 1 and smtp.message_ids() == [stored.message_id]
    assert services.deliver(mail_id=stored.pk).outcome == "already_sent"
    assert smtp.count() == 1


def test_a_refused_address_fails_for_good(smtp, django_capture_on_commit_callbacks):
    smtp.reject.add("niemand@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.enqueue(message(to="niemand@example.org"))
    stored.refresh_from_db()
    assert stored.status == OutgoingMail.Status.FAILED
    assert "550" in stored.last_error
    assert services.deliver(mail_id=stored.pk).outcome == "failed"  # not tried again by itself


def test_a_mail_server_that_never_answers_costs_email_timeout(settings, django_capture_on_commit_callbacks):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # the kernel accepts the connection; nobody ever says "220"
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent.getsockname()[1], 0.5
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            stored = services.enqueue(message())
        assert time.monotonic() - started < 3
    finally:
        silent.close()
    stored.refresh_from_db()
    assert stored.status == OutgoingMail.Status.PENDING
    assert "timed out" in stored.last_error.lower() or "timeout" in stored.last_error.lower()


def test_back_off_doubles_up_to_the_maximum(settings):
    settings.MAIL_RETRY_BACKOFF, settings.MAIL_RETRY_BACKOFF_MAX = 30, 240
    assert [services.backoff(n) for n in range(1, 7)] == [30, 60, 120, 240, 240, 240]


def test_after_the_last_attempt_the_mail_waits_for_staff(settings):
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 1
    settings.MAIL_MAX_ATTEMPTS = 3
    stored = services.enqueue(message())  # the test's transaction never commits: delivered by hand
    outcomes = [services.deliver(mail_id=stored.pk) for _ in range(3)]
    assert [d.outcome for d in outcomes] == ["retry", "retry", "failed"]
    assert outcomes[0].retry_in == settings.MAIL_RETRY_BACKOFF
    stored.refresh_from_db()
    assert stored.status == OutgoingMail.Status.FAILED and stored.attempts == 3


def test_a_mail_being_sent_elsewhere_is_not_sent_again_until_its_lease_ends(settings):
    stored = services.enqueue(message())
    OutgoingMail.objects.filter(pk=stored.pk).update(
        status=OutgoingMail.Status.SENDING, attempts=1, locked_until=timezone.now() + timedelta(seconds=20)
    )
    busy = services.deliver(mail_id=stored.pk)
    assert busy.outcome == "busy" and 19 < busy.retry_in <= 21
    assert mail.outbox == []
    # Its worker died: after the lease another may send it.
    OutgoingMail.objects.filter(pk=stored.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert services.deliver(mail_id=stored.pk).outcome == "sent"
    assert len(mail.outbox) == 1
    stored.refresh_from_db()
    assert stored.attempts == 2


def test_sweep_queues_what_no_task_will_deliver(settings, django_capture_on_commit_callbacks):
    now = timezone.now()
    lost = services.enqueue(message(to="lost@example.org"))
    dead_worker = services.enqueue(message(to="dead@example.org"))
    fresh = services.enqueue(message(to="fresh@example.org"))
    OutgoingMail.objects.filter(pk=lost.pk).update(updated_at=now - timedelta(hours=1))
    OutgoingMail.objects.filter(pk=dead_worker.pk).update(
        status=OutgoingMail.Status.SENDING, locked_until=now - timedelta(seconds=5), updated_at=now - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(now=now) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["dead@example.org", "lost@example.org"]
    assert OutgoingMail.objects.get(pk=fresh.pk).status == OutgoingMail.Status.PENDING


def test_purge_removes_old_sent_mail_only(settings):
    now = timezone.now()
    old = services.enqueue(message())
    failed = services.enqueue(message())
    OutgoingMail.objects.filter(pk=old.pk).update(status="sent", sent_at=now - timedelta(days=31))
    OutgoingMail.objects.filter(pk=failed.pk).update(status="failed", updated_at=now - timedelta(days=90))
    assert services.purge(now=now) == 1
    assert list(OutgoingMail.objects.values_list("pk", flat=True)) == [failed.pk]


def test_a_broker_that_is_down_does_not_fail_the_request(settings, django_capture_on_commit_callbacks, caplog):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery import app

    def fresh_connections():
        from kombu import pools

        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    fresh_connections()
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            stored = services.enqueue(message())
        assert time.monotonic() - started < 10
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_url = "memory://"
        fresh_connections()
    assert OutgoingMail.objects.get(pk=stored.pk).status == OutgoingMail.Status.PENDING
    assert "the outbox sweep will send them" in caplog.text


# --- the admin: what staff see and do ------------------------------------------------------


@pytest.fixture
def failed_mail(settings):
    stored = services.enqueue(message(to="jan@example.org", subject="Uitnodiging", body="https://x/geheim-token"))
    OutgoingMail.objects.filter(pk=stored.pk).update(
        status=OutgoingMail.Status.FAILED, attempts=10, last_error="SMTPServerDisconnected: Connection unexpectedly closed"
    )
    return stored


def test_staff_see_status_attempts_and_last_error_but_never_the_body(client, site_staff, failed_mail):
    client.force_login(site_staff)
    page = client.get("/beheer/outbox/outgoingmail/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "jan@example.org" in text and "Uitnodiging" in text and "mislukt" in text
    assert "SMTPServerDisconnected" in text
    assert "geheim-token" not in text
    detail = client.get(f"/beheer/outbox/outgoingmail/{failed_mail.pk}/change/")
    assert detail.status_code == 200 and "geheim-token" not in detail.content.decode()
    assert client.get("/beheer/outbox/outgoingmail/add/").status_code == 403


def test_send_again_from_the_admin(client, site_staff, failed_mail, django_capture_on_commit_callbacks):
    client.force_login(site_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/beheer/outbox/outgoingmail/",
            {"action": "send_again", "_selected_action": [failed_mail.pk]},
            follow=True,
        )
    assert "staat weer in de wachtrij" in response.content.decode()
    failed_mail.refresh_from_db()
    assert failed_mail.status == OutgoingMail.Status.SENT and failed_mail.attempts == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jan@example.org"]
    # Sent is sent: a second "send again" sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/beheer/outbox/outgoingmail/", {"action": "send_again", "_selected_action": [failed_mail.pk]}, follow=True
        )
    assert "niet opnieuw verstuurd" in response.content.decode()
    assert len(mail.outbox) == 1


def test_a_trainer_has_no_outbox(client, trainer, failed_mail):
    client.force_login(trainer)
    assert client.get("/beheer/outbox/outgoingmail/").status_code == 403
