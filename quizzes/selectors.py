"""Reads for the quiz pages. Each page does a fixed number of queries whatever the
number of questions and attempts: questions come with their choices in one
prefetch, and the attempt page never loads what is right or the feedback."""
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from courses.models import Module
from sections.models import Slide

from . import policy
from .models import Answer, Attempt, AttemptReset, Choice, Question, Quiz


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
    question_count: int  # the bank
    attempts: list[Attempt]  # submitted, newest first
    open_attempt: Attempt | None
    window: policy.Window | None = None
    reset_at: object = None

    @property
    def asked_count(self) -> int:
        """How many questions one attempt asks (the draw, or the whole bank)."""
        if self.quiz.draw_count is None:
            return self.question_count
        return min(self.quiz.draw_count, self.question_count)

    @property
    def used(self) -> int:
        """Attempts that count against the maximum (those since staff's last reset)."""
        every = self.attempts + ([self.open_attempt] if self.open_attempt else [])
        return sum(1 for a in every if self.reset_at is None or a.started_at >= self.reset_at)

    @property
    def remaining(self) -> int | None:
        if self.quiz.max_attempts is None:
            return None
        return max(0, self.quiz.max_attempts - self.used)

    @property
    def opens_at(self):
        return self.window.opens_at if self.window and not self.window.may_start else None

    @property
    def waiting_reason(self) -> str:
        return self.window.reason if self.window and not self.window.may_start else ""

    @property
    def reveals_key(self) -> bool:
        """The right choices are shown once the learner passed, or used their last allowed attempt."""
        return self.passed or (self.quiz.max_attempts is not None and self.remaining == 0 and self.open_attempt is None)

    @property
    def best(self) -> Attempt | None:
        return max(self.attempts, key=lambda a: (a.score, -a.number), default=None)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def may_start(self) -> bool:
        return (
            self.open_attempt is None and self.question_count > 0 and self.remaining != 0
            and (self.window is None or self.window.may_start)
        )


def quiz_overview(*, quiz: Quiz, user, now=None) -> QuizOverview:
    """The learner's history at this quiz and when the next attempt opens (3 queries)."""
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("-number"))
    for attempt in attempts:
        attempt.quiz = quiz
    reset_at = (
        AttemptReset.objects.filter(quiz=quiz, user=user).order_by("-reset_at").values_list("reset_at", flat=True)
        .first()
    )
    return QuizOverview(
        quiz=quiz,
        question_count=quiz.questions.count(),
        attempts=[a for a in attempts if a.is_submitted],
        open_attempt=next((a for a in attempts if not a.is_submitted), None),
        window=policy.start_window(quiz=quiz, attempts=attempts, now=now or timezone.now(), reset_at=reset_at),
        reset_at=reset_at,
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
        Question.objects.filter(quiz_id=attempt.quiz_id, pk__in=(attempt.layout or {}).get("questions", []))
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
    slides: list[Slide] = field(default_factory=list)
    number: int = 0
    reveal: bool = True

    @property
    def chosen(self) -> list[Choice]:
        return [c for c in self.choices if c.pk in self.selected_ids]

    @property
    def chosen_wrong(self) -> list[Choice]:
        return [c for c in self.chosen if not c.is_correct]

    @property
    def shown_feedback(self) -> list[Choice]:
        """The choices whose feedback the learner sees while the key stays hidden: on a wrong answer
        only their wrong picks (a right pick's feedback would name a right choice)."""
        if self.reveal or self.is_correct:
            return self.chosen
        return self.chosen_wrong


def attempt_review(*, attempt: Attempt, reveal: bool = True) -> list[ReviewedQuestion]:
    """A submitted attempt question by question, with answers and feedback (6 queries).

    ``reveal`` False (a failed attempt while the learner may still try again): the page gets
    right or wrong per question and the feedback on the learner's own choice, never which
    choice was right. The caller decides (``QuizOverview.reveals_key``).
    """
    module = attempt.quiz.section.module
    questions = list(
        Question.objects.filter(quiz_id=attempt.quiz_id, pk__in=(attempt.layout or {}).get("questions", []))
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position")),
            Prefetch("slides", queryset=Slide.objects.select_related("section").order_by("position")),
        )
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
    for number, question in enumerate(_in_layout_order(attempt, questions), 1):
        slides = []
        for slide in question.slides.all():
            slide.section.module = module
            slide.learner_position = positions.get(slide.pk)
            if slide.learner_position:  # a draft has no learner URL: no link
                slides.append(slide)
        answer = answers.get(question.pk)
        selected = {c.pk for c in answer.choices.all()} if answer else set()
        reviewed.append(
            ReviewedQuestion(
                question=question,
                # Hidden key: not even the other choices' texts reach the page.
                choices=question.ordered_choices if reveal else [c for c in question.ordered_choices if c.pk in selected],
                selected_ids=selected,
                is_correct=bool(answer and answer.is_correct),
                answered=answer is not None,
                correct_choices=[c for c in question.ordered_choices if c.is_correct] if reveal else [],
                slides=slides,
                number=number,
                reveal=reveal,
            )
        )
    return reviewed
