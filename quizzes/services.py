"""Writes for quizzes: starting and submitting an attempt.

Both lock before they decide, so that a refresh, the back button, a double
click or two tabs can never open a second attempt or submit one twice:

* ``attempt_start`` locks the learner's own user row, which serialises that
  learner's starts (and only theirs); the partial unique constraint "one open
  attempt per learner per quiz" is the last line of defence underneath.
* ``attempt_submit`` locks the attempt row and checks, under the lock, that it
  is still open. A submitted attempt is never written again.

The attempt policy (``policy.py``) is decided under the same user-row lock:
the daily limit and the pause after a failed attempt count the attempts the
lock protects, so parallel starts can never get past the limit.

What a pass means for the module (completion, the certificate) belongs to the
layer above: ``progress.services.quiz_attempt_submit`` calls ``attempt_submit``
and issues the certificate in the same transaction. Quizzes never import progress.
"""
import random

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import first_attempts, policy, scoring
from .models import Answer, Attempt, AttemptReset, Choice, FirstAttemptAnswer, Question, Quiz


class QuizError(Exception):
    """A request the quiz rules refuse; the message is shown to the learner."""


class AttemptLimitReached(QuizError):
    pass


class AttemptNotYetOpen(QuizError):
    """The daily limit or the pause after a failed attempt: ``window.opens_at`` says when."""

    def __init__(self, window: policy.Window):
        super().__init__("The next attempt is not open yet.")
        self.window = window


class QuizHasNoQuestions(QuizError):
    pass


class AttemptAlreadySubmitted(QuizError):
    def __init__(self, attempt):
        super().__init__("This attempt was already submitted.")
        self.attempt = attempt


class InvalidSubmission(QuizError):
    pass


def _layout(*, quiz: Quiz, rng: random.Random) -> dict:
    """The attempt's draw and order. The draw has its own generator, seeded from ``rng`` and the
    seed stored, so ``policy.draw`` with that seed gives this attempt's questions again."""
    bank = list(quiz.questions.order_by("position").prefetch_related("choices", "slides"))
    if not bank:
        raise QuizHasNoQuestions("This quiz has no questions yet.")
    seed = rng.randrange(2**31)
    keys = []
    for question in bank:
        first = min(((s.position, s.pk) for s in question.slides.all()), default=(0, 0))
        keys.append((question.pk, first))
    drawn = set(policy.draw(bank=keys, count=quiz.draw_count, rng=random.Random(seed)))
    questions = [q for q in bank if q.pk in drawn]
    if quiz.shuffle:
        rng.shuffle(questions)
    choices = {}
    for question in questions:
        ordered = sorted(question.choices.all(), key=lambda c: c.position)
        # "Waar" stays before "Niet waar": shuffling two fixed words only confuses.
        if quiz.shuffle and question.kind != Question.Kind.TRUE_FALSE:
            rng.shuffle(ordered)
        choices[str(question.pk)] = [c.pk for c in ordered]
    return {"questions": [q.pk for q in questions], "choices": choices, "seed": seed}


def last_reset_at(*, quiz: Quiz, user):
    return (
        AttemptReset.objects.filter(quiz=quiz, user=user).order_by("-reset_at").values_list("reset_at", flat=True)
        .first()
    )


@transaction.atomic
def attempt_start(*, quiz: Quiz, user, rng: random.Random | None = None, now=None) -> tuple[Attempt, bool]:
    """The learner's open attempt at ``quiz``, started now if there is none: (attempt, created).

    Refused with ``AttemptLimitReached`` (no attempts left at all) or ``AttemptNotYetOpen`` (daily
    limit, pause after a failed attempt), decided under the lock on the learner's row.
    """
    clock_given = now is not None
    now = now or timezone.now()
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user).only("number", "started_at", "submitted_at", "passed"))
    existing = max((a.number for a in attempts), default=0)
    open_attempt = Attempt.objects.open().filter(quiz=quiz, user=user).first()
    if open_attempt is not None:
        return open_attempt, False
    window = policy.start_window(quiz=quiz, attempts=attempts, now=now, reset_at=last_reset_at(quiz=quiz, user=user))
    if window.reason == "max":
        raise AttemptLimitReached("No attempts left.")
    if not window.may_start:
        raise AttemptNotYetOpen(window)
    layout = _layout(quiz=quiz, rng=rng or random.SystemRandom())
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(quiz=quiz, user=user, number=existing + 1, layout=layout)
            if clock_given:
                # started_at is auto_now_add; a policy decided at ``now`` records that same moment.
                Attempt.objects.filter(pk=attempt.pk).update(started_at=now)
                attempt.started_at = now
    except IntegrityError:
        # Only reachable where the row lock does not serialise (it always does on PostgreSQL):
        # the other request's attempt is the learner's attempt.
        return Attempt.objects.open().get(quiz=quiz, user=user), False
    return attempt, True


