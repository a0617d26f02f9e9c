"""A module of the programme: the unit a cohort follows and a certificate names."""
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField


class ModuleQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Module(models.Model):
    class Language(models.TextChoices):
        DUTCH = "nl", _("Nederlands")
        ENGLISH = "en", _("Engels")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("titel"), max_length=200)
    programme = models.CharField(_("programma"), max_length=200)
    introduction = MarkdownxField(_("inleiding"), blank=True)
    language = models.CharField(_("taal"), max_length=8, choices=Language.choices, default=Language.DUTCH)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["number"]

    def __str__(self):
        return f"{_('Module')} {self.number}: {self.title}"

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("courses:module", kwargs={"module_slug": self.slug})


class ContentVersion(models.Model):
    """One row: the version of the module content, bumped by the database itself.

    Triggers on every content table (see ``courses.content_version``) add one to ``number``
    in the same transaction as the write, whatever made it: the admin, a restore from the
    history, an import, ``loaddata``, a bulk update or a shell. Caches of pages and fragments
    are keyed by this version, so a committed write is never served stale by any worker.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.BigIntegerField(_("versie"), default=1)
    changed_at = models.DateTimeField(_("gewijzigd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("inhoudsversie")
        verbose_name_plural = _("inhoudsversies")

    def __str__(self):
        return f"{self.number}"
