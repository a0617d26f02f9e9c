"""Taking a quiz through the test client: start, answer, result, retake, history, scoring rule."""
import random
import re

import pytest
from django.urls import reverse

from quizzes import scoring, services
from quizzes.models import Answer, Attempt, Choice


def quiz_url(module, number=1):
    return reverse("quizzes:quiz", args=[module.slug, number])


def start_url(module, number=1):
    return reverse("quizzes:start", args=[module.slug, number])


def start(client, module, number=1):
    response = client.post(start_url(module, number))
    assert response.status_code == 302, response.content.decode()[:500]
    return Attempt.objects.get(pk=int(re.search(r"/poging/(\d+)/", response.url).group(1)))


@pytest.fixture
def course(build_course):
    return build_course(sections=2, slides=3, questions=3)


# --- the scoring rule, as stated on the page ---------------------------------------------


def test_multiple_choice_is_all_or_nothing():
    correct = {1, 3}
    assert scoring.answer_is_correct(selected={1, 3}, correct=correct)
    assert not scoring.answer_is_correct(selected={1}, correct=correct)  # one missing
    assert not scoring.answer_is_correct(selected={1, 3, 4}, correct=correct)  # one extra
    assert not scoring.answer_is_correct(selected={1, 2, 3, 4}, correct=correct)  # "tick everything"
    assert not scoring.answer_is_correct(selected=set(), correct=correct)


@pytest.mark.parametrize(
    "right, total, mark, score, passed",
    [(6, 6, 70, 100, True), (5, 6, 70, 83, True), (4, 6, 70, 66, False), (7, 10, 70, 70, True),
     (69, 100, 70, 69, False), (2, 3, 67, 66, False), (2, 3, 66, 66, True), (0, 6, 70, 0, False)],
)
def test_score_is_rounded_down_and_pass_is_exact(right, total, mark, score, passed):
    assert scoring.score_percent(correct_count=right, question_count=total) == score
    assert scoring.has_passed(correct_count=right, question_count=total, pass_mark=mark) is passed


def test_questions_needed_to_pass():
    assert scoring.questions_needed(question_count=6, pass_mark=70) == 5
    assert scoring.questions_needed(question_count=10, pass_mark=70) == 7
    assert scoring.questions_needed(question_count=9, pass_mark=70) == 7


# --- pages ---------------------------------------------------------------------------------


def test_quiz_pages_need_a_login(client, course):
    response = client.get(quiz_url(course))
    assert response.status_code == 302
    assert reverse("account_login") in response.url
    assert client.post(start_url(course)).status_code == 302
    assert not Attempt.objects.exists()


def test_quiz_page_states_the_rules_and_offers_a_start_button(client, course, learner):
    client.force_login(learner)
    response = client.get(quiz_url(course))
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 vragen" in html
    assert "Geslaagd vanaf 70%: 3 van de 3 goed" in html
    assert "Half goed telt als fout" in html
    assert "zo vaak maken als je wilt" in html
    assert f'<form method="post" action="{start_url(course)}">' in html
    assert "Start de quiz" in html
    # Revalidated on every visit, private, and allowed in the back/forward cache (tests/test_http_caching.py).
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_section_without_quiz_has_no_quiz_page(client, build_module, learner):
    module = build_module(sections=1, slides=1)
    client.force_login(learner)
    assert client.get(quiz_url(module)).status_code == 404
    assert client.post(start_url(module)).status_code == 404


def test_starting_is_post_only(client, course, learner):
    client.force_login(learner)
    assert client.get(start_url(course)).status_code == 405
    assert not Attempt.objects.exists()


def test_start_refresh_and_back_never_open_a_second_attempt(client, course, learner):
    client.force_login(learner)
    first = start(client, course)
    again = start(client, course)  # the back button, a resubmitted form, a second tab
    assert again.pk == first.pk
    assert Attempt.objects.count() == 1
    html = client.get(quiz_url(course)).content.decode()
    assert "Ga verder met poging 1" in html
    assert "Start de quiz" not in html


def test_attempt_page_shows_every_question_with_kind_hints(client, course, learner):
    client.force_login(learner)
    attempt = start(client, course)
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert html.count('<fieldset id="vraag-') == 3
    assert "Vraag 1 van 3" in html
    assert "Kies één antwoord." in html
    assert "Kies alle juiste antwoorden." in html
    assert "Waar of niet waar?" in html
    assert 'type="checkbox"' in html and 'type="radio"' in html
    assert "novalidate" in html


