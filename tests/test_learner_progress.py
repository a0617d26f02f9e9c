"""The learner's progress row (``progress.LearnerProgress``): what the outcome reports count.

It is kept as the learner goes, through the doors a learner uses (the slide page, the quiz's start
and submit), and counted again from the records when a module's shape changes (a trainer publishes
or unpublishes slides in the admin: a recount queued through the background door) or by
``manage.py progress_recount``. Each test checks the row against what was done, and the kept row
against a recount from scratch: the two ways must always agree.
"""
import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from progress import services
from progress.models import LearnerProgress, SlideView


def slide_url(module, number, position):
    return reverse("sections:slide", kwargs={"module_slug": module.slug, "number": number, "position": position})


def row_of(user, module):
    return LearnerProgress.objects.filter(user=user, module=module).first()


def fields(row):
    return (row.slides_read, row.quizzes_passed, row.started_at, row.half_read_at, row.quizzes_passed_at)


def assert_recount_agrees(user, module):
    """The row as kept equals the row counted again from the records."""
    kept = fields(row_of(user, module))
    services.progress_recount(module_ids=[module.pk], user_ids=[user.pk])
    assert fields(row_of(user, module)) == kept


def start_and_submit(client, module, number, quiz_answers, *, wrong=False):
    from quizzes.models import Attempt

    quiz = module.sections.get(number=number).quiz
    response = client.post(reverse("quizzes:start", args=[module.slug, number]))
    assert response.status_code == 302, response.status_code
    attempt = Attempt.objects.open().get(quiz=quiz)
    answers = quiz_answers(attempt, wrong=set(attempt.layout["questions"][:1]) if wrong else ())
    assert client.post(attempt.get_absolute_url(), answers).status_code == 302
    attempt.refresh_from_db()
    assert attempt.passed is (not wrong)
    return attempt


def test_reading_keeps_the_row_first_reads_count_and_rereads_do_not(client, build_module, learner):
    module = build_module(sections=2, slides=3, resources=0)  # 6 published slides: half is 3
    client.force_login(learner)
    assert row_of(learner, module) is None

    client.get(slide_url(module, 1, 1))
    row = row_of(learner, module)
    first = SlideView.objects.get(user=learner).first_seen
    assert (row.slides_read, row.started_at, row.half_read_at) == (1, first, None)

    for _ in range(2):  # a refresh, then back after reading another slide: no count
        client.get(slide_url(module, 1, 1))
    client.get(slide_url(module, 1, 2))
    client.get(slide_url(module, 1, 1))
    assert row_of(learner, module).slides_read == 2 and row_of(learner, module).half_read_at is None

    client.get(slide_url(module, 2, 1))  # the third of six: half the module
    row = row_of(learner, module)
    third = SlideView.objects.get(user=learner, slide__section__number=2, slide__position=1).first_seen
    assert (row.slides_read, row.started_at, row.half_read_at) == (3, first, third)
    client.get(slide_url(module, 2, 2))
    assert row_of(learner, module).half_read_at == third  # the moment half was reached stays
    assert_recount_agrees(learner, module)


def test_quizzes_passed_counts_each_quiz_once_and_dates_the_last(client, build_course, learner, quiz_answers):
    module = build_course(sections=2, slides=1, questions=2)
    client.force_login(learner)
    failed = start_and_submit(client, module, 1, quiz_answers, wrong=True)
    row = row_of(learner, module)
    # Starting an attempt starts the learner; a failed attempt passes nothing.
    assert (row.started_at, row.quizzes_passed, row.quizzes_passed_at) == (failed.started_at, 0, None)

    from quizzes.models import Attempt

    Attempt.objects.filter(pk=failed.pk).update(started_at=failed.started_at - datetime.timedelta(hours=1))
    first_pass = start_and_submit(client, module, 1, quiz_answers)
    assert (row_of(learner, module).quizzes_passed, row_of(learner, module).quizzes_passed_at) == (1, None)
    second_pass = start_and_submit(client, module, 2, quiz_answers)
    row = row_of(learner, module)
    assert (row.quizzes_passed, row.quizzes_passed_at) == (2, second_pass.submitted_at)
    assert row.started_at == failed.started_at - datetime.timedelta(hours=1)  # the earliest attempt, read again
    assert first_pass.submitted_at <= row.quizzes_passed_at
    assert_recount_agrees(learner, module)


