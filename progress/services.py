"""Writes for progress: recording what a learner read, completing a module, certificates.

Recording a slide view costs at most one cheap write and none when nothing
changed. The viewer already reads the learner's progress in the module (for
the ticks and the bar), so this knows without asking the database whether
the slide was read before and whether it is where the learner last was:

* first time on this slide: one ``INSERT ... ON CONFLICT DO NOTHING``;
* back on a slide read before, coming from another: one ``UPDATE`` by key
  of ``last_seen``, so "verder waar je gebleven was" is exact;
* a refresh of the slide the learner is already on: no write at all.

Completion is checked by the service that can cause it (reading the last
unread slide, or passing a quiz) in the same transaction, and the
certificate is issued right there: no signals.

The learner's ``LearnerProgress`` row (what the outcome reports count) is kept the same way, in the
transaction that changes it: a first read adds one to it in the same statement as the
``SlideView`` insert on PostgreSQL (a data-modifying ``WITH``), or in a second statement right
after it on SQLite, and only when the insert did insert (two tabs reading the same slide for the
first time count it once); starting and passing a quiz recount the row's quiz part under its lock.
A re-read writes nothing to it. What changes every learner's row at once (a slide published or
unpublished, a quiz added or removed) queues a recount in the background (``queue_progress_recount``).
"""
import contextlib

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Min
from django.utils import timezone

from courses.models import Module
from quizzes import services as quiz_services
from quizzes.models import Attempt, Quiz
from sections.models import Slide

from . import recount, selectors
from .models import Certificate, LearnerProgress, SlideView


def slide_view_record(*, user, slide, progress: "selectors.ModuleProgress", now=None) -> str:
    """Record that ``user`` reads the published ``slide`` now; returns the write: "insert", "update" or "none".

    ``progress`` is the learner's progress in the slide's module as the viewer
    read it just before; it is updated in place, so the page shows this view.
    """
    now = now or timezone.now()
    if slide.pk not in progress.read_slide_ids:
        progress.mark_read(slide=slide, when=now)
        record = {"user_id": user.pk, "slide_id": slide.pk, "module_id": progress.module.pk, "now": now,
                  "slides": progress.slide_total if slide.is_published else 0}
        if progress.complete:
            # This very view completes the module: record it and issue the certificate together.
            with transaction.atomic():
                _first_read(**record)
                module_completion_check(user=user, module=progress.module)
        else:
            _first_read(**record)
        return "insert"
    if progress.last_slide_id != slide.pk:
        _touch(user_id=user.pk, slide_id=slide.pk, now=now)
        progress.mark_read(slide=slide, when=now)
        return "update"
    return "none"


def _touch(*, user_id: int, slide_id: int, now) -> None:
    """``SlideView.objects.filter(user=…, slide=…).update(last_seen=now)`` without building the query
    each time (building it cost more than running it; this runs on every move to another slide).

    On PostgreSQL this write is committed without waiting for the disk (``synchronous_commit`` off
    for this one transaction, sent with the UPDATE in one round trip). It records only where the
    learner is ("verder waar je gebleven was"); the slides they read, their quiz results and
    certificates come from other writes, which stay durable. What it may cost: if the database
    server crashes (not a restart, not a crash of the site) within a few hundred milliseconds
    of the write (``wal_writer_delay`` × 3 at most), the learner resumes at the slide before; the
    database is never inconsistent. Waiting for the disk (an fdatasync per move) took about 0.9 ms of
    this UPDATE's 1.2 ms on the bench machine, and the worker does nothing else meanwhile.
    Inside a transaction (a caller's ``atomic``) the setting would cover the caller's writes too:
    there the UPDATE is an ordinary one.
    """
    connection = connections[router.db_for_write(SlideView)]
    meta, quote = SlideView._meta, connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field('last_seen').column)} = %s "  # nosec B608  # names from the model
        f"WHERE {quote(meta.get_field('user').column)} = %s AND {quote(meta.get_field('slide').column)} = %s"
    )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Two statements in one query message: PostgreSQL runs them as one implicit transaction, so
        # SET LOCAL holds for this UPDATE's commit and ends with it (no BEGIN/COMMIT round trips).
        sql = "SET LOCAL synchronous_commit TO OFF; " + sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), user_id, slide_id])