def test_answers_and_feedback_never_reach_the_browser_before_submission(client, course, learner):
    client.force_login(learner)
    attempt = start(client, course)
    html = client.get(attempt.get_absolute_url()).content.decode()
    for choice in Choice.objects.filter(question__quiz=attempt.quiz):
        assert choice.feedback not in html
    lowered = html.lower()
    for hint in ("is_correct", "correct", r"\bjuist antwoord", "feedback", "uitleg", "tag--"):
        assert not re.search(hint, lowered), hint
    # Right and wrong options are marked up alike: strip the place and the id and they are identical.
    inputs = re.findall(r"<input [^>]*name=\"vraag-[^>]*>", html)
    assert inputs
    shapes = {re.sub(r'(value|id)="[^"]*"', "", tag) for tag in inputs}
    per_question = {re.search(r'name="([^"]+)"', s).group(1) for s in shapes}
    assert len(shapes) == len(per_question)
    # The value is the option's place in the list, never the database id.
    for question_id, order in attempt.layout["choices"].items():
        values = re.findall(rf'name="vraag-{question_id}" value="(\d+)"', html)
        assert values == [str(i) for i in range(1, len(order) + 1)]


def test_shuffled_order_is_stored_and_stable_per_attempt(client, build_course, learner, quiz_answers):
    module = build_course(sections=1, slides=2, questions=8, shuffle=True)
    client.force_login(learner)
    attempt = start(client, module)
    first = client.get(attempt.get_absolute_url()).content.decode()
    second = client.get(attempt.get_absolute_url()).content.decode()
    assert re.findall(r'<fieldset id="(vraag-\d+)"', first) == re.findall(r'<fieldset id="(vraag-\d+)"', second)
    shown = [int(x) for x in re.findall(r'<fieldset id="vraag-(\d+)"', first)]
    assert shown == attempt.layout["questions"]


def test_shuffle_gives_other_orders_to_other_attempts(build_course, learner_factory):
    module = build_course(sections=1, slides=2, questions=8, shuffle=True)
    quiz = module.sections.get().quiz
    orders = set()
    for seed in range(6):
        attempt, _ = services.attempt_start(quiz=quiz, user=learner_factory(), rng=random.Random(seed))
        orders.add(tuple(attempt.layout["questions"]))
        # True/false keeps "Waar" first.
        for question in quiz.questions.filter(kind="true_false"):
            assert attempt.layout["choices"][str(question.pk)] == list(
                question.choices.order_by("position").values_list("pk", flat=True)
            )
    assert len(orders) > 1


def test_fixed_order_follows_the_positions(client, course, learner):
    client.force_login(learner)
    attempt = start(client, course)
    quiz = attempt.quiz
    assert attempt.layout["questions"] == list(quiz.questions.order_by("position").values_list("pk", flat=True))
    for question in quiz.questions.all():
        assert attempt.layout["choices"][str(question.pk)] == list(
            question.choices.order_by("position").values_list("pk", flat=True)
        )


def test_all_right_passes_with_full_result_page(client, course, learner, quiz_answers):
    client.force_login(learner)
    attempt = start(client, course)
    response = client.post(attempt.get_absolute_url(), quiz_answers(attempt))
    assert response.status_code == 302
    assert response.url == reverse("quizzes:result", args=[course.slug, 1, attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.question_count, attempt.score, attempt.passed) == (3, 3, 100, True)
    assert attempt.pass_mark == 70
    html = client.get(response.url).content.decode()
    assert "Geslaagd!" in html
    assert "3 van de 3 vragen goed: 100%" in html
    assert "Half goed telt als fout" in html


def test_a_failed_result_teaches_without_giving_the_key(client, course, learner, quiz_answers):
    """Issue 10: right or wrong per question, the feedback on the learner's own choice and the slides;
    never which choice was right while the learner may try again."""
    client.force_login(learner)
    attempt = start(client, course)
    multiple = attempt.quiz.questions.get(kind="multiple")
    client.post(attempt.get_absolute_url(), quiz_answers(attempt, wrong={multiple.pk}))
    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.score, attempt.passed) == (2, 66, False)
    html = client.get(reverse("quizzes:result", args=[course.slug, 1, attempt.pk])).content.decode()
    assert "Nog niet geslaagd" in html
    assert "2 van de 3 vragen goed: 66%" in html
    assert "1 vraag fout beantwoord" in html and 'href="#vraag-' in html
    assert html.count("Jouw antwoord") == 1 + 1 + 1
    assert ">Juist antwoord<" not in html
    # The multiple-choice answer was one right option of two: incomplete, and nothing named.
    for choice in multiple.choices.filter(is_correct=True):
        assert choice.feedback not in html
    assert "er hoort nog minstens één juist antwoord bij" in html
    for choice in multiple.choices.filter(is_correct=False):
        assert choice.text not in html and choice.feedback not in html
    for question in attempt.quiz.questions.prefetch_related("slides__section__module"):
        for slide in question.slides.all():
            assert f'href="{slide.get_absolute_url()}"' in html
    assert "Lees het na op slide 1." in html
    assert html.count("Opnieuw proberen") == 2  # at the top and at the bottom


