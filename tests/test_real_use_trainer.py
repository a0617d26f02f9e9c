"""Issue 9, trainers and managers (points 10 and 11) through the test client: staff land on the
centre page; the dashboard's stuck count opens its filter and each row opens a learner page (slides
read, every answer of every attempt, reminders) with a reminder for that one learner."""
import re

import pytest
from django.core import mail
from django.urls import reverse

from dashboards.models import Reminder
from quizzes import services as quiz_services
from quizzes.models import Question

pytestmark = pytest.mark.usefixtures("clear_cache")
PASSWORD = "Geheim-wachtwoord-2026"


def log_in(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


# --- 10. staff land on their work ---------------------------------------------------


@pytest.mark.parametrize("role", ["trainer", "manager"])
def test_centre_staff_land_on_the_centre_page(client, centre_staff_factory, role):
    centre_staff_factory(role=role, email=f"{role}@centrum.nl")
    assert log_in(client, f"{role}@centrum.nl")["Location"] == reverse("centres:home")
    mine = client.get(reverse("dashboard")).content.decode()
    assert "nog niet ingeschreven" not in mine and reverse("centres:home") in mine


def test_learners_still_land_on_mijn_leeromgeving_and_next_still_wins(client, user_factory, centre_staff_factory, module6):
    user_factory(email="leerling@bakkerij.nl")
    assert log_in(client, "leerling@bakkerij.nl")["Location"] == reverse("dashboard")
    client.logout()
    centre_staff_factory(role="trainer", email="trainer@centrum.nl")
    response = client.post(reverse("account_login"), {"login": "trainer@centrum.nl", "password": PASSWORD,
                                                      "next": module6.get_absolute_url()})
    assert response["Location"] == module6.get_absolute_url()


# --- 11. the dashboard and the learner page ----------------------------------------


def fail_quiz(user, module, number):
    quiz = module.sections.get(number=number).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=user)
    selections = {}
    for question in quiz.questions.prefetch_related("choices"):
        wrong = [c.pk for c in question.choices.all() if not c.is_correct]
        selections[question.pk] = {wrong[0]}
    return quiz_services.attempt_submit(attempt=attempt, user=user, selections=selections)


@pytest.fixture
def setting(build_course, centre_factory, centre_staff_factory, cohort_factory, user_factory, enrollment_factory, slide_views):
    module = build_course(sections=2, slides=3, questions=3)
    centre = centre_factory()
    trainer = centre_staff_factory(role="trainer", centre=centre, name="Tessa Trainer")
    cohort = cohort_factory(centre=centre, module=module, trainers=[trainer])
    stuck = user_factory(name="Sam Stil", email="sam@example.org", company_name="Bakkerij Sam")
    busy = user_factory(name="Bea Bezig", email="bea@example.org")
    enrollments = {u.email: enrollment_factory(cohort=cohort, user=u) for u in (stuck, busy)}
    slide_views(stuck, module, count=2, days_ago=20)
    slide_views(busy, module, count=3)
    fail_quiz(busy, module, 1)
    return {"module": module, "cohort": cohort, "trainer": trainer, "stuck": stuck, "busy": busy,
            "enrollments": enrollments}


def learner_url(cohort, enrollment):
    return reverse("dashboards:learner", args=[cohort.pk, enrollment.pk])


def test_the_stuck_count_is_prominent_and_opens_the_filter_and_rows_open_the_learner(client, setting):
    cohort = setting["cohort"]
    client.force_login(setting["trainer"])
    html = client.get(reverse("dashboards:cohort", args=[cohort.pk])).content.decode()
    stuck = re.search(r'<a class="dash-stuck" href="([^"]+)"><span class="dash-stuck__count">(\d+)</span>', html)
    assert stuck and stuck.group(2) == "1" and stuck.group(1) == "?toon=vastgelopen#voortgang"
    assert '<details class="dash-summary" data-open-wide="48em">' in html  # the totals fold away on a phone
    for email, enrollment in setting["enrollments"].items():
        assert f'<a href="{learner_url(cohort, enrollment)}">' in html
    filtered = client.get(reverse("dashboards:cohort", args=[cohort.pk]) + "?toon=vastgelopen").content.decode()
    assert "Sam Stil" in filtered and "Bea Bezig" not in filtered


