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
"""
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from courses.models import Module
from quizzes import services as quiz_services
from quizzes.models import Attempt

from . import selectors
from .models import Certificate, SlideView


def slide_view_record(*, user, slide, progress: "selectors.ModuleProgress", now=None) -> str:
    """Record that ``user`` reads the published ``slide`` now; returns the write: "insert", "update" or "none".

    ``progress`` is the learner's progress in the slide's module as the viewer
    read it just before; it is updated in place, so the page shows this view.
    """
    now = now or timezone.now()
    if slide.pk not in progress.read_slide_ids:
        row = SlideView(user=user, slide=slide, first_seen=now, last_seen=now)
        progress.mark_read(slide=slide, when=now)
        if progress.complete:
            # This very view completes the module: record it and issue the certificate together.
            with transaction.atomic():
                SlideView.objects.bulk_create([row], ignore_conflicts=True)
                module_completion_check(user=user, module=progress.module)
        else:
            SlideView.objects.bulk_create([row], ignore_conflicts=True)
        return "insert"
    if progress.last_slide_id != slide.pk:
        _touch(user_id=user.pk, slide_id=slide.pk, now=now)
        progress.mark_read(slide=slide, when=now)
        return "update"
    return "none"


def _touch(*, user_id: int, slide_id: int, now) -> None:
    """``SlideView.objects.filter(user=…, slide=…).update(last_seen=now)`` without building the query
    each time (building it cost more than running it; this runs on every move to another slide)."""
    connection = connections[router.db_for_write(SlideView)]
    meta, quote = SlideView._meta, connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field('last_seen').column)} = %s "  # nosec B608  # names from the model
        f"WHERE {quote(meta.get_field('user').column)} = %s AND {quote(meta.get_field('slide').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), user_id, slide_id])


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