def _first_read(*, user_id: int, slide_id: int, module_id: int, now, slides: int) -> None:
    """Insert the ``SlideView`` (unless a concurrent request did) and, if it was inserted and the slide is
    one of the module's ``slides`` published ones, add the read to the learner's ``LearnerProgress`` row:
    one more slide read, started now if not before, half the module read now if this read makes half.

    One statement on PostgreSQL; on SQLite two (it has no ``INSERT`` inside ``WITH``), in one transaction.
    The row's ``UPSERT`` adds to what is committed (``slides_read = slides_read + 1`` under the row
    lock the upsert takes): two reads at once count two.
    """
    connection = connections[router.db_for_write(SlideView)]
    statements = _FIRST_READ_SQL.get(connection.vendor)
    if statements is None:
        statements = _FIRST_READ_SQL[connection.vendor] = _first_read_sql(connection.vendor, connection.ops.quote_name)
    insert_view, upsert = statements
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Counted only when the view was inserted and the slide is published (``slides`` is 0 for a draft).
            cursor.execute(upsert, [user_id, slide_id, at, at, module_id, at, slides, at, slides, slides])
            return
        with transaction.atomic(using=connection.alias, savepoint=False):
            cursor.execute(insert_view, [user_id, slide_id, at, at])
            if cursor.rowcount == 1 and slides > 0:
                cursor.execute(upsert, [user_id, module_id, at, slides, at, slides])


_FIRST_READ_SQL: dict[str, tuple[str, str]] = {}


def _first_read_sql(vendor: str, quote) -> tuple[str, str]:
    """The statements of ``_first_read`` for ``vendor``, built once (building them cost more than running them)."""
    view, row = SlideView._meta, LearnerProgress._meta
    view_columns = ", ".join(quote(view.get_field(f).column) for f in ("user", "slide", "first_seen", "last_seen"))
    insert_view = (
        f"INSERT INTO {quote(view.db_table)} ({view_columns}) VALUES (%s, %s, %s, %s) "  # nosec B608  # names from the models
        f"ON CONFLICT ({quote(view.get_field('user').column)}, {quote(view.get_field('slide').column)}) DO NOTHING"
    )
    table = quote(row.db_table)
    col = {f: quote(row.get_field(f).column) for f in (
        "user", "module", "slides_read", "quizzes_passed", "started_at", "half_read_at", "quizzes_passed_at")}
    upsert = (
        f"INTO {table} AS p ({col['user']}, {col['module']}, {col['slides_read']}, {col['quizzes_passed']}, "  # nosec B608
        f"{col['started_at']}, {col['half_read_at']}, {col['quizzes_passed_at']}) "
        "SELECT {user}, %s, 1, 0, %s, CASE WHEN 2 >= %s THEN %s END, NULL {source} "
        f"ON CONFLICT ({col['user']}, {col['module']}) DO UPDATE SET "
        f"{col['slides_read']} = p.{col['slides_read']} + 1, "
        # The earlier of the two: a request that waited for the row's lock may carry an earlier clock.
        f"{col['started_at']} = CASE WHEN p.{col['started_at']} IS NULL OR EXCLUDED.{col['started_at']} < "
        f"p.{col['started_at']} THEN EXCLUDED.{col['started_at']} ELSE p.{col['started_at']} END, "
        f"{col['half_read_at']} = COALESCE(p.{col['half_read_at']}, CASE WHEN 2 * (p.{col['slides_read']} + 1) >= %s "
        f"THEN EXCLUDED.{col['started_at']} END)"
    )
    if vendor == "postgresql":
        fresh = quote(view.get_field("user").column)
        return insert_view, (f"WITH fresh AS ({insert_view} RETURNING {fresh} AS user_id) "
                             "INSERT " + upsert.format(user="user_id", source="FROM fresh WHERE %s > 0"))
    # "WHERE true": SQLite's parser needs a WHERE before ON CONFLICT in INSERT … SELECT.
    return insert_view, "INSERT " + upsert.format(user="%s", source="WHERE true")


