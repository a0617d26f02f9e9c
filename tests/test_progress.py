"""A learner's progress: slide views, resume, ticks, bars, section and module completion.

Recording a view is pinned by the SQL it sends: one INSERT the first time a
slide is read (with the learner's progress row in the same statement on
PostgreSQL, in a second one on SQLite), one UPDATE when coming back to a slide
read before, nothing on a refresh, and nothing at all for an anonymous reader.
"""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from progress import selectors
from progress import services as progress_services
from progress.models import SlideView
from quizzes import services as quiz_services
from sections.models import Slide


def slide_url(module, number, position):
    return reverse("sections:slide", kwargs={"module_slug": module.slug, "number": number, "position": position})


def writes(queries):
    # A data-modifying WITH (PostgreSQL: the first read and the progress row in one statement) is a write.
    return [q["sql"] for q in queries
            if re.match(r"\s*(WITH\b.*\b)?(INSERT|UPDATE|DELETE)", q["sql"], re.IGNORECASE | re.DOTALL)]


def view(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, writes(ctx.captured_queries)


def pass_quiz(user, module, number, *, right=True):
    quiz = module.sections.get(number=number).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=user)
    selections = {}
    for question in quiz.questions.prefetch_related("choices"):
        choices = [c for c in question.choices.all() if c.is_correct == right]
        selections[question.pk] = {c.pk for c in (choices if right else choices[:1])}
    return progress_services.quiz_attempt_submit(attempt=attempt, user=user, selections=selections)


# --- recording -----------------------------------------------------------------------------


def test_anonymous_reading_records_nothing(client, build_module):
    module = build_module(sections=1, slides=2)
    _response, written = view(client, slide_url(module, 1, 1))
    assert written == []
    assert not SlideView.objects.exists()


def test_first_view_inserts_once_and_a_refresh_writes_nothing(client, build_module, learner):
    module = build_module(sections=1, slides=3)
    client.force_login(learner)
    _response, written = view(client, slide_url(module, 1, 1))
    # The view and the learner's progress row (what the reports count): one statement on PostgreSQL,
    # the INSERT and then the row's UPSERT on SQLite, which has no INSERT inside WITH.
    if connection.vendor == "postgresql":
        assert len(written) == 1 and "progress_slideview" in written[0] and "progress_learnerprogress" in written[0]
    else:
        assert len(written) == 2 and "progress_slideview" in written[0] and "progress_learnerprogress" in written[1]
    assert all("INSERT" in sql.upper() for sql in written)
    seen = SlideView.objects.get()
    assert seen.first_seen == seen.last_seen
    for _ in range(3):
        _response, written = view(client, slide_url(module, 1, 1))
        assert written == []
    assert SlideView.objects.get().last_seen == seen.last_seen