def test_a_passed_result_shows_every_right_answer_and_its_feedback(client, course, learner, quiz_answers):
    client.force_login(learner)
    attempt = start(client, course)
    client.post(attempt.get_absolute_url(), quiz_answers(attempt))
    html = client.get(reverse("quizzes:result", args=[course.slug, 1, attempt.pk])).content.decode()
    assert "Geslaagd!" in html
    assert html.count(">Juist antwoord<") == 1 + 2 + 1
    for choice in Choice.objects.filter(question__quiz=attempt.quiz):
        assert choice.feedback in html


def test_retake_after_failing_then_history_and_best_score(client, course, learner, quiz_answers):
    client.force_login(learner)
    first = start(client, course)
    client.post(first.get_absolute_url(), quiz_answers(first, wrong=set(first.layout["questions"])))
    second = start(client, course)
    assert second.pk != first.pk and second.number == 2
    client.post(second.get_absolute_url(), quiz_answers(second))
    html = client.get(quiz_url(course)).content.decode()
    assert "Je bent geslaagd voor deze quiz. Je beste score is 100%." in html
    assert "Beste score: <strong>100%</strong> (poging 2)" in html
    assert html.count("<th scope=\"row\">") == 2
    assert "Maak de quiz opnieuw" in html  # practice after passing is allowed while attempts remain


def test_attempt_limit_is_shown_and_enforced(client, build_course, learner, quiz_answers):
    module = build_course(sections=1, slides=1, questions=2, max_attempts=2)
    client.force_login(learner)
    html = client.get(quiz_url(module)).content.decode()
    assert "Nog 2 pogingen van de 2" in html
    for _ in range(2):
        attempt = start(client, module)
        client.post(attempt.get_absolute_url(), quiz_answers(attempt, wrong=set(attempt.layout["questions"])))
    html = client.get(quiz_url(module)).content.decode()
    assert "Nog 0 pogingen van de 2" in html
    assert "Je hebt al je pogingen voor deze quiz gebruikt." in html
    assert "Start de quiz" not in html and "Maak de quiz opnieuw" not in html


def test_back_to_a_submitted_attempt_shows_its_result(client, course, learner, quiz_answers):
    client.force_login(learner)
    attempt = start(client, course)
    client.post(attempt.get_absolute_url(), quiz_answers(attempt))
    response = client.get(attempt.get_absolute_url())
    assert response.status_code == 302
    assert response.url.endswith("/resultaat/")


def test_result_of_an_open_attempt_goes_to_the_form(client, course, learner):
    client.force_login(learner)
    attempt = start(client, course)
    response = client.get(reverse("quizzes:result", args=[course.slug, 1, attempt.pk]))
    assert response.status_code == 302
    assert response.url == attempt.get_absolute_url()


def test_a_form_error_keeps_the_answers_given(client, course, learner, quiz_answers):
    client.force_login(learner)
    attempt = start(client, course)
    data = quiz_answers(attempt)
    missing = attempt.layout["questions"][1]
    del data[f"vraag-{missing}"]
    response = client.post(attempt.get_absolute_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Je quiz is nog niet ingeleverd" in html
    assert f'href="#vraag-{missing}"' in html
    assert html.count("checked") == sum(len(v) for v in data.values())


def test_answers_are_recorded_with_the_choices_picked(client, course, learner, quiz_answers):
    client.force_login(learner)
    attempt = start(client, course)
    client.post(attempt.get_absolute_url(), quiz_answers(attempt))
    answers = Answer.objects.filter(attempt=attempt).prefetch_related("choices")
    assert answers.count() == 3
    for answer in answers:
        assert {c.pk for c in answer.choices.all()} == set(
            Choice.objects.filter(question=answer.question, is_correct=True).values_list("pk", flat=True)
        )
        assert answer.is_correct
