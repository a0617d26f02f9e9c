"""A signed-in learner's pages do a fixed number of queries whatever the number of
slides, sections, questions, attempts and slides read.

Each page is measured on a small course with nothing done and on a large one
with everything read and several attempts: the counts must be equal, and at
most the pinned number. (About 3 of each count are the site's navigation in
base.html: session, user and the learner's roles; the rest is per page.)
"""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import services

PINNED = {
    # The session and the learner's state (progress.reader), and here the shared rendering being
    # built (its first request since the content changed); warm it is 2 (tests/test_learner_pages.py).
    "overview": 4,
    "section": 6,
    # The session and the learner's state with the content version and their account's flags (one
    # query; the user row is not loaded), then the write if any.
    "slide, refresh": 2,
    "slide, moving on": 3,
    "slide, going back": 3,
    "dashboard": 10,
    "quiz": 11,
    "attempt": 10,
    "result": 20,
}


FIRST_READ_EXTRA = 0 if connection.vendor == "postgresql" else 1


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def measure(client, module, learner, quiz_answers, *, attempts):
    slide = lambda n, p: reverse("sections:slide", args=[module.slug, n, p])  # noqa: E731
    quiz = module.sections.get(number=1).quiz
    for _ in range(attempts):
        attempt, _ = services.attempt_start(quiz=quiz, user=learner)
        client.post(attempt.get_absolute_url(), quiz_answers(attempt, wrong=set(attempt.layout["questions"][:1])))
    submitted = quiz.attempts.filter(user=learner).order_by("-number").first()
    open_attempt, _ = services.attempt_start(quiz=quiz, user=learner)
    last = module.sections.get(number=1).slides.count()
    counts = {}
    # The content caches are warm, as on a site in use (another reader was on these slides since the last edit).
    anonymous = Client()
    for position in range(1, last + 1):
        anonymous.get(slide(1, position))
    client.get(slide(1, 1))
    counts["slide, refresh"] = count(client, slide(1, 1))
    counts["slide, moving on"] = count(client, slide(1, last)) if last > 1 else PINNED["slide, moving on"]
    counts["slide, going back"] = count(client, slide(1, 1)) if last > 1 else PINNED["slide, going back"]
    counts["overview"] = count(client, module.get_absolute_url())
    counts["section"] = count(client, reverse("sections:section", args=[module.slug, 1]))
    counts["dashboard"] = count(client, reverse("dashboard"))
    counts["quiz"] = count(client, reverse("quizzes:quiz", args=[module.slug, 1]))
    counts["attempt"] = count(client, open_attempt.get_absolute_url())
    counts["result"] = count(client, reverse("quizzes:result", args=[module.slug, 1, submitted.pk]))
    return counts


def test_pages_of_a_signed_in_learner_do_a_fixed_number_of_queries(
    client, build_course, learner_factory, quiz_answers, cohort_factory, enrollment_factory, slide_views
):
    small = build_course(sections=1, slides=2, questions=1)
    large = build_course(sections=3, slides=15, questions=12, resources=2)
    results = {}
    for name, module, attempts, cohorts in [("small", small, 1, 1), ("large", large, 5, 3)]:
        learner = learner_factory()
        for _ in range(cohorts):
            enrollment_factory(cohort=cohort_factory(module=module), user=learner)
        client.force_login(learner)
        if name == "large":
            slide_views(module=module, client=client)
        results[name] = measure(client, module, learner, quiz_answers, attempts=attempts)
    # On the small course "moving on" is a first read (on the large one every slide was read): that adds the
    # learner's progress row, in the same statement on PostgreSQL, in one more on SQLite (no INSERT inside WITH).
    small = dict(results["small"])
    small["slide, moving on"] -= FIRST_READ_EXTRA
    assert small == results["large"], results
    for page, pinned in PINNED.items():
        assert results["large"][page] <= pinned, (page, results["large"][page])


@pytest.mark.parametrize("slides", [2, 20])
def test_anonymous_slide_viewer_is_not_slowed(client, build_course, slides, django_assert_max_num_queries):
    module = build_course(sections=2, slides=slides, questions=2)
    with django_assert_max_num_queries(5):  # cold: the content version, then the slide's place
        assert client.get(reverse("sections:slide", args=[module.slug, 1, slides])).status_code == 200
    with django_assert_max_num_queries(1):  # warm: the content version only
        assert client.get(reverse("sections:slide", args=[module.slug, 1, slides])).status_code == 200
