"""Every ``LearnerProgress`` row of some modules, counted again from the records they summarise.

The rows are kept as learners go (``services``); this is the other way to the same numbers, from
``SlideView`` and ``Attempt`` alone. It runs when the rules behind a row change for everyone at
once (slides published or unpublished, a quiz added or removed, an import or a restore), from
``manage.py progress_recount``, and from the data migration that created the table: so it takes
the model classes as arguments and uses nothing of the current code's models (a migration hands
in its historical ones).

Per module, five queries whatever the number of learners: the module's size, the published slides
read per learner (count and first), the moment each learner read the slide that made half (a
window function: the ``ceil(n / 2)``-th slide in the order they first read them), attempts
started per learner, and the first pass of each quiz per learner. Then one upsert in batches, and
the rows of learners who no longer have any of it set back to nothing.
"""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Min, Window
from django.db.models.functions import RowNumber


@dataclass(frozen=True)
class Models:
    LearnerProgress: type
    SlideView: type
    Attempt: type
    Slide: type
    Quiz: type


def half_of(slides: int) -> int:
    """How many published slides make "half the module": at least half (the report's rule, 2 × read ≥ slides)."""
    return (slides + 1) // 2


def recount(*, models: Models, module_ids, user_ids=None, batch_size: int = 2000) -> int:
    """Recount the rows of ``module_ids`` (of ``user_ids`` only, if given); returns how many rows it wrote."""
    written = 0
    for module_id in sorted(set(module_ids)):
        written += _recount_module(models=models, module_id=module_id, user_ids=user_ids, batch_size=batch_size)
    return written


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return min(present) if present else None


def _recount_module(*, models: Models, module_id: int, user_ids, batch_size: int) -> int:
    m = models
    slides = m.Slide.objects.filter(section__module_id=module_id, is_published=True).count()
    quizzes = m.Quiz.objects.filter(section__module_id=module_id).count()

    def mine(queryset):
        return queryset if user_ids is None else queryset.filter(user_id__in=user_ids)

    views = mine(m.SlideView.objects.filter(slide__section__module_id=module_id, slide__is_published=True)).order_by()
    read = {
        user_id: (n, first)
        for user_id, n, first in views.values("user_id").annotate(n=Count("pk"), first=Min("first_seen"))
        .values_list("user_id", "n", "first")
    }
    half = {}
    if slides:
        ranked = views.annotate(
            rank=Window(RowNumber(), partition_by=[F("user_id")], order_by=[F("first_seen").asc(), F("slide_id").asc()])
        )
        half = dict(ranked.filter(rank=half_of(slides)).values_list("user_id", "first_seen"))
    attempts = mine(m.Attempt.objects.filter(quiz__section__module_id=module_id)).order_by()
    tried = {
        user_id: (started, submitted)
        for user_id, started, submitted in attempts.values("user_id")
        .annotate(started=Min("started_at"), submitted=Min("submitted_at"))
        .values_list("user_id", "started", "submitted")
    }
    passes: dict[int, list[datetime]] = {}
    for user_id, first_pass in (
        attempts.filter(passed=True, submitted_at__isnull=False).values("user_id", "quiz_id")
        .annotate(first_pass=Min("submitted_at")).values_list("user_id", "first_pass")
    ):
        passes.setdefault(user_id, []).append(first_pass)

    # The rows there are now, locked: a learner's read or pass waits for this recount and then adds
    # to its result. A learner's very first row, made meanwhile, is theirs (inserted only if absent).
    locked = set(mine(m.LearnerProgress.objects.filter(module_id=module_id)).select_for_update()
                 .values_list("user_id", flat=True))
    updated, created = [], []
    for user_id in read.keys() | tried.keys() | locked:
        n, first_read = read.get(user_id, (0, None))
        passed = passes.get(user_id, [])
        # An attempt's start is before its submission; the earliest of both, should records say otherwise.
        started = _earliest(first_read, *tried.get(user_id, (None, None)))
        row = m.LearnerProgress(
            user_id=user_id, module_id=module_id, slides_read=n if started else 0,
            quizzes_passed=len(passed) if started else 0, started_at=started,
            half_read_at=half.get(user_id) if started else None,
            quizzes_passed_at=max(passed) if started and quizzes and len(passed) >= quizzes else None,
        )
        (updated if user_id in locked else created).append(row)
    m.LearnerProgress.objects.bulk_create(
        updated, batch_size=batch_size, update_conflicts=True, unique_fields=["user", "module"],
        update_fields=["slides_read", "quizzes_passed", "started_at", "half_read_at", "quizzes_passed_at"],
    )
    m.LearnerProgress.objects.bulk_create(created, batch_size=batch_size, ignore_conflicts=True)
    return len(updated) + len(created)
