"""The first-attempt answers (``quizzes.FirstAttemptAnswer``): the narrow copy of each answer given at a
learner's first attempt at a quiz, which the outcome reports count (issue 16's speed budget).

Written at the first submission only (not at a second attempt, nor after a reset: attempts keep
counting up, so a reset never makes a later attempt a first one), filled in by the progress recount
for attempts written by hand or loaded in bulk, filled by the migration that created the table, gone
with its answer, and never in a module's portable file (learners' attempts do not travel).
"""
import datetime
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone

from progress import services as progress_services
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt, Choice, FirstAttemptAnswer


@pytest.fixture
def course(build_course):
    """One section with a quiz of three questions (every question asked, no pause after a fail)."""
    module = build_course(sections=1, questions=3)
    quiz = module.sections.get().quiz
    return module, quiz, list(quiz.questions.order_by("position"))


def selections(attempt, wrong=()):
    """Every question of ``attempt`` answered right, but the questions in ``wrong`` (one wrong choice)."""
    chosen = {}
    for qid in attempt.layout["questions"]:
        choices = Choice.objects.filter(question_id=qid)
        pick = choices.filter(is_correct=qid not in wrong)
        chosen[qid] = {pick.first().pk} if qid in wrong else set(pick.values_list("pk", flat=True))
    return chosen


def take(quiz, user, *, wrong=()):
    """Start and submit an attempt through the learner's services (as the quiz pages do)."""
    attempt, _created = progress_services.quiz_attempt_start(quiz=quiz, user=user)
    return progress_services.quiz_attempt_submit(attempt=attempt, user=user, selections=selections(attempt, wrong))


def rows():
    return sorted(
        FirstAttemptAnswer.objects.values_list("answer_id", "user_id", "quiz_id", "question_id", "submitted_at",
                                               "is_correct")
    )


def expected_rows():
    """What the table must hold: every answer of a submitted attempt number 1, copied."""
    return sorted(
        Answer.objects.filter(attempt__number=1, attempt__submitted_at__isnull=False).values_list(
            "pk", "attempt__user_id", "attempt__quiz_id", "question_id", "attempt__submitted_at", "is_correct"
        )
    )


def test_the_first_submission_writes_one_row_per_answer(course, learner):
    _module, quiz, (q1, q2, q3) = course
    attempt = take(quiz, learner, wrong={q2.pk})
    assert attempt.number == 1
    assert rows() == expected_rows()
    assert sorted(FirstAttemptAnswer.objects.values_list("question_id", "is_correct")) == [
        (q1.pk, True), (q2.pk, False), (q3.pk, True)
    ]
    assert set(FirstAttemptAnswer.objects.values_list("submitted_at", "user_id", "quiz_id")) == {
        (attempt.submitted_at, learner.pk, quiz.pk)
    }


def test_an_open_first_attempt_and_a_second_attempt_write_none(course, learner):
    _module, quiz, (q1, _q2, _q3) = course
    attempt, _created = progress_services.quiz_attempt_start(quiz=quiz, user=learner)
    assert not FirstAttemptAnswer.objects.exists()  # started, not submitted
    progress_services.quiz_attempt_submit(attempt=attempt, user=learner, selections=selections(attempt, {q1.pk}))
    first = rows()
    second = take(quiz, learner)
    assert second.number == 2 and second.passed
    assert rows() == first == expected_rows()
    assert FirstAttemptAnswer.objects.filter(is_correct=False).count() == 1  # the first attempt's, kept


def test_after_a_reset_the_next_attempt_is_not_a_first_attempt(course, learner, site_staff):
    """A reset gives a fresh start for the limits only; the attempt after it is number 2, as the
    reports have always counted it (first attempt = attempt number 1), so it writes no row."""
    _module, quiz, (q1, q2, _q3) = course
    take(quiz, learner, wrong={q1.pk, q2.pk})
    before = rows()
    quiz_services.attempts_reset(quiz=quiz, user=learner, by=site_staff)
    after_reset = take(quiz, learner)
    assert after_reset.number == 2
    assert rows() == before == expected_rows()


