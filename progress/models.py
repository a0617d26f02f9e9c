"""A learner's progress through a module, and the certificate that completes it.

Progress belongs to the learner and the module, never to a cohort: a learner
enrolled in two cohorts of the same module reads it, and passes its quizzes,
once. The cohort pages read this progress; they do not keep their own.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SlideViewQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def in_module(self, module):
        return self.filter(slide__section__module=module)


class SlideView(models.Model):
    """That a learner read a slide: when first, and when last (what "verder waar je gebleven was" uses)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slide_views", verbose_name=_("leerling")
    )
    slide = models.ForeignKey("sections.Slide", on_delete=models.CASCADE, related_name="views", verbose_name=_("slide"))
    first_seen = models.DateTimeField(_("eerst gelezen"))
    last_seen = models.DateTimeField(_("laatst gelezen"))

    objects = SlideViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("gelezen slide")
        verbose_name_plural = _("gelezen slides")
        ordering = ["user", "-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["user", "slide"], name="slideview_unique_per_learner"),
            models.CheckConstraint(condition=Q(last_seen__gte=models.F("first_seen")), name="slideview_last_after_first"),
        ]
        indexes = [models.Index(fields=["user", "-last_seen"], name="slideview_user_last_seen")]

    def __str__(self):
        return f"{self.user_id} · {self.slide_id}"


class LearnerProgressQuerySet(models.QuerySet):
    def in_modules(self, module_ids):
        return self.filter(module_id__in=module_ids)


class LearnerProgress(models.Model):
    """How far one learner got in one module, and when they got there: kept as they go.

    One row per learner and module (not per enrolment: progress belongs to the learner and the
    module, never to a cohort, as the reading records it is made of). The outcome reports count
    what each learner had reached by the end of a period, so each stage keeps the moment it was
    reached, not only whether it was: started (the first published slide read or the first quiz
    attempt started), half of the module's published slides read, every quiz of the module passed.
    The certificate is the fourth stage and has its own table.

    Written in the transaction that causes it: the first read of a slide (``services.slide_view_record``,
    one statement on PostgreSQL) and a quiz attempt started or passed (``services.quiz_attempt_start``,
    ``services.quiz_attempt_submit``, under this row's lock). "Half" and "every quiz" depend on how many
    slides are published and how many quizzes the module has: a change to either queues a recount
    (``services.queue_progress_recount``), and ``manage.py progress_recount`` rebuilds every row.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_progress", verbose_name=_("leerling")
    )
    module = models.ForeignKey(
        "courses.Module", on_delete=models.CASCADE, related_name="learner_progress", verbose_name=_("module")
    )
    slides_read = models.PositiveIntegerField(_("gelezen slides"), default=0)
    quizzes_passed = models.PositiveIntegerField(_("gehaalde toetsen"), default=0)
    started_at = models.DateTimeField(_("begonnen op"), null=True, blank=True)
    half_read_at = models.DateTimeField(_("helft gelezen op"), null=True, blank=True)
    quizzes_passed_at = models.DateTimeField(_("alle toetsen gehaald op"), null=True, blank=True)

    objects = LearnerProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("voortgang in een module")
        verbose_name_plural = _("voortgang in modules")
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="learnerprogress_one_per_learner_per_module"),
            # A later stage is never reached before the learner started.
            models.CheckConstraint(
                condition=(Q(half_read_at__isnull=True) | Q(started_at__isnull=False, half_read_at__gte=models.F("started_at"))),
                name="learnerprogress_half_read_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    Q(quizzes_passed_at__isnull=True)
                    | Q(started_at__isnull=False, quizzes_passed_at__gte=models.F("started_at"))
                ),
                name="learnerprogress_quizzes_passed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=False) | Q(slides_read=0, quizzes_passed=0),
                name="learnerprogress_counts_only_once_started",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.module_id}"


# Letters and digits that cannot be mistaken for one another when typed from paper (no 0/O, 1/I/L, U/V).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 12


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed or a link carried, as stored: upper case, without dashes or spaces."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


class CertificateQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True, replaced_by__isnull=True)

    def current(self):
        """Not replaced by a reissue (revoked or not): the learner's one certificate per module."""
        return self.filter(replaced_by__isnull=True)

    def by_code(self, code: str):
        return self.filter(code=normalise_code(code))


class Certificate(models.Model):
    """Proof that a learner completed a module. Names are copied in at issue, so the PDF
    and the verification page say what was certified even if an account or cohort changes later."""

    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, default=new_certificate_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("leerling")
    )
    module = models.ForeignKey(
        "courses.Module", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("module")
    )
    issued_at = models.DateTimeField(_("uitgereikt op"))
    learner_name = models.CharField(_("naam op het certificaat"), max_length=150)
    module_title = models.CharField(_("moduletitel op het certificaat"), max_length=200)
    company_name = models.CharField(_("bedrijf op het certificaat"), max_length=200, blank=True)
    centre_name = models.CharField(_("ondernemerscentrum"), max_length=200, blank=True)
    cohort_name = models.CharField(_("groep"), max_length=200, blank=True)
    # A reissue after a correction (a misspelt name, a new company name): the old code stays
    # resolvable and says "vervangen door …", so a printed copy leads to the current one.
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces",
        verbose_name=_("vervangen door"),
    )
    replaced_at = models.DateTimeField(_("vervangen op"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ingetrokken door"),
    )
    revocation_reason = models.CharField(_("reden van intrekking"), max_length=300, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificaat")
        verbose_name_plural = _("certificaten")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module"], condition=Q(replaced_by__isnull=True),
                name="certificate_one_current_per_learner_per_module",
            ),
            models.CheckConstraint(
                condition=Q(replaced_by__isnull=True, replaced_at__isnull=True)
                | Q(replaced_by__isnull=False, replaced_at__isnull=False),
                name="certificate_replaced_with_date",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=False) | Q(revocation_reason=""),
                name="certificate_reason_only_when_revoked",
            ),
        ]

    def __str__(self):
        return f"{self.display_code} · {self.learner_name}"

    @property
    def display_code(self) -> str:
        """The code in groups of four, as printed: ABCD-EFGH-JKMN."""
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_replaced(self) -> bool:
        return self.replaced_by_id is not None

    @property
    def is_valid(self) -> bool:
        return not self.is_revoked and not self.is_replaced

    def get_absolute_url(self):
        """The public verification page."""
        return reverse("progress:certificate_verify", kwargs={"code": self.display_code})

    def get_pdf_url(self):
        return reverse("progress:certificate_pdf", kwargs={"code": self.display_code})