def test_the_learner_page_shows_slides_attempts_with_each_answer_and_reminders(
    client, setting, django_assert_max_num_queries
):
    cohort, busy = setting["cohort"], setting["busy"]
    client.force_login(setting["trainer"])
    url = learner_url(cohort, setting["enrollments"][busy.email])
    with django_assert_max_num_queries(18):
        html = client.get(url).content.decode()
    assert "<h1>Bea Bezig</h1>" in html
    assert "3 van 3 gelezen" in html and "0 van 3 gelezen" in html
    assert "Sectie 1, poging 1" in html and "0% · niet geslaagd" in html
    for question in Question.objects.filter(quiz__section__number=1, quiz__section__module=setting["module"]):
        assert question.text in html
    assert html.count("Gekozen:") == 3 and html.count("Juist:") == 3
    assert "Nog geen herinnering verstuurd." in html
    # The way to "Pogingen herstellen" is on the learner page too.
    attempts = reverse("dashboards:attempts", args=[cohort.pk, busy.pk])
    assert f'<a href="{attempts}">Pogingen per quiz bekijken of herstellen</a>' in html
    assert client.get(attempts).status_code == 200


def test_the_learner_page_pins_its_queries_whatever_the_number_of_attempts(client, setting, django_assert_max_num_queries, slide_views):
    cohort, busy = setting["cohort"], setting["busy"]
    for _ in range(3):
        fail_quiz(busy, setting["module"], 2)
    slide_views(busy, setting["module"], count=6)
    client.force_login(setting["trainer"])
    with django_assert_max_num_queries(18):
        assert client.get(learner_url(cohort, setting["enrollments"][busy.email])).status_code == 200


def test_stuur_herinnering_for_one_learner_once_a_week(client, setting):
    cohort, stuck = setting["cohort"], setting["stuck"]
    client.force_login(setting["trainer"])
    enrollment = setting["enrollments"][stuck.email]
    remind = reverse("dashboards:learner_remind", args=[cohort.pk, enrollment.pk])
    response = client.post(remind, follow=True)
    assert "Herinnering verstuurd aan Sam Stil" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["sam@example.org"] and message.reply_to == [setting["trainer"].email]
    reminder = Reminder.objects.get()
    assert (reminder.learner, reminder.cohort, reminder.sent_by) == (stuck, cohort, setting["trainer"])
    assert reminder.inactive_days == 20
    page = client.get(learner_url(cohort, enrollment)).content.decode()
    assert "door Tessa Trainer" in page and "hooguit één per week" in page
    assert remind not in page  # no button while the week is not over
    # A second one the same week is refused and sends nothing.
    response = client.post(remind, follow=True)
    assert "kreeg de afgelopen 7 dagen al een herinnering" in response.content.decode()
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1
    assert client.get(remind).status_code == 405


def test_the_learner_page_is_as_private_as_the_cohort(client, setting, centre_staff_factory, user_factory, enrollment_factory):
    cohort = setting["cohort"]
    enrollment = setting["enrollments"][setting["busy"].email]
    url = learner_url(cohort, enrollment)
    client.force_login(centre_staff_factory(role="trainer"))  # another centre's trainer
    assert client.get(url).status_code == 404
    client.force_login(setting["busy"])  # a learner
    assert client.get(url).status_code == 403
    client.force_login(setting["trainer"])
    other = enrollment_factory()  # an enrolment in another cohort, under this cohort's address
    assert client.get(learner_url(cohort, other)).status_code == 404
    enrollment.status = "withdrawn"
    enrollment.save()
    assert client.get(url).status_code == 404
