"""Two tabs, a double click, a resent form: concurrent requests on PostgreSQL.

Threads start together at a barrier and each uses its own database connection,
as two requests served at once would. SQLite serialises every write to the
whole file, so these races cannot happen there and the tests are skipped.
"""
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from progress import services as progress_services
from progress.models import Certificate
from quizzes import services
from quizzes.models import Answer, Attempt, Choice

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL; SQLite serialises all writes",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 6


def run_together(target, count=THREADS):
    """Run ``target(i)`` in ``count`` threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung: a lock was never released"
    return results


def selections(attempt, *, right):
    kinds = dict(attempt.quiz.questions.values_list("pk", "kind"))
    result = {}
    for qid in attempt.layout["questions"]:
        picks = list(Choice.objects.filter(question_id=qid, is_correct=right).values_list("pk", flat=True))
        result[qid] = set(picks if right and kinds[qid] == "multiple" else picks[:1])
    return result


@pytest.fixture
def course(build_course):
    return build_course(sections=1, slides=2, questions=3)


def test_concurrent_starts_open_one_attempt(course, learner):
    quiz = course.sections.get().quiz
    for _round in range(3):
        results = run_together(lambda i: services.attempt_start(quiz=quiz, user=learner))
        assert all(isinstance(r, tuple) for r in results), results
        assert len({attempt.pk for attempt, _ in results}) == 1
        assert sum(created for _, created in results) == (1 if _round == 0 else 0)
    assert Attempt.objects.filter(quiz=quiz, user=learner).count() == 1


def test_concurrent_start_requests_from_two_tabs_open_one_attempt(course, learner):
    url = reverse("quizzes:start", args=[course.slug, 1])

    def tab(i):
        client = Client()
        client.force_login(learner)
        response = client.post(url)
        return response.status_code, response.url

    results = run_together(tab)
    assert {status for status, _ in results} == {302}, results
    assert len({location for _, location in results}) == 1
    assert Attempt.objects.count() == 1


def test_concurrent_starts_respect_the_attempt_limit(build_course, learner):
    module = build_course(sections=1, slides=1, questions=2, max_attempts=2)
    quiz = module.sections.get().quiz
    first, _ = services.attempt_start(quiz=quiz, user=learner)
    services.attempt_submit(attempt=first, user=learner, selections=selections(first, right=False))
    results = run_together(lambda i: services.attempt_start(quiz=quiz, user=learner))
    assert all(isinstance(r, tuple) for r in results), results
    assert Attempt.objects.filter(quiz=quiz, user=learner).count() == 2
    second = Attempt.objects.get(quiz=quiz, user=learner, number=2)
    services.attempt_submit(attempt=second, user=learner, selections=selections(second, right=False))
    results = run_together(lambda i: services.attempt_start(quiz=quiz, user=learner))
    assert all(isinstance(r, services.AttemptLimitReached) for r in results), results
    assert Attempt.objects.filter(quiz=quiz, user=learner).count() == 2


def test_concurrent_submissions_are_marked_once(course, learner):
    quiz = course.sections.get().quiz
    attempt, _ = services.attempt_start(quiz=quiz, user=learner)
    right, wrong = selections(attempt, right=True), selections(attempt, right=False)

    def submit(i):
        return services.attempt_submit(attempt=attempt, user=learner, selections=right if i % 2 else wrong)

    results = run_together(submit)
    done = [r for r in results if isinstance(r, Attempt)]
    refused = [r for r in results if isinstance(r, services.AttemptAlreadySubmitted)]
    assert len(done) == 1 and len(refused) == THREADS - 1, results
    attempt.refresh_from_db()
    assert attempt.passed == done[0].passed
    assert Answer.objects.filter(attempt=attempt).count() == 3


def test_concurrent_submit_requests_from_two_tabs_are_marked_once(course, learner, quiz_answers):
    quiz = course.sections.get().quiz
    attempt, _ = services.attempt_start(quiz=quiz, user=learner)
    data = quiz_answers(attempt)

    def tab(i):
        client = Client()
        client.force_login(learner)
        response = client.post(attempt.get_absolute_url(), data)
        return response.status_code, response.url

    results = run_together(tab)
    assert {status for status, _ in results} == {302}, results
    assert all(re.search(r"/resultaat/$", location) for _, location in results)
    assert Answer.objects.filter(attempt=attempt).count() == 3
    assert Attempt.objects.get(pk=attempt.pk).score == 100


def test_completing_the_module_in_two_tabs_issues_one_certificate(build_course, learner, cohort_factory,
                                                                 enrollment_factory, slide_views):
    module = build_course(sections=2, slides=1, questions=1)
    enrollment_factory(cohort=cohort_factory(module=module), user=learner)  # the certificate is the centre's
    slide_views(learner, module)
    attempts = []
    for section in module.sections.order_by("number"):
        attempt, _ = services.attempt_start(quiz=section.quiz, user=learner)
        attempts.append(attempt)
    services.attempt_submit(attempt=attempts[0], user=learner, selections=selections(attempts[0], right=True))
    results = run_together(lambda i: progress_services.module_completion_check(user=learner, module=module), count=2)
    assert results == [None, None]
    services.attempt_submit(attempt=attempts[1], user=learner, selections=selections(attempts[1], right=True))
    results = run_together(lambda i: progress_services.module_completion_check(user=learner, module=module))
    assert all(isinstance(r, Certificate) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Certificate.objects.filter(user=learner, module=module).count() == 1


def test_concurrent_first_reads_lose_no_count_and_count_a_slide_once(build_module, learner):
    """Six tabs reading six different slides at once add six to the learner's progress row (the upsert adds
    under the row's lock); six tabs opening the same unread slide add one (only the insert that inserted
    counts). Each tab read the learner's progress before any of them wrote, as concurrent requests do."""
    from progress import selectors as progress_selectors
    from progress.models import LearnerProgress, SlideView

    module = build_module(sections=1, slides=THREADS * 2, resources=0)
    slides = list(module.sections.get().slides.select_related("section__module").order_by("position"))

    def tabs():
        return [progress_selectors.module_progress(user=learner, module=module, with_certificate=False)
                for _ in range(THREADS)]

    def read(slide, progress):
        slide.learner_position = slide.position
        return progress_services.slide_view_record(user=learner, slide=slide, progress=progress)

    progresses = tabs()
    results = run_together(lambda i: read(slides[i], progresses[i]))
    assert results == ["insert"] * THREADS, results
    row = LearnerProgress.objects.get(user=learner, module=module)
    assert row.slides_read == THREADS == SlideView.objects.filter(user=learner).count()
    assert row.half_read_at is not None  # six of twelve

    progresses = tabs()
    results = run_together(lambda i: read(slides[THREADS], progresses[i]))
    assert results == ["insert"] * THREADS, results  # each tab thought it was the first
    assert LearnerProgress.objects.get(user=learner, module=module).slides_read == THREADS + 1
