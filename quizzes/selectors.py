"""Reads for the quiz pages. Each page does a fixed number of queries whatever the
number of questions and attempts: questions come with their choices in one
prefetch, and the attempt page never loads what is right or the feedback."""
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from courses.models import Module
from sections.models import Slide

from .models import Answer, Attempt, Choice, Question, Quiz


def quiz_for_section(*, module: Module, number: int) -> Quiz:
    """The quiz of section ``number`` of ``module`` (1 query), or 404."""
    try:
        quiz = Quiz.objects.select_related("section").get(section__module=module, section__number=number)
    except Quiz.DoesNotExist:
        raise Http404("No quiz for this section.") from None
    quiz.section.module = module
    return quiz


@dataclass(frozen=True)
class QuizOverview:
    """What the quiz's start page shows a learner: their attempts, best score and what they may do next."""

    quiz: Quiz
    question_count: int
    attempts: list[Attempt]  # submitted, newest first
    open_attempt: Attempt | None

    @property
    def used(self) -> int:
        return len(self.attempts) + (1 if self.open_attempt else 0)

    @property
    def remaining(self) -> int | None:
        if self.quiz.max_attempts is None:
            return None
        return max(0, self.quiz.max_attempts - self.used)

    @property
    def best(self) -> Attempt | None:
        return max(self.attempts, key=lambda a: (a.score, -a.number), default=None)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def may_start(self) -> bool:
        return self.open_attempt is None and self.question_count > 0 and self.remaining != 0


def quiz_overview(*, quiz: Quiz, user) -> QuizOverview:
    """The learner's history at this quiz (2 queries)."""
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("-number"))
    for attempt in attempts:
        attempt.quiz = quiz
    return QuizOverview(
        quiz=quiz,
        question_count=quiz.questions.count(),
        attempts=[a for a in attempts if a.is_submitted],
        open_attempt=next((a for a in attempts if not a.is_submitted), None),
    )


def attempt_for_learner(*, quiz: Quiz, attempt_id: int, user) -> Attempt:
    """The learner's own attempt at this quiz (1 query). Another learner's attempt is "missing": 404."""
    try:
        attempt = Attempt.objects.get(pk=attempt_id, quiz=quiz, user=user)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None
    attempt.quiz = quiz
    return attempt


def _in_layout_order(attempt: Attempt, questions: list[Question]) -> list[Question]:
    """Questions and choices in the order stored when the attempt started.

    A question removed since is left out; one added since is not part of this
    attempt. A choice added since comes last, so nothing disappears from view.
    """
    layout = attempt.layout or {}
    by_id = {q.pk: q for q in questions}
    ordered = [by_id[qid] for qid in layout.get("questions", []) if qid in by_id]
    choice_orders = layout.get("choices", {})
    for question in ordered:
        order = {cid: i for i, cid in enumerate(choice_orders.get(str(question.pk), []))}
        question.ordered_choices = sorted(
            question.choices.all(), key=lambda c: (order.get(c.pk, len(order)), c.position)
        )
    return ordered


def attempt_questions(*, attempt: Attempt) -> list[Question]:
    """The questions of an open attempt, for the form (2 queries).

    Deliberately without ``is_correct`` and ``feedback``: what the learner's
    browser may not know is not even loaded.
    """
    questions = list(
        Question.objects.filter(quiz_id=attempt.quiz_id)
        .only("id", "quiz_id", "position", "kind", "text")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.only("id", "question_id", "position", "text")))
    )
    return _in_layout_order(attempt, questions)


@dataclass
class ReviewedQuestion:
    question: Question
    choices: list[Choice]
    selected_ids: set[int]
    is_correct: bool
    answered: bool = True
    correct_choices: list[Choice] = field(default_factory=list)


def attempt_review(*, attempt: Attempt) -> list[ReviewedQuestion]:
    """A submitted attempt question by question, with answers, the right answers and feedback (5 queries)."""
    module = attempt.quiz.section.module
    questions = list(
        Question.objects.filter(quiz_id=attempt.quiz_id)
        .select_related("slide__section")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position")))
    )
    # The learner's number of each slide, for the "read it again" links (a draft has none: no link).
    positions = dict(
        Slide.objects.filter(section__module=module).for_learners().values_list("pk", "learner_position")
    )
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(attempt=attempt).prefetch_related(
            Prefetch("choices", queryset=Choice.objects.only("id"))
        )
    }
    reviewed = []
    for question in _in_layout_order(attempt, questions):
        question.slide.section.module = module
        question.slide.learner_position = positions.get(question.slide_id)
        answer = answers.get(question.pk)
        selected = {c.pk for c in answer.choices.all()} if answer else set()
        reviewed.append(
            ReviewedQuestion(
                question=question,
                choices=question.ordered_choices,
                selected_ids=selected,
                is_correct=bool(answer and answer.is_correct),
                answered=answer is not None,
                correct_choices=[c for c in question.ordered_choices if c.is_correct],
            )
        )
    return reviewed
