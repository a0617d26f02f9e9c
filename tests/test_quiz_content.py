"""The Module 6 quizzes (fixtures/module6_quizzes.yaml) load cleanly and are fit to learn from.

Pins what the issue asks of the content: a quiz per section, at least six
questions each, every kind of question in every quiz, each question linked to
a slide of its own section, every choice with feedback, and the questions
that test the module's key ideas (the six BSR steps, the brainstorm ground
rules, the design-sprint stages, the five ecosystem phases, why SMEs should
collaborate).
"""
from collections import Counter

import pytest
from django.core.management import call_command

from quizzes.models import Choice, Question, Quiz
from quizzes.validation import question_problems

MODULE_SLUG = "samenwerken-voor-duurzaam-succes"


@pytest.fixture
def quizzes(module6):
    call_command("loaddata", "module6_quizzes", verbosity=0)
    return list(Quiz.objects.select_related("section").order_by("section__number"))


def test_one_quiz_per_section_with_defaults(quizzes):
    assert [q.section.number for q in quizzes] == [1, 2, 3]
    for quiz in quizzes:
        assert quiz.pass_mark == 70
        assert quiz.max_attempts is None
        assert quiz.shuffle is True


def test_each_quiz_has_at_least_six_questions_of_every_kind(quizzes):
    for quiz in quizzes:
        kinds = Counter(quiz.questions.values_list("kind", flat=True))
        assert sum(kinds.values()) >= 6, quiz
        assert set(kinds) == {"single", "multiple", "true_false"}, (quiz, kinds)


def test_every_question_is_linked_to_a_slide_of_its_own_section(quizzes):
    for question in Question.objects.select_related("quiz__section", "slide__section"):
        assert question.slide.section_id == question.quiz.section_id, question


def test_every_question_has_valid_choices_with_feedback(quizzes):
    for question in Question.objects.prefetch_related("choices"):
        choices = list(question.choices.all())
        assert question_problems(kind=question.kind, choices=[(c.text, c.is_correct) for c in choices]) == [], question
        for choice in choices:
            assert len(choice.feedback) > 30, choice
            # The feedback says at once whether the choice was right.
            assert choice.feedback.startswith("Juist." if choice.is_correct else "Onjuist."), choice
        # The form says "Kies alle juiste antwoorden." itself; the question does not repeat it.
        assert "Kies alle juiste antwoorden" not in question.text
        if question.kind == "true_false":
            assert [c.text for c in choices] == ["Waar", "Niet waar"]
            assert question.text.startswith("Waar of niet waar?")


def test_the_right_answer_is_not_always_in_the_same_place(quizzes):
    places = Counter(
        Choice.objects.filter(is_correct=True, question__kind="single").values_list("position", flat=True)
    )
    assert len(places) >= 3, places
    assert max(places.values()) <= sum(places.values()) // 2


@pytest.mark.parametrize(
    "section, slide_slugs",
    [
        # The six BSR steps, the insights of experienced partners, why collaboration matters for SMEs.
        (1, {"bsr-stap-1-geen-sjabloon", "bsr-stap-2-goed-bestuur", "bsr-stap-3-4-externe-druk-lange-termijn",
             "bsr-stap-5-6-verder-gaan-informeel", "samenwerking-is-essentieel", "een-laatste-woord"}),
        # The brainstorm ground rules and the design-sprint stages.
        (2, {"basisregels-1-2", "basisregels-3-4", "ontwerpsprint-organiseren", "sprint-04-prototype",
             "sprint-05-test"}),
        # The five phases of ecosystem building.
        (3, {"ecosysteem-fase-01-bijeenroepen", "ecosysteem-fase-02-convergentie", "ecosysteem-fase-03-verzorgen",
             "ecosysteem-fase-04-divergentie", "ecosysteem-fase-05-belichaming"}),
    ],
)
def test_the_key_ideas_of_each_section_are_tested(quizzes, section, slide_slugs):
    tested = set(Question.objects.filter(quiz__section__number=section).values_list("slide__slug", flat=True))
    assert slide_slugs <= tested, slide_slugs - tested


def test_questions_are_about_understanding_not_addresses(quizzes):
    for question in Question.objects.prefetch_related("choices"):
        texts = [question.text] + [c.text for c in question.choices.all()]
        assert not any("http" in t or "www." in t for t in texts), question


def test_loading_twice_changes_nothing(quizzes):
    counts = (Quiz.objects.count(), Question.objects.count(), Choice.objects.count())
    before = list(Choice.objects.order_by("pk").values_list("pk", "text", "is_correct"))
    call_command("loaddata", "module6_quizzes", verbosity=0)
    assert (Quiz.objects.count(), Question.objects.count(), Choice.objects.count()) == counts
    assert list(Choice.objects.order_by("pk").values_list("pk", "text", "is_correct")) == before
