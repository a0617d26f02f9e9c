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
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import Module

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
        SlideView.objects.filter(user=user, slide=slide).update(last_seen=now)
        progress.mark_read(slide=slide, when=now)
        return "update"
    return "none"


def _enrolment_names(*, user, module: Module) -> tuple[str, str]:
    """Centre and cohort for the certificate: from the learner's most recent active enrolment in
    a cohort of this module; blank when there is none (a learner can read without a cohort)."""
    from centres.models import Enrollment

    enrolment = (
        Enrollment.objects.active()
        .for_user(user)
        .filter(cohort__module=module)
        .select_related("cohort__centre")
        .order_by("-enrolled_at", "-pk")
        .first()
    )
    if enrolment is None:
        return "", ""
    return enrolment.cohort.centre.name, enrolment.cohort.name


@transaction.atomic
def certificate_issue(*, user, module: Module) -> Certificate:
    """The learner's certificate for ``module``, issued now unless they already have one."""
    existing = Certificate.objects.filter(user=user, module=module).first()
    if existing is not None:
        return existing
    centre_name, cohort_name = _enrolment_names(user=user, module=module)
    certificate = Certificate(
        user=user,
        module=module,
        issued_at=timezone.now(),
        # The name the learner gave "as you want it on your certificate"; never the full e-mail
        # address, which the public verification page would otherwise show.
        learner_name=(user.name or "").strip() or user.email.split("@")[0],
        module_title=module.title,
        centre_name=centre_name,
        cohort_name=cohort_name,
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # Issued by a concurrent request (two tabs completing at once): that one stands.
        return Certificate.objects.get(user=user, module=module)
    return certificate


@transaction.atomic
def module_completion_check(*, user, module: Module) -> Certificate | None:
    """Issue the certificate if ``user`` has now completed ``module``; returns it, or ``None``."""
    progress = selectors.module_progress(user=user, module=module)
    if not progress.complete:
        return None
    return progress.certificate or certificate_issue(user=user, module=module)


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