def _quiz_progress_update(*, user, module_id: int) -> None:
    """Recount the quiz part of the learner's ``LearnerProgress`` row under its lock: started (the first
    attempt started), how many of the module's quizzes passed and when the last of them first was.
    Called in the transaction that starts or submits an attempt; a few queries, on a rare write."""
    quizzes = Quiz.objects.filter(section__module_id=module_id).count()
    attempts = Attempt.objects.filter(user=user, quiz__section__module_id=module_id).order_by()
    first_started = attempts.aggregate(first=Min("started_at"))["first"]
    passes = list(
        attempts.filter(passed=True, submitted_at__isnull=False).values("quiz_id").annotate(first=Min("submitted_at"))
        .values_list("first", flat=True)
    )
    row, _created = LearnerProgress.objects.select_for_update().get_or_create(user_id=user.pk, module_id=module_id)
    if first_started is not None and (row.started_at is None or first_started < row.started_at):
        row.started_at = first_started
    if passes and (row.started_at is None or min(passes) < row.started_at):
        row.started_at = min(passes)  # only with records that disagree with the clock (a submission before its start)
    row.quizzes_passed = len(passes)
    row.quizzes_passed_at = max(passes) if quizzes and len(passes) >= quizzes else None
    row.save(update_fields=["started_at", "quizzes_passed", "quizzes_passed_at"])


@transaction.atomic
def quiz_attempt_start(*, quiz: Quiz, user, rng=None, now=None) -> tuple[Attempt, bool]:
    """Start (or resume) the learner's attempt at ``quiz`` (``quizzes.services.attempt_start``); a new
    attempt starts the learner in the module, in the same transaction."""
    attempt, created = quiz_services.attempt_start(quiz=quiz, user=user, rng=rng, now=now)
    if created:
        _quiz_progress_update(user=user, module_id=quiz.section.module_id)
    return attempt, created


def progress_recount(*, module_ids, user_ids=None) -> int:
    """Count the ``LearnerProgress`` rows of ``module_ids`` again from the reading and quiz records
    (``progress.recount``), and write the first-attempt answers that records loaded in bulk or by hand
    lack (``quizzes.services.first_attempt_answers_fill``); returns the progress rows written. In one
    transaction per module."""
    written = 0
    for module_id in sorted(set(module_ids)):
        with transaction.atomic():
            written += recount.recount(models=_MODELS, module_ids=[module_id], user_ids=user_ids)
            quiz_services.first_attempt_answers_fill(module_ids=[module_id], user_ids=user_ids)
    return written


def queue_progress_recount(*, module_ids) -> None:
    """Recount these modules' progress rows in the background, after the commit (the site's one door for
    slow work: a Celery task queued with ``transaction.on_commit``; without a broker it runs right after
    the commit in this process). Called where the size of a module changes: slides published or
    unpublished, a quiz added or removed, an import or a restore."""
    from .tasks import recount_progress

    ids = sorted({int(pk) for pk in module_ids if pk is not None})
    if ids:
        transaction.on_commit(lambda: recount_progress.delay(ids), robust=True)


_MODELS = recount.Models(LearnerProgress=LearnerProgress, SlideView=SlideView, Attempt=Attempt, Slide=Slide, Quiz=Quiz)


class NotEligible(Exception):
    """No certificate without a place in a cohort of the module (the centre's certificate)."""


def _certifying_enrollment(*, user, module: Module):
    """The learner's most recent enrolment in a cohort of ``module`` that still holds a place
    (active or completed, not withdrawn), or ``None``."""
    return (
        selectors.certifying_enrollments(user=user, module=module)
        .select_related("cohort__centre")
        .order_by("-enrolled_at", "-pk")
        .first()
    )


def _learner_name(user) -> str:
    # The name the learner gave "as you want it on your certificate"; never the full e-mail
    # address, which the public verification page would otherwise show.
    return (user.name or "").strip() or user.email.split("@")[0]


