"""Issue 9.1: a join link finishes the job. The intent to join is kept with the new account
(not in the session), named in the verification e-mail, carried out when the address is
confirmed (on any device) and reported at the first log-in; a cohort that closed or filled
up in the meantime refuses with its message and enrols nobody."""
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from centres.models import Enrollment, PendingJoin

pytestmark = pytest.mark.usefixtures("clear_cache")
PASSWORD = "Lang-en-sterk-2026"


def join_url(cohort):
    return reverse("centres:join", kwargs={"code": cohort.join_code})


def sign_up(client, cohort, email="nina@bakkerij.nl"):
    response = client.post(
        reverse("account_signup"),
        {"email": email, "name": "Nina Nieuw", "company_name": "Bakkerij Nieuw",
         "password1": PASSWORD, "password2": PASSWORD, "next": join_url(cohort)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [message] = mail.outbox
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)
    return message, link.split("testserver", 1)[1]


def log_in(client, email="nina@bakkerij.nl", next_url=None):
    data = {"login": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_login"), data)


def test_the_verification_mail_names_the_cohort_and_the_centre(client, cohort_factory, centre_factory):
    cohort = cohort_factory(name="Voorjaar 2026", centre=centre_factory(name="Ondernemerscentrum Rivierenland"))
    message, _confirm = sign_up(client, cohort)
    assert "Voorjaar 2026" in message.subject
    assert "Voorjaar 2026 van Ondernemerscentrum Rivierenland" in message.body
    assert PendingJoin.objects.get().cohort == cohort
    assert not Enrollment.objects.exists()


def test_a_signup_without_a_join_link_says_nothing_about_a_cohort(client, db):
    client.post(reverse("account_signup"), {"email": "los@example.org", "name": "Los",
                                             "password1": PASSWORD, "password2": PASSWORD})
    [message] = mail.outbox
    assert "cohort" not in message.body.lower() and not PendingJoin.objects.exists()
    assert message.subject.endswith("Bevestig je e-mailadres")


def test_confirming_on_another_device_enrolls_at_once_and_the_first_log_in_opens_the_enrollment(
    client, cohort_factory
):
    cohort = cohort_factory(name="Voorjaar 2026")
    _message, confirm = sign_up(client, cohort)
    phone = Client()  # the mail opened on a phone: another browser, no session of the sign-up
    response = phone.post(confirm, follow=True)
    enrollment = Enrollment.objects.get(cohort=cohort)
    assert enrollment.user.email == "nina@bakkerij.nl"
    page = response.content.decode()
    assert "Je e-mailadres is bevestigd en je bent ingeschreven voor Voorjaar 2026" in page
    # The first log-in, on the desktop where the sign-up happened, lands on the enrolment.
    response = log_in(client)
    assert response["Location"] == reverse("centres:enrollment", kwargs={"pk": enrollment.pk})
    assert "Je bent ingeschreven voor Voorjaar 2026" in client.get(response["Location"]).content.decode()
    # Said once: the next log-in goes to "Mijn leeromgeving" as usual.
    client.logout()
    assert log_in(client)["Location"] == reverse("dashboard")


def test_a_cohort_that_filled_up_meanwhile_refuses_clearly_and_enrolls_nobody(
    client, cohort_factory, enrollment_factory
):
    cohort = cohort_factory(name="Voorjaar 2026", capacity=1)
    _message, confirm = sign_up(client, cohort)
    enrollment_factory(cohort=cohort)  # the last place went to someone else meanwhile
    response = client.post(confirm, follow=True)
    assert Enrollment.objects.filter(cohort=cohort).count() == 1
    assert not Enrollment.objects.filter(user__email="nina@bakkerij.nl").exists()
    page = response.content.decode()
    assert "Je kon niet worden ingeschreven voor Voorjaar 2026" in page
    assert "Dit cohort is vol" in page
    assert response.wsgi_request.user.is_authenticated  # the account itself is fine
    assert PendingJoin.objects.get().reason == "full"


def test_a_cohort_closed_meanwhile_refuses(client, cohort_factory):
    cohort = cohort_factory(name="Voorjaar 2026")
    _message, confirm = sign_up(client, cohort)
    cohort.is_open = False
    cohort.save()
    page = Client().post(confirm, follow=True).content.decode()
    assert not Enrollment.objects.exists()
    response = log_in(client)
    assert response["Location"] == reverse("dashboard")
    assert "Dit cohort is gesloten" in client.get(response["Location"]).content.decode()
    assert "Je kon niet worden ingeschreven voor Voorjaar 2026" in page


def test_an_existing_learner_logging_in_from_a_join_link_is_enrolled(client, cohort_factory, user_factory):
    cohort = cohort_factory(name="Voorjaar 2026")
    user_factory(email="nina@bakkerij.nl", password=PASSWORD)
    login_page = client.get(reverse("account_login") + f"?next={join_url(cohort)}").content.decode()
    assert "Na het inloggen ben je ingeschreven voor <strong>Voorjaar 2026</strong>" in login_page
    response = log_in(client, next_url=join_url(cohort))
    enrollment = Enrollment.objects.get(cohort=cohort)
    assert response["Location"] == reverse("centres:enrollment", kwargs={"pk": enrollment.pk})


def test_a_plain_log_in_enrolls_nobody(client, cohort_factory, user_factory):
    cohort_factory()
    user_factory(email="nina@bakkerij.nl", password=PASSWORD)
    assert log_in(client)["Location"] == reverse("dashboard")
    assert not Enrollment.objects.exists() and not PendingJoin.objects.exists()