def test_the_report_counts_first_attempts_submitted_through_the_services(course, cohort_factory, enrollment_factory,
                                                                         learner_factory):
    """No recount in between: the rows the submissions wrote are what the report counts."""
    from reports.periods import Period
    from reports.selectors import build_report

    module, quiz, (q1, q2, q3) = course
    cohort = cohort_factory(module=module)
    learners = [learner_factory() for _ in range(4)]
    for user in learners:
        enrollment_factory(cohort=cohort, user=user)
    take(quiz, learners[0], wrong={q2.pk, q3.pk})
    take(quiz, learners[0], wrong={q3.pk})  # a second attempt: not counted
    take(quiz, learners[1], wrong={q2.pk})
    take(quiz, learners[2])
    outsider = learner_factory()  # not in the cohort: not counted
    take(quiz, outsider, wrong={q1.pk})

    today = timezone.localdate()
    report = build_report(cohorts=type(cohort).objects.filter(pk=cohort.pk),
                          period=Period(today - datetime.timedelta(days=1), today))
    assert [(m.question_id, m.answered, m.wrong) for m in report.most_missed] == [(q2.pk, 3, 2), (q3.pk, 3, 1)]
    assert [(r.number, r.attempts, r.passed) for r in report.first_pass] == [(1, 3, 1)]


def test_the_progress_recount_fills_in_what_records_written_by_hand_lack(course, learner_factory):
    """Attempts written by hand or loaded in bulk (as the report tests and the benchmark do) get their rows
    from the progress recount: submitted attempts number 1 only, once however often it runs."""
    module, quiz, (q1, q2, q3) = course
    a, b, c = learner_factory(), learner_factory(), learner_factory()
    now = timezone.now()

    def attempt(user, number, *, submitted=True, wrong=()):
        made = Attempt.objects.create(
            quiz=quiz, user=user, number=number, layout={"questions": [q1.pk, q2.pk, q3.pk]},
            **({"submitted_at": now, "correct_count": 3 - len(wrong), "question_count": 3, "score": 0,
                "pass_mark": 70, "passed": not wrong} if submitted else {}),
        )
        if submitted:
            Answer.objects.bulk_create(Answer(attempt=made, question=q, is_correct=q not in wrong) for q in (q1, q2, q3))

    attempt(a, 1, wrong=(q1,))
    attempt(a, 2)
    attempt(b, 1, wrong=(q2, q3))
    attempt(c, 1, submitted=False)
    assert not FirstAttemptAnswer.objects.exists()

    progress_services.progress_recount(module_ids=[module.pk], user_ids=[a.pk])
    assert {row[1] for row in rows()} == {a.pk}
    progress_services.progress_recount(module_ids=[module.pk])
    progress_services.progress_recount(module_ids=[module.pk])
    assert rows() == expected_rows()
    assert len(rows()) == 6  # a's first attempt and b's: three answers each


def test_a_row_goes_with_its_answer(course, learner_factory):
    _module, quiz, _questions = course
    kept, gone = learner_factory(), learner_factory()
    take(quiz, kept)
    take(quiz, gone)
    Attempt.objects.filter(user=gone).delete()
    assert rows() == expected_rows() and {row[1] for row in rows()} == {kept.pk}
    kept.delete()
    assert not FirstAttemptAnswer.objects.exists()


def test_a_module_file_holds_no_attempts_and_an_import_keeps_them(course, learner):
    from transfer.portability import export_bytes, import_module

    module, quiz, (q1, _q2, _q3) = course
    take(quiz, learner, wrong={q1.pk})
    before = rows()
    data = export_bytes(module)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        models = {row["model"] for row in json.loads(archive.read("content.json"))}
    assert "quizzes.question" in models
    assert not models & {"quizzes.attempt", "quizzes.answer", "quizzes.firstattemptanswer"}
    import_module(source=io.BytesIO(data))
    assert rows() == before


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_table_from_the_answers_so_far(course, learner_factory):
    _module, quiz, (q1, q2, _q3) = course
    a, b, c = learner_factory(), learner_factory(), learner_factory()
    take(quiz, a, wrong={q1.pk})
    take(quiz, a)
    take(quiz, b, wrong={q1.pk, q2.pk})
    progress_services.quiz_attempt_start(quiz=quiz, user=c)  # open: nothing to copy
    expected = expected_rows()
    assert len(expected) == 6

    call_command("migrate", "quizzes", "0004_attempt_policy_draws_pacing_and_resets", verbosity=0)
    call_command("migrate", "quizzes", verbosity=0)
    assert rows() == expected
