"""Tampering with a quiz gets a clear answer and changes nothing.

Each test sends what a crafted request, a double click or a second tab would
send and then checks the database is exactly as before. They run on SQLite and
on PostgreSQL (CI runs the suite on both); the concurrent versions are in
test_quiz_concurrency.py.
"""
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from quizzes import services
from quizzes.models import Answer, Attempt, Choice


@pytest.fixture
def course(build_course):
    return build_course(sections=2, slides=2, questions=3)


def start(client, module, number=1):
    response = client.post(reverse("quizzes:start", args=[module.slug, number]))
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(re.search(r"/poging/(\d+)/", response.url).group(1)))


def snapshot():
    """Everything a submission could change."""
    return (
        list(Attempt.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        list(Answer.choices.through.objects.order_by("pk").values()),
    )


@pytest.fixture
def open_attempt(client, course, learner):
    client.force_login(learner)
    return start(client, course)


def test_a_choice_of_another_question_is_a_form_error(client, open_attempt, quiz_answers):
    data = quiz_answers(open_attempt)
    single = open_attempt.quiz.questions.get(kind="single")
    other = Choice.objects.exclude(question=single).first()
    before = snapshot()
    for foreign in [str(other.pk), "99", "0", "-1", "1.5", "één", ""]:
        data[f"vraag-{single.pk}"] = [foreign]
        response = client.post(open_attempt.get_absolute_url(), data)
        assert response.status_code == 400, foreign
        html = response.content.decode()
        assert "Je quiz is nog niet ingeleverd" in html
    assert snapshot() == before


def test_a_foreign_option_in_a_multiple_choice_answer_is_a_form_error(client, open_attempt, quiz_answers):
    data = quiz_answers(open_attempt)
    multiple = open_attempt.quiz.questions.get(kind="multiple")
    data[f"vraag-{multiple.pk}"] = data[f"vraag-{multiple.pk}"] + ["7"]
    before = snapshot()
    response = client.post(open_attempt.get_absolute_url(), data)
    assert response.status_code == 400
    assert "een antwoord gekozen dat niet bij deze vraag hoort" in response.content.decode()
    assert snapshot() == before


def test_a_missing_answer_is_a_form_error(client, open_attempt, quiz_answers):
    before = snapshot()
    for question_id in open_attempt.layout["questions"]:
        data = quiz_answers(open_attempt)
        del data[f"vraag-{question_id}"]
        response = client.post(open_attempt.get_absolute_url(), data)
        assert response.status_code == 400
    response = client.post(open_attempt.get_absolute_url(), {})
    assert response.status_code == 400
    assert response.content.decode().count('class="field-error"') == 3
    assert snapshot() == before


def test_two_answers_to_a_single_answer_question_is_a_form_error(client, open_attempt, quiz_answers):
    data = quiz_answers(open_attempt)
    for kind in ("single", "true_false"):
        question = open_attempt.quiz.questions.get(kind=kind)
        data_twice = {**data, f"vraag-{question.pk}": ["1", "2"]}
        before = snapshot()
        response = client.post(open_attempt.get_absolute_url(), data_twice)
        assert response.status_code == 400
        assert "hoort één antwoord" in response.content.decode()
        assert snapshot() == before


def test_a_replayed_submission_changes_nothing(client, open_attempt, quiz_answers):
    url = open_attempt.get_absolute_url()
    right = quiz_answers(open_attempt)
    assert client.post(url, right).status_code == 302
    after_first = snapshot()
    wrong = quiz_answers(open_attempt, wrong=set(open_attempt.layout["questions"]))
    for data in (right, wrong):  # the same request again (double click, resend), and a changed one
        response = client.post(url, data, follow=True)
        assert response.redirect_chain[-1][0].endswith("/resultaat/")
        assert "Deze poging was al ingeleverd. Er is niets gewijzigd." in response.content.decode()
    assert snapshot() == after_first


def test_a_submitted_attempt_is_never_changed_by_the_service(open_attempt, learner, quiz_answers):
    services.attempt_submit(attempt=open_attempt, user=learner, selections=_selections(open_attempt, right=True))
    before = snapshot()
    with pytest.raises(services.AttemptAlreadySubmitted):
        services.attempt_submit(attempt=open_attempt, user=learner, selections=_selections(open_attempt, right=False))
    assert snapshot() == before


def _selections(attempt, *, right):
    result = {}
    for qid in attempt.layout["questions"]:
        choices = Choice.objects.filter(question_id=qid, is_correct=right).values_list("pk", flat=True)
        result[qid] = set(choices[:1]) if not right or attempt.quiz.questions.get(pk=qid).kind != "multiple" else set(choices)
    return result


def test_the_service_refuses_foreign_and_missing_choices(open_attempt, learner):
    before = snapshot()
    good = _selections(open_attempt, right=True)
    first, second = open_attempt.layout["questions"][:2]
    swapped = {**good, first: good[second]}  # an answer that belongs to another question
    missing = {k: v for k, v in good.items() if k != first}
    empty = {**good, first: set()}
    extra = {**good, 999999: {1}}
    for selections in (swapped, missing, empty, extra):
        with pytest.raises(services.InvalidSubmission):
            services.attempt_submit(attempt=open_attempt, user=learner, selections=selections)
    assert snapshot() == before


def test_another_learners_attempt_is_missing(client, course, open_attempt, learner_factory, quiz_answers):
    someone_else = learner_factory()
    intruder = Client()
    intruder.force_login(someone_else)
    before = snapshot()
    result_url = reverse("quizzes:result", args=[course.slug, 1, open_attempt.pk])
    assert intruder.get(open_attempt.get_absolute_url()).status_code == 404
    assert intruder.post(open_attempt.get_absolute_url(), quiz_answers(open_attempt)).status_code == 404
    assert intruder.get(result_url).status_code == 404
    with pytest.raises(Attempt.DoesNotExist):
        services.attempt_submit(attempt=open_attempt, user=someone_else, selections=_selections(open_attempt, right=True))
    assert snapshot() == before
    # ... and once it is submitted, its result is as missing.
    client.post(open_attempt.get_absolute_url(), quiz_answers(open_attempt))
    assert intruder.get(result_url).status_code == 404


def test_an_attempt_under_another_section_or_module_address_is_missing(client, course, open_attempt, build_course):
    other = build_course(sections=1, slides=1, questions=1)
    for url in [
        reverse("quizzes:attempt", args=[course.slug, 2, open_attempt.pk]),
        reverse("quizzes:attempt", args=[other.slug, 1, open_attempt.pk]),
        reverse("quizzes:result", args=[course.slug, 2, open_attempt.pk]),
        reverse("quizzes:attempt", args=[course.slug, 1, 999999]),
        reverse("quizzes:attempt", args=[course.slug, 9, open_attempt.pk]),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_past_the_attempt_limit_nothing_is_started(client, build_course, learner, quiz_answers):
    module = build_course(sections=1, slides=1, questions=1, max_attempts=1)
    client.force_login(learner)
    attempt = start(client, module)
    client.post(attempt.get_absolute_url(), quiz_answers(attempt, wrong=set(attempt.layout["questions"])))
    before = snapshot()
    response = client.post(reverse("quizzes:start", args=[module.slug, 1]))
    assert response.status_code == 403
    assert "Je hebt al je pogingen voor deze quiz gebruikt. Er is geen nieuwe poging gestart." in response.content.decode()
    assert snapshot() == before
    with pytest.raises(services.AttemptLimitReached):
        services.attempt_start(quiz=attempt.quiz, user=learner)
    assert snapshot() == before


def test_a_quiz_without_questions_cannot_be_started(client, build_module, quiz_factory, learner):
    module = build_module(sections=1, slides=1)
    quiz_factory(section=module.sections.get(), questions=0)
    client.force_login(learner)
    response = client.post(reverse("quizzes:start", args=[module.slug, 1]))
    assert response.status_code == 409
    assert not Attempt.objects.exists()


def test_posts_without_csrf_token_are_refused(course, learner, quiz_answers):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(reverse("quizzes:start", args=[course.slug, 1])).status_code == 403
    assert not Attempt.objects.exists()
    attempt, _ = services.attempt_start(quiz=course.sections.get(number=1).quiz, user=learner)
    before = snapshot()
    assert strict.post(attempt.get_absolute_url(), quiz_answers(attempt)).status_code == 403
    assert snapshot() == before


def test_the_database_allows_one_open_attempt_per_learner_per_quiz(open_attempt):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(quiz=open_attempt.quiz, user=open_attempt.user, number=2, layout={})


def test_the_database_refuses_a_result_without_submission(open_attempt):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.filter(pk=open_attempt.pk).update(score=100, passed=True)


def test_a_question_removed_during_the_attempt_is_left_out(client, open_attempt, quiz_answers):
    data = quiz_answers(open_attempt)
    removed = open_attempt.quiz.questions.get(kind="true_false")
    del data[f"vraag-{removed.pk}"]
    removed.delete()
    response = client.post(open_attempt.get_absolute_url(), data)
    assert response.status_code == 302
    open_attempt.refresh_from_db()
    assert (open_attempt.correct_count, open_attempt.question_count, open_attempt.passed) == (2, 2, True)
