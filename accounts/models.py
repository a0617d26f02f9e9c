"""The site's user: e-mail is the login, there is no username.

Defined in the very first migration so that accounts, enrolment and progress
can hang off it later without swapping the user model under live data.

The learner's profile is the SME they come from (company name, sector and
size). It lives on the user itself rather than in a one-to-one profile row:
every learner has exactly one, centres report by it on every cohort page, and
a separate table would only add a join and a "profile missing" case.
"""
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class CompanySector(models.TextChoices):
    """Broad sectors, after the sections of the EU's NACE classification."""

    AGRICULTURE = "agriculture", _("Landbouw, visserij en voeding")
    MANUFACTURING = "manufacturing", _("Industrie en productie")
    CONSTRUCTION = "construction", _("Bouw en installatie")
    RETAIL = "retail", _("Handel en detailhandel")
    HOSPITALITY = "hospitality", _("Horeca en toerisme")
    TRANSPORT = "transport", _("Transport en logistiek")
    ICT = "ict", _("ICT en media")
    BUSINESS_SERVICES = "business_services", _("Zakelijke dienstverlening")
    CARE = "care", _("Zorg en welzijn")
    EDUCATION = "education", _("Onderwijs en cultuur")
    ENERGY = "energy", _("Energie, water en afval")
    OTHER = "other", _("Anders")


class CompanySize(models.TextChoices):
    """The EU's SME size classes by head count."""

    MICRO = "micro", _("Micro (minder dan 10 medewerkers)")
    SMALL = "small", _("Klein (10 tot 50 medewerkers)")
    MEDIUM = "medium", _("Middelgroot (50 tot 250 medewerkers)")


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mailadres"), unique=True)
    name = models.CharField(_("naam"), max_length=150, blank=True)
    company_name = models.CharField(_("bedrijf"), max_length=200, blank=True)
    company_sector = models.CharField(_("sector"), max_length=30, choices=CompanySector.choices, blank=True)
    company_size = models.CharField(_("grootte van het bedrijf"), max_length=10, choices=CompanySize.choices, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return (self.name.split()[0] if self.name else self.email.split("@")[0])


class LoginEmailQuerySet(models.QuerySet):
    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class LoginEmail(EmailAddress):
    """allauth's record of an address (verified or not), with the address as natural key.

    Only so that a fixture (the demo accounts) can say "this address is verified"
    and loading it again updates that row instead of adding a second one; the
    site itself uses allauth's ``EmailAddress``.
    """

    objects = LoginEmailQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("e-mailadres voor inloggen")
        verbose_name_plural = _("e-mailadressen voor inloggen")

    def natural_key(self):
        return (self.email,)

    natural_key.dependencies = ["accounts.user"]