def test_unpublishing_in_the_admin_recounts_through_the_background_door(client, build_module, learner, site_staff):
    """Unpublishing two of six slides makes four the module, so the two read slides left are half:
    the admin's action queues the recount (run after the commit, as the task door runs without a broker)."""
    from sections.models import Slide

    module = build_module(sections=1, slides=6, resources=0)
    client.force_login(learner)
    for position in (1, 2):
        client.get(slide_url(module, 1, position))
    assert row_of(learner, module).half_read_at is None  # 2 of 6

    staff = client.__class__()
    staff.force_login(site_staff)
    drafts = list(Slide.objects.filter(section__module=module, position__in=(5, 6)).values_list("pk", flat=True))
    response = staff.post(
        reverse("admin:sections_slide_changelist"),
        {"action": "unpublish", "_selected_action": drafts},
    )
    assert response.status_code == 302
    row = row_of(learner, module)
    second = SlideView.objects.get(user=learner, slide__position=2).first_seen
    assert (row.slides_read, row.half_read_at) == (2, second)  # 2 of 4: half, since the second read

    # Unpublishing a read slide takes it out of the count; publishing it again brings it back.
    read = Slide.objects.get(section__module=module, position=1).pk
    staff.post(reverse("admin:sections_slide_changelist"), {"action": "unpublish", "_selected_action": [read]})
    row = row_of(learner, module)
    assert (row.slides_read, row.half_read_at) == (1, None)  # 1 of 3
    staff.post(reverse("admin:sections_slide_changelist"), {"action": "publish", "_selected_action": [read]})
    assert row_of(learner, module).slides_read == 2


def test_an_edit_that_changes_no_module_queues_no_recount(client, build_module, site_staff, monkeypatch):
    from sections.models import Slide

    module = build_module(sections=1, slides=2, resources=0)
    queued = []
    monkeypatch.setattr(services, "queue_progress_recount", lambda *, module_ids: queued.append(list(module_ids)))
    client.force_login(site_staff)
    slide = Slide.objects.filter(section__module=module).first()
    response = client.post(
        reverse("admin:sections_slide_changelist"), {"action": "publish", "_selected_action": [slide.pk]}
    )
    assert response.status_code == 302
    assert queued == [[]]  # already published: the module's shape is the same


def test_the_command_rebuilds_every_row(build_course, learner, slide_views):
    from quizzes.models import Attempt

    module = build_course(sections=2, slides=2, questions=1)
    read = slide_views(learner, module, count=2, days_ago=3)  # half of four
    LearnerProgress.objects.all().delete()
    quiz = module.sections.get(number=1).quiz
    when = timezone.now() - datetime.timedelta(days=2)
    Attempt.objects.create(quiz=quiz, user=learner, number=1, submitted_at=when, correct_count=1, question_count=1,
                           score=100, pass_mark=70, passed=True)
    call_command("progress_recount", stdout=open("/dev/null", "w"))  # noqa: SIM115
    row = row_of(learner, module)
    first = SlideView.objects.filter(user=learner, slide__in=read).order_by("first_seen").first().first_seen
    assert (row.slides_read, row.quizzes_passed, row.half_read_at, row.quizzes_passed_at) == (2, 1, first, None)
    assert row.started_at == first


def test_the_command_refuses_an_unknown_module_and_writes_nothing(build_course, learner, slide_views):
    from django.core.management.base import CommandError

    module = build_course(sections=1, slides=2, questions=1)
    slide_views(learner, module, count=1)
    LearnerProgress.objects.all().delete()
    with pytest.raises(CommandError, match="Geen module 'bestaat-niet'"):
        call_command("progress_recount", "--module", "bestaat-niet", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not LearnerProgress.objects.exists()
    call_command("progress_recount", "--module", module.slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert row_of(learner, module).slides_read == 1


def test_the_report_counts_what_the_learner_did_through_the_doors(client, build_course, learner, quiz_answers,
                                                                  centre_factory, centre_staff_factory,
                                                                  cohort_factory, enrollment_factory):
    """No hand-made rows: a learner reads and passes, and the centre report counts them at each stage."""
    module = build_course(sections=1, slides=2, questions=1)
    centre = centre_factory()
    manager = centre_staff_factory(role="manager", centre=centre)
    enrollment_factory(cohort=cohort_factory(centre=centre, module=module), user=learner)
    client.force_login(learner)
    for position in (1, 2):
        client.get(slide_url(module, 1, position))
    start_and_submit(client, module, 1, quiz_answers)
    today = timezone.localdate()
    client.force_login(manager)
    report = client.get(reverse("reports:centre"), {
        "periode": "aangepast", "van": (today - datetime.timedelta(days=30)).isoformat(), "tot": today.isoformat(),
    }).context["report"]
    assert [s.count for s in report.funnel.stages] == [1, 1, 1, 1, 1]


@pytest.mark.parametrize("slides", [2, 5])
def test_the_backfill_migration_counts_what_was_there(slides, build_module, learner, slide_views):
    """The data migration's function, on the historical models, gives the rows the service keeps."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("progress.migrations.0004_backfill_learner_progress_from_reading_and_quizzes")
    module = build_module(sections=1, slides=slides, resources=0)
    slide_views(learner, module, count=2, days_ago=1)
    kept = fields(row_of(learner, module))
    LearnerProgress.objects.all().delete()
    backfill.backfill(apps, None)
    assert fields(row_of(learner, module)) == kept
    assert (kept[0], kept[3] is not None) == (2, slides <= 4)
