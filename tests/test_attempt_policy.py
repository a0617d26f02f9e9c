"""The attempt policy of issue 10: each attempt draws its questions from the bank, spread over the
section's slides, in a stored and reproducible order; attempts are paced (a limit per day, a pause
after a failed attempt) and staff can give a learner a fresh start.

The clock is frozen by replacing ``django.utils.timezone.now`` (what the services, the selectors and
``auto_now_add`` all read), so "ten minutes later" and "tomorrow" are exact.
"""
import datetime
import random
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from quizzes import policy, services
from quizzes.models import Attempt, AttemptReset, Choice, Question

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Clock:
    def __init__(self, when):
        self.now = when

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += datetime.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=AMSTERDAM).astimezone(datetime.timezone.utc))
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def bank(build_module, quiz_factory):
    """A section of 12 slides with a bank of 24 questions (two per slide); attempts draw 8."""
    module = build_module(sections=1, slides=12)
    section = module.sections.get()
    quiz = quiz_factory(section=section, questions=24, draw_count=8, shuffle=True)
    slides = list(section.slides.order_by("position"))
    for question in quiz.questions.order_by("position"):
        question.slides.set([slides[(question.position - 1) // 2]])
    return quiz


def first_slide_position(question_ids):
    return {
        q.pk: min(s.position for s in q.slides.all())
        for q in Question.objects.filter(pk__in=question_ids).prefetch_related("slides")
    }


# --- the draw ------------------------------------------------------------------------------


def test_an_attempt_draws_from_every_part_of_the_section(bank, learner_factory):
    bands = policy._bands(list(range(1, 13)), 8)  # slide positions 1..12 cut into 8 consecutive bands
    for _ in range(20):
        attempt, _created = services.attempt_start(quiz=bank, user=learner_factory())
        asked = attempt.layout["questions"]
        assert len(asked) == len(set(asked)) == 8
        covered = set(first_slide_position(asked).values())
        for band in bands:
            assert covered & set(band), (band, covered)


def test_the_draw_is_stored_and_reproducible_from_its_seed(client, bank, learner):
    attempt, _ = services.attempt_start(quiz=bank, user=learner, rng=random.Random(7))
    keys = [(q.pk, (min(s.position for s in q.slides.all()), min(s.pk for s in q.slides.all())))
            for q in bank.questions.prefetch_related("slides")]
    again = policy.draw(bank=keys, count=8, rng=random.Random(attempt.layout["seed"]))
    assert sorted(again) == sorted(attempt.layout["questions"])
    # The same generator state gives the same attempt (draw and order) again.
    twin, _ = services.attempt_start(quiz=bank, user=learner_twin(learner), rng=random.Random(7))
    assert twin.layout["questions"] == attempt.layout["questions"]
    # The order the learner sees is the stored one, on every reload.
    client.force_login(learner)
    for _ in range(2):
        html = client.get(attempt.get_absolute_url()).content.decode()
        shown = [int(pk) for pk in re.findall(r'<fieldset id="vraag-(\d+)"', html)]
        assert shown == attempt.layout["questions"]


def learner_twin(learner):
    from accounts.models import User

    return User.objects.create_user(email="tweeling@example.org", password="x")


def test_two_attempts_rarely_ask_the_same_set(bank, learner_factory):
    sets = Counter()
    for _ in range(15):
        attempt, _ = services.attempt_start(quiz=bank, user=learner_factory())
        sets[frozenset(attempt.layout["questions"])] += 1
    assert len(sets) >= 12


def test_the_attempt_page_and_submission_use_only_the_drawn_questions(client, bank, learner, quiz_answers):
    client.force_login(learner)
    response = client.post(reverse("quizzes:start", args=[bank.section.module.slug, 1]))
    attempt = Attempt.objects.get(pk=int(re.search(r"/poging/(\d+)/", response.url).group(1)))
    html = client.get(attempt.get_absolute_url()).content.decode()
    shown = {int(pk) for pk in re.findall(r'<fieldset id="vraag-(\d+)"', html)}
    assert shown == set(attempt.layout["questions"]) and len(shown) == 8
    client.post(attempt.get_absolute_url(), quiz_answers(attempt))
    attempt.refresh_from_db()
    assert (attempt.question_count, attempt.correct_count, attempt.passed) == (8, 8, True)


def test_draw_count_none_asks_the_whole_bank_in_reading_order_when_not_shuffled():
    bank = [(10 + i, (i // 2, i)) for i in range(9)]
    assert policy.draw(bank=bank, count=None, rng=random.Random(1)) == [10 + i for i in range(9)]
    assert policy.draw(bank=bank, count=20, rng=random.Random(1)) == [10 + i for i in range(9)]
    drawn = policy.draw(bank=bank, count=3, rng=random.Random(1))
    assert len(drawn) == 3 and drawn == sorted(drawn)


# --- pacing: the limit per day and the pause after a failed attempt ------------------------


@pytest.fixture
def paced(build_course):
    module = build_course(sections=1, slides=2, questions=3, attempts_per_day=3, pause_after_fail=10)
    return module.sections.get().quiz


def fail(quiz, user):
    attempt, _ = services.attempt_start(quiz=quiz, user=user)
    wrong = {qid: {Choice.objects.filter(question_id=qid, is_correct=False).first().pk}
             for qid in attempt.layout["questions"]}
    return services.attempt_submit(attempt=attempt, user=user, selections=wrong)


def test_a_failed_attempt_pauses_for_ten_minutes(clock, paced, learner):
    fail(paced, learner)
    clock.advance(minutes=9, seconds=59)
    with pytest.raises(services.AttemptNotYetOpen) as refused:
        services.attempt_start(quiz=paced, user=learner)
    assert refused.value.window.reason == "pause"
    assert refused.value.window.opens_at == datetime.datetime(2026, 3, 2, 9, 10, tzinfo=AMSTERDAM)
    clock.advance(seconds=1)
    attempt, created = services.attempt_start(quiz=paced, user=learner)
    assert created and attempt.number == 2


def test_three_attempts_a_day_then_tomorrow_at_midnight(clock, paced, learner):
    for _ in range(3):
        fail(paced, learner)
        clock.advance(minutes=10)
    with pytest.raises(services.AttemptNotYetOpen) as refused:
        services.attempt_start(quiz=paced, user=learner)
    assert refused.value.window.reason == "day"
    assert refused.value.window.opens_at == datetime.datetime(2026, 3, 3, 0, 0, tzinfo=AMSTERDAM)
    clock.now = datetime.datetime(2026, 3, 3, 0, 0, tzinfo=AMSTERDAM)
    assert services.attempt_start(quiz=paced, user=learner)[1] is True


def test_the_quiz_page_explains_the_wait_with_the_time_it_opens(client, clock, paced, learner):
    client.force_login(learner)
    fail(paced, learner)
    url = reverse("quizzes:quiz", args=[paced.section.module.slug, 1])
    html = client.get(url).content.decode()
    assert "Opnieuw proberen kan vanaf 2 maart 2026 om 09:10" in html
    assert "Na een niet-geslaagde poging wacht je 10 minuten" in html
    response = client.post(reverse("quizzes:start", args=[paced.section.module.slug, 1]))
    assert response.status_code == 429
    assert Attempt.objects.filter(user=learner).count() == 1
    result = client.get(Attempt.objects.get(user=learner).get_absolute_url()).content.decode()
    assert "Opnieuw proberen kan vanaf 2 maart 2026 om 09:10" in result
    clock.advance(minutes=10)
    for _ in range(2):
        fail(paced, learner)
        clock.advance(minutes=10)
    html = client.get(url).content.decode()
    assert "Je hebt vandaag je 3 pogingen gebruikt. Opnieuw proberen kan vanaf 3 maart 2026 om 00:00." in html


def test_a_pass_is_not_paused_and_practice_stays_within_the_daily_limit(clock, paced, learner):
    attempt, _ = services.attempt_start(quiz=paced, user=learner)
    right = {qid: set(Choice.objects.filter(question_id=qid, is_correct=True).values_list("pk", flat=True))
             for qid in attempt.layout["questions"]}
    services.attempt_submit(attempt=attempt, user=learner, selections=right)
    assert services.attempt_start(quiz=paced, user=learner)[1] is True


def test_staff_reset_gives_a_fresh_start_and_keeps_the_history(clock, paced, learner, site_staff):
    for _ in range(3):
        fail(paced, learner)
        clock.advance(minutes=10)
    services.attempts_reset(quiz=paced, user=learner, by=site_staff)
    clock.advance(seconds=1)
    attempt, created = services.attempt_start(quiz=paced, user=learner)
    assert created and attempt.number == 4
    assert Attempt.objects.filter(user=learner).count() == 4
    assert AttemptReset.objects.get().reset_by == site_staff


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel starts need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_starts_never_pass_the_daily_limit(paced, learner):
    from tests.test_quiz_concurrency import run_together

    for _round in range(3):
        def start_and_submit(i):
            try:
                attempt, created = services.attempt_start(quiz=paced, user=learner)
            except services.AttemptNotYetOpen:
                return "refused"
            if created:
                right = {qid: set(Choice.objects.filter(question_id=qid, is_correct=True).values_list("pk", flat=True))
                         for qid in attempt.layout["questions"]}
                services.attempt_submit(attempt=attempt, user=learner, selections=right)
            return "started" if created else "same"

        run_together(start_and_submit)
    assert Attempt.objects.filter(user=learner).count() == 3
    # The fourth start today is refused, however many tabs try.
    with pytest.raises(services.AttemptNotYetOpen):
        services.attempt_start(quiz=paced, user=learner)


# --- staff reset through the dashboard ----------------------------------------------------


@pytest.fixture
def paced_cohort(paced, learner, cohort_factory, enrollment_factory, centre_staff_factory):
    cohort = cohort_factory(module=paced.section.module, name="Voorjaar 2026")
    enrollment_factory(cohort=cohort, user=learner)
    return cohort


def test_a_trainer_resets_a_learners_attempts_from_the_learner_attempts_page(
    client, clock, paced, paced_cohort, learner, centre_staff_factory, django_assert_max_num_queries
):
    trainer = centre_staff_factory(role="trainer", centre=paced_cohort.centre)
    paced_cohort.trainers.add(trainer)
    for _ in range(3):
        fail(paced, learner)
        clock.advance(minutes=10)
    client.force_login(trainer)
    dashboard = client.get(reverse("dashboards:cohort", args=[paced_cohort.pk])).content.decode()
    page_url = reverse("dashboards:attempts", args=[paced_cohort.pk, learner.pk])
    assert f'href="{page_url}"' in dashboard
    with django_assert_max_num_queries(16):
        html = client.get(page_url).content.decode()
    assert "Vandaag 3 van 3 pogingen gestart." in html
    assert "Volgende poging mogelijk vanaf 3 maart 2026 om 00:00." in html
    response = client.post(reverse("dashboards:attempts_reset", args=[paced_cohort.pk, learner.pk, 1]))
    assert response.status_code == 302 and response.url == page_url
    html = client.get(page_url).content.decode()
    assert "zijn hersteld: de volgende poging kan meteen" in html
    assert "Kan nu een poging starten." in html
    clock.advance(seconds=1)
    assert services.attempt_start(quiz=paced, user=learner)[1] is True
    assert AttemptReset.objects.get().reset_by == trainer
