"""Joining a cohort by its link, and the enrolment service's rules (capacity, closed,
ended, withdrawn, one enrolment per learner), through the test client."""
import datetime
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from centres import selectors, services
from centres.models import Enrollment, Invitation

pytestmark = pytest.mark.usefixtures("clear_cache")

TODAY = datetime.date.today()


def join_url(cohort):
    return reverse("centres:join", kwargs={"code": cohort.join_code})


def test_anonymous_visitor_is_asked_to_sign_up_or_log_in_and_come_back(client, cohort_factory):
    cohort = cohort_factory(name="Voorjaar 2026")
    response = client.get(join_url(cohort))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Voorjaar 2026" in html
    assert cohort.centre.name in html
    next_param = f"next=%2Fdeelnemen%2F{cohort.join_code}%2F"
    assert f'{reverse("account_signup")}?{next_param}' in html
    assert f'{reverse("account_login")}?{next_param}' in html
    assert "Schrijf me in" not in html  # no enrol button before logging in


def test_anonymous_post_to_join_enrolls_nobody_and_redirects_to_log_in(client, cohort_factory):
    cohort = cohort_factory()
    response = client.post(join_url(cohort))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Enrollment.objects.exists()


def test_newcomer_signs_up_verifies_and_is_enrolled_without_a_second_click(client, cohort_factory, settings):
    cohort = cohort_factory(name="Najaar")
    signup = reverse("account_signup") + f"?next={join_url(cohort)}"
    page = client.get(signup)
    # The sign-up page says what it is for and when the enrolment happens.
    assert "ben je ingeschreven voor <strong>Najaar</strong>" in page.content.decode()
    response = client.post(
        signup,
        {
            "email": "nieuw@bakkerij.nl",
            "name": "Nina Nieuw",
            "company_name": "Bakkerij Nieuw",
            "company_sector": "retail",
            "company_size": "micro",
            "password1": "Lang-en-sterk-2026",
            "password2": "Lang-en-sterk-2026",
            "next": join_url(cohort),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not Enrollment.objects.exists()  # not before the address is confirmed
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[0].body).group(0)
    confirm = link.split("testserver", 1)[1]
    assert client.get(confirm).status_code == 200
    response = client.post(confirm)
    enrollment = Enrollment.objects.get()
    assert response.status_code == 302
    # Logged in and straight on the enrolment: no second "Schrijf me in".
    assert response["Location"] == reverse("centres:enrollment", kwargs={"pk": enrollment.pk})
    assert enrollment.user.email == "nieuw@bakkerij.nl"
    assert enrollment.user.company_name == "Bakkerij Nieuw"
    assert enrollment.user.get_company_size_display().startswith("Micro")
    assert enrollment.status == Enrollment.Status.ACTIVE
    page = client.get(response["Location"]).content.decode()
    assert "Je bent ingeschreven voor Najaar" in page
    assert cohort.module.get_absolute_url() in page


def test_logged_in_learner_joins_with_one_post(client, cohort_factory, user_factory):
    cohort = cohort_factory()
    learner = user_factory()
    client.force_login(learner)
    assert "Schrijf me in" in client.get(join_url(cohort)).content.decode()
    client.post(join_url(cohort))
    client.post(join_url(cohort))  # a double click changes nothing
    assert Enrollment.objects.filter(cohort=cohort, user=learner).count() == 1
    assert "Je bent al ingeschreven" in client.get(join_url(cohort)).content.decode()


def test_join_code_is_case_insensitive(client, cohort_factory, user_factory):
    cohort = cohort_factory()
    client.force_login(user_factory())
    response = client.get(reverse("centres:join", kwargs={"code": cohort.join_code.lower()}))
    assert response.status_code == 200


def test_unknown_code_gets_a_dutch_404(client, db):
    response = client.get(reverse("centres:join", kwargs={"code": "BESTAATNIET"}))
    assert response.status_code == 404
    assert "Deze deelnamelink werkt niet" in response.content.decode()
    assert client.post(reverse("centres:join", kwargs={"code": "BESTAATNIET"})).status_code == 404


@pytest.mark.parametrize(
    "cohort_kwargs, message",
    [
        ({"is_open": False}, "Dit cohort is gesloten"),
        (
            {"start_date": TODAY - datetime.timedelta(days=60), "end_date": TODAY - datetime.timedelta(days=1)},
            "Dit cohort is al afgelopen",
        ),
        ({"capacity": 1}, "Dit cohort is vol"),
    ],
    ids=["closed", "ended", "full"],
)
def test_closed_ended_and_full_cohorts_say_why_and_enroll_nobody(
    client, cohort_factory, user_factory, enrollment_factory, cohort_kwargs, message
):
    cohort = cohort_factory(**cohort_kwargs)
    if cohort.capacity == 1:
        enrollment_factory(cohort=cohort)
    before = Enrollment.objects.count()
    learner = user_factory()
    client.force_login(learner)
    page = client.get(join_url(cohort))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "Schrijf me in" not in page.content.decode()
    response = client.post(join_url(cohort), follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Enrollment.objects.count() == before
    assert not Enrollment.objects.filter(user=learner).exists()


def test_withdrawn_learner_cannot_rejoin_by_link(client, enrollment_factory):
    enrollment = enrollment_factory(status=Enrollment.Status.WITHDRAWN)
    client.force_login(enrollment.user)
    response = client.post(join_url(enrollment.cohort), follow=True)
    assert "Je bent uitgeschreven uit dit cohort" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN


def test_a_cohort_that_has_not_started_yet_can_be_joined(client, cohort_factory, user_factory):
    cohort = cohort_factory(start_date=TODAY + datetime.timedelta(days=10), end_date=TODAY + datetime.timedelta(days=40))
    learner = user_factory()
    client.force_login(learner)
    client.post(join_url(cohort))
    assert Enrollment.objects.filter(cohort=cohort, user=learner).exists()


def test_withdrawn_learners_free_their_place(cohort_factory, user_factory, enrollment_factory):
    cohort = cohort_factory(capacity=1)
    enrollment_factory(cohort=cohort, status=Enrollment.Status.WITHDRAWN)
    result = services.enroll(cohort=cohort, user=user_factory())
    assert result.created


def test_pending_invitations_keep_their_place(cohort_factory, user_factory):
    from django.utils import timezone

    cohort = cohort_factory(capacity=1)
    invited = Invitation.objects.create(
        cohort=cohort,
        email="uitgenodigd@example.org",
        token_hash="x" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    with pytest.raises(services.EnrollmentRefused) as refused:
        services.enroll(cohort=cohort, user=user_factory())
    assert refused.value.reason == "full"
    # ...but the invitee themself gets in, and their invitation is then used.
    invitee = user_factory(email="Uitgenodigd@example.org")
    assert services.enroll(cohort=cohort, user=invitee).created
    invited.refresh_from_db()
    assert invited.accepted_by == invitee


def test_the_join_page_and_the_join_button_agree_for_an_invitee_of_a_full_cohort(client, cohort_factory, user_factory):
    """The cohort is full only because of the learner's own invitation: the page offers the button
    (one rule, selectors.join_refusal, for both) and the button enrolls; someone else is told it is full."""
    from django.utils import timezone

    cohort = cohort_factory(capacity=1)
    Invitation.objects.create(
        cohort=cohort, email="genodigd@example.org", token_hash="y" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    client.force_login(user_factory())
    assert "alle plaatsen zijn bezet" in client.get(join_url(cohort)).content.decode()
    invitee = user_factory(email="genodigd@example.org")
    client.force_login(invitee)
    html = client.get(join_url(cohort)).content.decode()
    assert "Schrijf me in" in html and "alle plaatsen zijn bezet" not in html
    client.post(join_url(cohort))
    assert Enrollment.objects.filter(cohort=cohort, user=invitee).exists()


def test_the_database_refuses_a_second_enrollment_and_an_end_before_the_start(cohort_factory, enrollment_factory):
    from django.db import IntegrityError, transaction

    enrollment = enrollment_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(cohort=enrollment.cohort, user=enrollment.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        cohort_factory(start_date=TODAY, end_date=TODAY - datetime.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        cohort_factory(capacity=0)


def test_regenerated_code_replaces_the_old_link(client, cohort_factory, user_factory):
    cohort = cohort_factory()
    old = cohort.join_code
    services.regenerate_join_code(cohort=cohort)
    cohort.refresh_from_db()
    assert cohort.join_code != old and len(cohort.join_code) == 8
    assert client.get(reverse("centres:join", kwargs={"code": old})).status_code == 404
    assert client.get(join_url(cohort)).status_code == 200


def widen_the_race(monkeypatch):
    """Pause between counting the free places and writing, so that without the row
    lock both threads would count the same free place and both enrol."""
    import time

    real_places_left = selectors.places_left

    def slow_places_left(*args, **kwargs):
        left = real_places_left(*args, **kwargs)
        time.sleep(0.5)
        return left

    monkeypatch.setattr(selectors, "places_left", slow_places_left)


@pytest.mark.django_db(transaction=True)
def test_two_learners_racing_for_the_last_place_end_with_one_enrollment(cohort_factory, user_factory, monkeypatch):
    """Two threads, two database connections, one free place: exactly one enrolment."""
    if connection.vendor != "postgresql":
        pytest.skip("needs real row locks and concurrent connections: run on PostgreSQL (DATABASE_URL=postgres://...)")
    cohort = cohort_factory(capacity=3)
    for _ in range(2):
        services.enroll(cohort=cohort, user=user_factory())
    widen_the_race(monkeypatch)
    racers = [user_factory(), user_factory()]
    barrier = threading.Barrier(len(racers))
    outcomes = []

    def join(user):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.enroll(cohort=cohort, user=user)
            outcomes.append("enrolled")
        except services.EnrollmentRefused as refusal:
            outcomes.append(refusal.reason)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=join, args=(user,)) for user in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["enrolled", "full"]
    assert Enrollment.objects.filter(cohort=cohort).count() == 3
    assert Enrollment.objects.filter(cohort=cohort, user__in=racers).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_learner_double_submitting_in_parallel_gets_one_enrollment(cohort_factory, user_factory, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs real row locks and concurrent connections: run on PostgreSQL (DATABASE_URL=postgres://...)")
    cohort = cohort_factory(capacity=10)
    learner = user_factory()
    widen_the_race(monkeypatch)
    barrier = threading.Barrier(2)
    created = []

    def join():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            created.append(services.enroll(cohort=cohort, user=learner).created)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=join) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(created) == [False, True]
    assert Enrollment.objects.filter(cohort=cohort, user=learner).count() == 1
