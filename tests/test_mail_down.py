"""With the mail server down, nobody gets a 500: sign-up, password reset, invitations and
reminders answer as usual, the mails wait in the outbox with the reason, and go out once the
server is back. The mail server is a real port on 127.0.0.1 with nothing listening, then an SMTP
sink (aiosmtpd) on that same port."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from centres.models import Enrollment, Invitation
from outbox import services
from outbox.models import OutgoingMail

from .smtp_sink import SmtpSink, free_port

PASSWORD = "Lang-en-sterk-2026"
pytestmark = pytest.mark.usefixtures("clear_cache")


@pytest.fixture
def smtp_down(settings):
    port = free_port()
    # As configured (config/settings.py); Django's test set-up puts its locmem backend in its place.
    settings.EMAIL_BACKEND = "outbox.backends.OutboxBackend"
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return port


def stored(to):
    [mail] = [m for m in OutgoingMail.objects.all() if m.to == [to]]
    return mail


def waiting(to):
    mail = stored(to)
    assert mail.status == OutgoingMail.Status.PENDING
    assert mail.attempts == 1 and "refused" in mail.last_error.lower()
    return mail


def test_sign_up_with_the_mail_server_down(client, db, smtp_down):
    response = client.post(reverse("account_signup"), {
        "email": "nina@bakkerij.nl", "name": "Nina Nieuw", "company_name": "Bakkerij Nieuw",
        "company_sector": "retail", "company_size": "small", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302
    waiting("nina@bakkerij.nl")

    # The server is back: the sweep (beat) or a retry sends it, once.
    sink = SmtpSink(port=smtp_down).start()
    try:
        mail = stored("nina@bakkerij.nl")
        assert services.deliver(mail_id=mail.pk).outcome == "sent"
        assert services.deliver(mail_id=mail.pk).outcome == "already_sent"
    finally:
        sink.stop()
    assert [m["to"] for m in sink.received] == [["nina@bakkerij.nl"]]
    assert "/account/confirm-email/" in sink.received[0]["message"].get_payload(decode=True).decode()


def test_password_reset_with_the_mail_server_down(client, user_factory, smtp_down):
    user_factory(email="vergeten@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "vergeten@example.org"})
    assert response.status_code == 302
    waiting("vergeten@example.org")


def test_invitations_with_the_mail_server_down(client, centre_staff_factory, cohort_factory, smtp_down):
    manager = centre_staff_factory(role="manager")
    cohort = cohort_factory(centre=manager.centre_roles.get().centre)
    client.force_login(manager)
    response = client.post(
        reverse("centres:bulk_enroll", args=[cohort.pk]), {"addresses": "an@example.org\nbo@example.org"}
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(cohort=cohort).count() == 2
    waiting("an@example.org")
    waiting("bo@example.org")


def test_reminders_with_the_mail_server_down(client, build_course, centre_staff_factory, cohort_factory,
                                             user_factory, smtp_down):
    from dashboards.models import Reminder

    module = build_course(sections=1, slides=2, questions=1)
    trainer = centre_staff_factory(role="trainer")
    cohort = cohort_factory(centre=trainer.centre_roles.get().centre, module=module, trainers=[trainer])
    quiet = user_factory(email="stil@example.org")
    Enrollment.objects.create(cohort=cohort, user=quiet, enrolled_at=timezone.now() - datetime.timedelta(days=12))
    client.force_login(trainer)
    response = client.post(reverse("dashboards:reminder", args=[cohort.pk]), {"dagen": "7"})
    assert response.status_code == 302
    assert Reminder.objects.filter(learner=quiet).exists()  # recorded: it will go out
    waiting("stil@example.org")