def test_coming_back_to_a_read_slide_updates_last_seen_once(client, build_module, learner):
    module = build_module(sections=1, slides=3)
    client.force_login(learner)
    client.get(slide_url(module, 1, 1))
    client.get(slide_url(module, 1, 2))
    first = SlideView.objects.get(slide__position=1)
    _response, written = view(client, slide_url(module, 1, 1))
    assert len(written) == 1 and written[0].upper().startswith("UPDATE") and "progress_slideview" in written[0]
    again = SlideView.objects.get(slide__position=1)
    assert again.first_seen == first.first_seen and again.last_seen > first.last_seen
    assert SlideView.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_where_the_learner_is_commits_without_waiting_for_the_disk_and_what_they_read_durably(client, build_module,
                                                                                            learner):
    """Outside a test's transaction, as on the site: moving back to a slide read before is one statement
    (SET LOCAL with the UPDATE, one round trip) that changes the row, and the setting ends with that
    transaction (the connection's later writes, a first reading's INSERT above all, wait for the disk)."""
    module = build_module(sections=1, slides=3)
    client.force_login(learner)
    with CaptureQueriesContext(connection) as first:
        assert client.get(slide_url(module, 1, 1)).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(slide_url(module, 1, 2)).status_code == 200
    before = SlideView.objects.get(slide__position=1).last_seen
    with CaptureQueriesContext(connection) as back:
        assert client.get(slide_url(module, 1, 1)).status_code == 200
    for ctx in (first, second):
        assert not any("synchronous_commit" in q["sql"] for q in ctx.captured_queries)
        assert len(writes(ctx.captured_queries)) == 1 and "INSERT" in writes(ctx.captured_queries)[0]
    moved = [q["sql"] for q in back.captured_queries if "progress_slideview" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(moved) == 1 and moved[0].startswith("SET LOCAL synchronous_commit TO OFF; UPDATE")
    assert len(back.captured_queries) == 2  # the session with the learner's state (read before by this process), this
    assert SlideView.objects.get(slide__position=1).last_seen > before
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


def test_progress_belongs_to_the_learner(client, build_module, learner, learner_factory):
    module = build_module(sections=1, slides=2)
    other = learner_factory()
    client.force_login(learner)
    client.get(slide_url(module, 1, 1))
    assert selectors.module_progress(user=other, module=module).read_slide_ids == set()
    client.force_login(other)
    html = client.get(slide_url(module, 1, 2)).content.decode()
    assert html.count("toc__tick") == 1  # only the slide on screen, for this learner


# --- resume --------------------------------------------------------------------------------


def test_resume_is_the_slide_read_last(client, build_module, learner):
    module = build_module(sections=2, slides=3)
    client.force_login(learner)
    for number, position in [(1, 1), (1, 2), (2, 3), (1, 3), (1, 2)]:
        client.get(slide_url(module, number, position))
    progress = selectors.module_progress(user=learner, module=module)
    assert progress.resume_url == slide_url(module, 1, 2)
    html = client.get(module.get_absolute_url()).content.decode()
    assert "Verder waar je gebleven was" in html
    assert f'href="{slide_url(module, 1, 2)}"' in html
    slide = Slide.objects.get(section__module=module, section__number=1, position=2)
    assert f"Sectie 1, slide 2: {slide.title}" in html


def test_a_new_reader_is_offered_the_start(client, build_module, learner):
    module = build_module(sections=1, slides=2)
    client.force_login(learner)
    html = client.get(module.get_absolute_url()).content.decode()
    assert "Verder waar je gebleven was" not in html
    assert "Begin" in html
    assert "Jouw voortgang" in html


def test_resume_uses_the_learners_numbering_when_a_draft_comes_before(client, build_module, learner):
    module = build_module(sections=1, slides=4)
    client.force_login(learner)
    client.get(slide_url(module, 1, 4))  # the fourth slide
    Slide.objects.filter(section__module=module, position=2).update(is_published=False)
    progress = selectors.module_progress(user=learner, module=module)
    assert progress.resume_url == slide_url(module, 1, 3)  # now the third the learner sees
    assert client.get(progress.resume_url).content.decode().count(
        Slide.objects.get(section__module=module, position=4).title
    ) >= 1


# --- ticks, bars, percentages --------------------------------------------------------------


def test_read_slides_are_ticked_in_the_contents(client, build_module, learner):
    module = build_module(sections=1, slides=4)
    client.force_login(learner)
    client.get(slide_url(module, 1, 1))
    client.get(slide_url(module, 1, 3))
    html = client.get(module.sections.get().get_absolute_url()).content.decode()
    assert html.count('class="toc__tick"') == 2
    assert "(gelezen)" in html
    html = client.get(slide_url(module, 1, 4)).content.decode()  # the slide on screen is read now
    assert html.count('class="toc__tick"') == 3


def test_percentages_count_slides_and_quizzes(client, build_course, learner, slide_views):
    module = build_course(sections=2, slides=3, questions=2)  # 6 slides + 2 quizzes = 8 items
    client.force_login(learner)
    slide_views(module=module, client=client, section=1)
    progress = selectors.module_progress(user=learner, module=module)
    assert (progress.items_done, progress.items_total, progress.percent) == (3, 8, 37)
    pass_quiz(learner, module, 1)
    progress = selectors.module_progress(user=learner, module=module)
    assert progress.percent == 50
    section_1, section_2 = progress.sections
    assert (section_1.percent, section_1.complete, section_2.percent) == (100, True, 0)

    overview = client.get(module.get_absolute_url()).content.decode()
    assert '<progress id="voortgang-module" class="meter__bar" max="100" value="50" aria-describedby="voortgang-module-delen">' in overview
    assert "3 van 6 slides gelezen" in overview and "1 van 2 quizzen gehaald" in overview
    assert '<progress id="voortgang-sectie-1" class="meter__bar" max="100" value="100">' in overview
    assert '<progress id="voortgang-sectie-2" class="meter__bar" max="100" value="0">' in overview
    assert "Quiz gehaald" in overview and "Quiz nog te doen" in overview

    section_page = client.get(module.sections.get(number=1).get_absolute_url()).content.decode()
    assert "Je hebt deze sectie afgerond" in section_page
    assert '<progress id="voortgang-sectie" class="meter__bar" max="100" value="100">' in section_page
    assert "quiz gehaald (beste score 100%)" in section_page
    assert section_page.count('class="section-list__tick"') == 1

    viewer = client.get(slide_url(module, 2, 1)).content.decode()
    # 4 items + this slide = 5 of 8
    assert '<progress id="voortgang-module" class="meter__bar" max="100" value="62" aria-describedby="voortgang-module-delen">' in viewer
    assert "62% afgerond" in viewer


def test_anonymous_pages_show_no_progress(client, build_course):
    module = build_course(sections=1, slides=2, questions=1)
    for url in [module.get_absolute_url(), module.sections.get().get_absolute_url(), slide_url(module, 1, 2)]:
        html = client.get(url).content.decode()
        assert "meter__bar" not in html and "toc__tick" not in html and "Jouw voortgang" not in html


def test_the_last_slide_of_a_section_leads_to_its_quiz(client, build_course, learner):
    module = build_course(sections=2, slides=3, questions=1)
    quiz_url = reverse("quizzes:quiz", args=[module.slug, 1])
    assert f'href="{quiz_url}"' not in client.get(slide_url(module, 1, 2)).content.decode()
    html = client.get(slide_url(module, 1, 3)).content.decode()
    assert "Einde van sectie 1: test je kennis" in html and f'href="{quiz_url}"' in html
    assert "Je logt eerst in" in html
    client.force_login(learner)
    pass_quiz(learner, module, 1)
    html = client.get(slide_url(module, 1, 3)).content.decode()
    assert "Je hebt de quiz van deze sectie gehaald (beste score 100%)." in html
    # A section page says there is a quiz, to everyone.
    client.logout()
    assert f'href="{quiz_url}"' in client.get(module.sections.get(number=1).get_absolute_url()).content.decode()


# --- completion ----------------------------------------------------------------------------


def test_a_section_needs_every_slide_and_its_quiz(build_course, learner, client):
    module = build_course(sections=1, slides=3, questions=1)
    client.force_login(learner)
    pass_quiz(learner, module, 1)
    client.get(slide_url(module, 1, 1))
    client.get(slide_url(module, 1, 2))
    assert not selectors.module_progress(user=learner, module=module).sections[0].complete
    client.get(slide_url(module, 1, 3))
    assert selectors.module_progress(user=learner, module=module).sections[0].complete


def test_a_failed_quiz_does_not_complete_a_section(build_course, learner, client, slide_views):
    module = build_course(sections=1, slides=1, questions=2)
    client.force_login(learner)
    slide_views(module=module, client=client)
    attempt = pass_quiz(learner, module, 1, right=False)
    assert attempt.passed is False
    progress = selectors.module_progress(user=learner, module=module)
    assert not progress.complete and progress.sections[0].quiz_best == 0


def test_a_draft_slide_counts_for_nobody(build_course, learner, client, slide_views):
    module = build_course(sections=1, slides=3, questions=1)
    client.force_login(learner)
    slide_views(module=module, client=client)
    pass_quiz(learner, module, 1)
    assert selectors.module_progress(user=learner, module=module).complete
    draft = Slide.objects.create(section=module.sections.get(), position=4, slug="concept", title="Concept",
                                 body="Nog niet af.", is_published=False)
    progress = selectors.module_progress(user=learner, module=module)
    assert progress.complete and progress.slide_total == 3
    slide_views(learner, slides=[draft])
    assert selectors.module_progress(user=learner, module=module).sections[0].read_count == 3


def test_progress_is_per_module_not_per_cohort(client, build_course, learner, cohort_factory, enrollment_factory):
    module = build_course(sections=1, slides=2, questions=1)
    first = cohort_factory(module=module, name="Voorjaar")
    second = cohort_factory(module=module, name="Najaar")
    enrollment_factory(cohort=first, user=learner)
    enrollment_factory(cohort=second, user=learner)
    client.force_login(learner)
    client.get(slide_url(module, 1, 1))
    html = client.get(reverse("dashboard")).content.decode()
    assert html.count('max="100" value="33"') == 2  # 1 of 3 items, the same on both cards
    assert html.count("1 van 2 slides gelezen") == 2
    assert html.count("Verder waar je gebleven was") == 2
    assert SlideView.objects.count() == 1


def test_selectors_do_a_fixed_number_of_queries(build_course, learner, django_assert_num_queries, client, slide_views):
    small = build_course(sections=1, slides=1, questions=1)
    large = build_course(sections=3, slides=12, questions=6)
    client.force_login(learner)
    slide_views(module=large, client=client)
    for module in (small, large):
        with django_assert_num_queries(3):
            selectors.module_progress(user=learner, module=module)
        with django_assert_num_queries(2):
            selectors.module_progress(user=learner, module=module, with_certificate=False)
    with django_assert_num_queries(3):
        selectors.modules_progress(user=learner, modules=[small, large])


def test_views_older_than_a_minute_are_not_special(client, build_module, learner):
    """The write rule depends on where the learner is, not on the clock."""
    module = build_module(sections=1, slides=2)
    client.force_login(learner)
    client.get(slide_url(module, 1, 1))
    SlideView.objects.update(first_seen=timezone.now() - timedelta(days=2), last_seen=timezone.now() - timedelta(days=2))
    _response, written = view(client, slide_url(module, 1, 1))
    assert written == []  # still where they were: a refresh, however late
    client.get(slide_url(module, 1, 2))
    _response, written = view(client, slide_url(module, 1, 1))
    assert len(written) == 1