@transaction.atomic
def certificate_issue(*, user, module: Module) -> Certificate:
    """The learner's certificate for ``module``, issued now unless they already have one.

    The certificate is the centre's: without an enrolment in a cohort of the module it raises
    ``NotEligible`` (reading and the quizzes stay open to everyone). Name, company, centre and
    cohort are copied in now and never follow later changes; a correction is a reissue.
    """
    existing = Certificate.objects.current().filter(user=user, module=module).first()
    if existing is not None:
        return existing
    enrollment = _certifying_enrollment(user=user, module=module)
    if enrollment is None:
        raise NotEligible("No enrolment in a cohort of this module.")
    certificate = Certificate(
        user=user,
        module=module,
        issued_at=timezone.now(),
        learner_name=_learner_name(user),
        company_name=(user.company_name or "").strip(),
        module_title=module.title,
        centre_name=enrollment.cohort.centre.name,
        cohort_name=enrollment.cohort.name,
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # Issued by a concurrent request (two tabs completing at once): that one stands.
        return Certificate.objects.current().get(user=user, module=module)
    return certificate


@transaction.atomic
def module_completion_check(*, user, module: Module) -> Certificate | None:
    """Issue the certificate if ``user`` has now completed ``module`` and holds a place in one of
    its cohorts; returns it, or ``None`` (not complete, or complete without a cohort)."""
    progress = selectors.module_progress(user=user, module=module)
    if not progress.complete:
        return None
    if progress.certificate is not None:
        return progress.certificate
    if getattr(user, "is_stand_in", False):
        # The slide viewer's user carries only its id and flags (accounts.session_auth): the
        # certificate copies the name and company, so it gets the whole row.
        user = get_user_model().objects.get(pk=user.pk)
    try:
        return certificate_issue(user=user, module=module)
    except NotEligible:
        return None


@transaction.atomic
def certificate_reissue(*, certificate: Certificate) -> Certificate:
    """A new certificate with the learner's name and company as they are now (after a correction);
    the old one is kept, marked "vervangen door" the new code. Site staff only (the admin checks).

    Centre and cohort stay as certified: the reissue corrects who, not where.
    """
    locked = Certificate.objects.select_for_update().select_related("user", "module").get(pk=certificate.pk)
    if locked.replaced_by_id is not None:
        return Certificate.objects.get(pk=locked.replaced_by_id)
    now = timezone.now()
    # The old row stops being "current" first (pointing at itself for a moment), so that the
    # partial unique constraint "one current certificate per learner and module" lets the new one in.
    Certificate.objects.filter(pk=locked.pk).update(replaced_by=locked.pk, replaced_at=now)
    new = Certificate.objects.create(
        user=locked.user,
        module=locked.module,
        issued_at=now,
        learner_name=_learner_name(locked.user),
        company_name=(locked.user.company_name or "").strip(),
        module_title=locked.module.title,
        centre_name=locked.centre_name,
        cohort_name=locked.cohort_name,
        # A revoked certificate is corrected, not re-validated: the new one carries the revocation.
        revoked_at=locked.revoked_at,
        revoked_by=locked.revoked_by,
        revocation_reason=locked.revocation_reason,
    )
    Certificate.objects.filter(pk=locked.pk).update(replaced_by=new.pk)
    return new


@transaction.atomic
def quiz_attempt_submit(*, attempt: Attempt, user, selections: dict[int, set[int]]) -> Attempt:
    """Submit the learner's attempt (``quizzes.services.attempt_submit``) and, on a pass, complete the
    module: the attempt that completes it and the certificate are committed together or not at all."""
    submitted = quiz_services.attempt_submit(attempt=attempt, user=user, selections=selections)
    if submitted.passed:
        _quiz_progress_update(user=user, module_id=submitted.quiz.section.module_id)
        module_completion_check(user=user, module=submitted.quiz.section.module)
    return submitted


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str = "") -> Certificate:
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.revocation_reason = reason.strip()[:300]
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return locked


@transaction.atomic
def certificate_reinstate(*, certificate: Certificate) -> Certificate:
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        locked.revoked_at = None
        locked.revoked_by = None
        locked.revocation_reason = ""
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return locked


def _module_shapes() -> dict[int, tuple]:
    """Per module, what its learners' progress rows are measured against: the published slides and the
    quizzes (two small queries: a module has hundreds of slides, not thousands)."""
    shapes: dict[int, tuple[list, list]] = {}
    for module_id, slide_id in Slide.objects.filter(is_published=True).order_by("pk").values_list(
        "section__module_id", "pk"
    ):
        shapes.setdefault(module_id, ([], []))[0].append(slide_id)
    for module_id, quiz_id in Quiz.objects.order_by("pk").values_list("section__module_id", "pk"):
        shapes.setdefault(module_id, ([], []))[1].append(quiz_id)
    return {module_id: (tuple(slides), tuple(quizzes)) for module_id, (slides, quizzes) in shapes.items()}


@contextlib.contextmanager
def recount_when_reshaped():
    """Around a write that may publish or unpublish slides, move them between modules or add or remove
    quizzes (an admin form, an action, a restore, an import): queue a recount of each module whose
    published slides or quizzes are no longer the same afterwards, and of none otherwise."""
    before = _module_shapes()
    yield
    after = _module_shapes()
    queue_progress_recount(module_ids=[m for m in before.keys() | after.keys() if before.get(m) != after.get(m)])
