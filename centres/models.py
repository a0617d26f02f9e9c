"""Enterprise centres, their staff, the cohorts they run and who is enrolled.

A cohort is one run of one module by one centre. Learners join it by its
join code (a link the centre shares) or are enrolled in bulk by staff; people
without an account yet get an :class:`Invitation`. Every rule that must hold
even when two requests race lives in the database: one enrolment per learner
per cohort, an end date that is not before the start, a positive capacity.
Writes go through ``services.py``; these models only describe the data.
"""
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Unambiguous when read aloud or typed from paper: no 0/O, 1/I/L.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    """A random join code: 31^8 ≈ 8.5·10^11 codes, so guessing one is hopeless."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    return (code or "").strip().upper()


SITE_STAFF_PERMISSION = "centres.view_all_centres"


def is_site_staff(user) -> bool:
    """Site staff run the whole site (superusers, or the permission given in the admin).

    Not ``is_staff``: trainers have that too, to edit the module in the admin. Defined here,
    below ``access``, because the cohort querysets ask it too (``access`` imports the models)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(SITE_STAFF_PERMISSION))


class CentreQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Centre(models.Model):
    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    country = models.CharField(_("land"), max_length=100)
    city = models.CharField(_("plaats"), max_length=100)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("e-mailadres voor contact"), blank=True)
    contact_phone = models.CharField(_("telefoonnummer voor contact"), max_length=40, blank=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("ondernemerscentrum")
        verbose_name_plural = _("ondernemerscentra")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class CentreStaffQuerySet(models.QuerySet):
    def get_by_natural_key(self, centre_slug, email):
        return self.get(centre__slug=centre_slug, user__email__iexact=email)

    def managers(self):
        return self.filter(role=CentreStaff.Role.MANAGER)

    def trainers(self):
        return self.filter(role=CentreStaff.Role.TRAINER)


class CentreStaff(models.Model):
    """A person working for a centre. A manager runs all of the centre's
    cohorts; a trainer sees only the cohorts they are named on."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("centrummanager")
        TRAINER = "trainer", _("trainer")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="staff", verbose_name=_("centrum"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="centre_roles", verbose_name=_("gebruiker")
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)

    objects = CentreStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("medewerker van een centrum")
        verbose_name_plural = _("medewerkers van centra")
        ordering = ["centre", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "user"], name="centrestaff_unique_user_per_centre"),
        ]
        permissions = [
            ("view_all_centres", _("Kan alle centra, cohorten en deelnemers zien en beheren (sitebeheer)")),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.centre})"

    def natural_key(self):
        return (*self.centre.natural_key(), self.user.email)

    natural_key.dependencies = ["centres.centre", "accounts.user"]


class CohortQuerySet(models.QuerySet):
    def get_by_natural_key(self, centre_slug, name):
        return self.get(centre__slug=centre_slug, name=name)

    def visible_to(self, user):
        """The cohorts a member of staff may open: a trainer those they train,
        a manager all of their centre's, site staff all. Others: none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if is_site_staff(user):
            return self.all()
        managed_centres = CentreStaff.objects.filter(user=user, role=CentreStaff.Role.MANAGER).values("centre_id")
        return self.filter(Q(centre__in=managed_centres) | Q(trainers=user)).distinct()

    def managed_by(self, user):
        """The cohorts whose settings a user may change: managers and site staff."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if is_site_staff(user):
            return self.all()
        managed_centres = CentreStaff.objects.filter(user=user, role=CentreStaff.Role.MANAGER).values("centre_id")
        return self.filter(centre__in=managed_centres)


class Cohort(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("centrum"))
    module = models.ForeignKey(
        "courses.Module", on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("module")
    )
    name = models.CharField(_("naam"), max_length=200)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="trained_cohorts", blank=True, verbose_name=_("trainers")
    )
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("einddatum"))
    capacity = models.PositiveIntegerField(
        _("maximum aantal deelnemers"), null=True, blank=True, help_text=_("Leeg laten als er geen maximum is.")
    )
    is_open = models.BooleanField(
        _("open voor inschrijving"), default=True, help_text=_("Gesloten: de deelnamelink werkt niet meer.")
    )
    join_code = models.CharField(_("deelnamecode"), max_length=16, unique=True, default=new_join_code, editable=False)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorten")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="cohort_end_not_before_start"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="cohort_capacity_positive"),
            models.UniqueConstraint(fields=["centre", "name"], name="cohort_unique_name_per_centre"),
        ]

    def __str__(self):
        return f"{self.name} ({self.centre})"

    def natural_key(self):
        return (*self.centre.natural_key(), self.name)

    natural_key.dependencies = ["centres.centre", "courses.module"]

    def get_absolute_url(self):
        return reverse("centres:cohort_detail", kwargs={"pk": self.pk})

    def get_join_url(self):
        return reverse("centres:join", kwargs={"code": self.join_code})

    def has_ended(self, today=None) -> bool:
        return self.end_date < (today or timezone.localdate())


class EnrollmentQuerySet(models.QuerySet):
    def get_by_natural_key(self, centre_slug, cohort_name, email):
        return self.get(cohort__centre__slug=centre_slug, cohort__name=cohort_name, user__email__iexact=email)

    def active(self):
        return self.filter(status=Enrollment.Status.ACTIVE)

    def holding_a_place(self):
        """Enrolments that take one of the cohort's places (withdrawn ones free it)."""
        return self.filter(status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED])

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("actief")
        WITHDRAWN = "withdrawn", _("uitgeschreven")
        COMPLETED = "completed", _("afgerond")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("cohort"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("deelnemer")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(_("ingeschreven op"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status gewijzigd op"), default=timezone.now)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        ordering = ["cohort", "user__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="enrollment_unique_user_per_cohort"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="enrollment_user_status_idx")]

    def __str__(self):
        return f"{self.user} — {self.cohort} ({self.get_status_display()})"

    def natural_key(self):
        return (*self.cohort.natural_key(), self.user.email)

    natural_key.dependencies = ["centres.cohort", "accounts.user"]


def hash_token(token: str) -> str:
    """Invitation tokens are stored hashed: the raw token exists only in the e-mail."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        return self.filter(accepted_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An e-mail invitation to a cohort for someone without an account.

    Following the link proves the address belongs to them, so accepting it
    creates a verified account and the enrolment in one step."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("cohort"))
    email = models.EmailField(_("e-mailadres"))
    name = models.CharField(_("naam"), max_length=150, blank=True)
    company_name = models.CharField(_("bedrijf"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uitgenodigd door"),
    )
    created_at = models.DateTimeField(_("verstuurd op"), default=timezone.now)
    expires_at = models.DateTimeField(_("verloopt op"))
    accepted_at = models.DateTimeField(_("geaccepteerd op"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
        verbose_name=_("geaccepteerd door"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint("cohort", Lower("email"), name="invitation_unique_email_per_cohort"),
        ]

    def __str__(self):
        return f"{self.email} → {self.cohort}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())


class EnrollmentBatch(models.Model):
    """One bulk enrolment (a pasted list or an uploaded CSV) and its report,
    kept so that staff can read the report after the redirect and later."""

    class Source(models.TextChoices):
        PASTE = "paste", _("geplakte lijst")
        CSV = "csv", _("CSV-bestand")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="batches", verbose_name=_("cohort"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("door")
    )
    created_at = models.DateTimeField(_("op"), default=timezone.now)
    source = models.CharField(_("bron"), max_length=10, choices=Source.choices)
    filename = models.CharField(_("bestandsnaam"), max_length=255, blank=True)
    rows = models.JSONField(_("regels"), default=list)

    class Meta:
        verbose_name = _("bulkinschrijving")
        verbose_name_plural = _("bulkinschrijvingen")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.cohort} — {self.created_at:%Y-%m-%d %H:%M}"


class PendingJoinQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(finished_at__isnull=True)

    def unreported(self):
        """Finished (enrolled or refused) but the learner has not been told yet."""
        return self.filter(finished_at__isnull=False, reported_at__isnull=True)


class PendingJoin(models.Model):
    """A newcomer's intent to join a cohort, kept in the database from sign-up until it is done.

    Someone who signs up from a cohort's join link still has to confirm their e-mail
    address, perhaps on another device or browser than the one they signed up on. The
    intent therefore can't live in the session: it is stored here against the new
    account, finished (enrolled, or refused with a reason) the moment the address is
    confirmed, and reported to the learner on the next page they see signed in
    (``reported_at``), wherever that is.
    """

    class Outcome(models.TextChoices):
        ENROLLED = "enrolled", _("ingeschreven")
        REFUSED = "refused", _("geweigerd")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_join", verbose_name=_("gebruiker")
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pending_joins", verbose_name=_("cohort"))
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    finished_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)
    outcome = models.CharField(_("uitkomst"), max_length=10, choices=Outcome.choices, blank=True)
    reason = models.CharField(_("reden"), max_length=20, blank=True)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("inschrijving")
    )
    reported_at = models.DateTimeField(_("gemeld op"), null=True, blank=True)

    objects = PendingJoinQuerySet.as_manager()

    class Meta:
        verbose_name = _("inschrijving in afwachting van bevestiging")
        verbose_name_plural = _("inschrijvingen in afwachting van bevestiging")
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True, outcome="") | Q(finished_at__isnull=False) & ~Q(outcome=""),
                name="pendingjoin_outcome_when_finished",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.cohort}"