@transaction.atomic
def attempt_submit(*, attempt: Attempt, user, selections: dict[int, set[int]]) -> Attempt:
    """Mark and close the learner's open attempt; on a pass, the module may complete (same transaction).
    A first attempt (number 1) also writes its answers' ``FirstAttemptAnswer`` rows, for the reports."""
    locked = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz__section__module")
        .get(pk=attempt.pk, user=user)
    )
    if locked.submitted_at is not None:
        raise AttemptAlreadySubmitted(locked)

    question_ids = [qid for qid in locked.layout.get("questions", [])]
    questions = {q.pk: q for q in Question.objects.filter(quiz_id=locked.quiz_id, pk__in=question_ids)}
    asked = [qid for qid in question_ids if qid in questions]
    if not asked or set(selections) != set(asked):
        raise InvalidSubmission("Every question of the attempt needs exactly one answer.")
    choices = list(Choice.objects.filter(question_id__in=asked).values_list("id", "question_id", "is_correct"))
    belongs = {cid: qid for cid, qid, _ in choices}
    correct = {qid: set() for qid in asked}
    for cid, qid, is_correct in choices:
        if is_correct:
            correct[qid].add(cid)

    answers = []
    for qid in asked:
        selected = set(selections[qid])
        if not selected or any(belongs.get(cid) != qid for cid in selected):
            raise InvalidSubmission("A choice does not belong to its question.")
        if questions[qid].kind != Question.Kind.MULTIPLE and len(selected) != 1:
            raise InvalidSubmission("A single-answer question has one answer.")
        answers.append(
            (Answer(attempt=locked, question_id=qid,
                    is_correct=scoring.answer_is_correct(selected=selected, correct=correct[qid])), selected)
        )

    Answer.objects.bulk_create([answer for answer, _ in answers])
    Answer.choices.through.objects.bulk_create(
        [Answer.choices.through(answer_id=answer.pk, choice_id=cid) for answer, selected in answers for cid in selected]
    )
    right = sum(1 for answer, _ in answers if answer.is_correct)
    total = len(answers)
    locked.submitted_at = timezone.now()
    locked.correct_count = right
    locked.question_count = total
    locked.pass_mark = locked.quiz.pass_mark
    locked.score = scoring.score_percent(correct_count=right, question_count=total)
    locked.passed = scoring.has_passed(correct_count=right, question_count=total, pass_mark=locked.quiz.pass_mark)
    locked.save(update_fields=["submitted_at", "correct_count", "question_count", "pass_mark", "score", "passed"])
    if locked.number == 1:
        # What the outcome reports count of first attempts, beside the answers (one more INSERT, once per quiz).
        FirstAttemptAnswer.objects.bulk_create(
            FirstAttemptAnswer(answer=answer, user_id=locked.user_id, quiz_id=locked.quiz_id,
                               question_id=answer.question_id, submitted_at=locked.submitted_at,
                               is_correct=answer.is_correct)
            for answer, _ in answers
        )
    return locked


@transaction.atomic
def first_attempt_answers_fill(*, module_ids=None, user_ids=None) -> int:
    """Write the ``FirstAttemptAnswer`` rows missing for the first attempts at the quizzes of ``module_ids``
    (of ``user_ids``, if given): after attempts were loaded in bulk or written by hand, which the
    progress recount stands for (it calls this). Returns how many rows it wrote."""
    return first_attempts.fill(
        Answer=Answer, FirstAttemptAnswer=FirstAttemptAnswer, module_ids=module_ids, user_ids=user_ids
    )


@transaction.atomic
def attempts_reset(*, quiz: Quiz, user, by) -> AttemptReset:
    """Give ``user`` a fresh start at ``quiz`` (staff only; the view checks who may).

    Nothing is deleted: earlier attempts stay in the learner's history and the item analysis;
    they just no longer count for the daily limit, the pause or the maximum. An open attempt
    stays open (the learner may finish it).
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
    return AttemptReset.objects.create(quiz=quiz, user=user, reset_at=timezone.now(), reset_by=by)
