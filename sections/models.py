"""The module's content: sections, their slides in deck order, and each slide's links.

Positions are 1..n inside a section and are what the learner's URLs carry
(``/sectie/1/slide/7/``); slugs are the stable identity used by fixtures and
export, so that reordering slides never makes an import update the wrong one.
"""
from urllib.parse import urlsplit

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField


class SectionQuerySet(models.QuerySet):
    def get_by_natural_key(self, module_slug, number):
        return self.get(module__slug=module_slug, number=number)


class Section(models.Model):
    module = models.ForeignKey("courses.Module", on_delete=models.CASCADE, related_name="sections", verbose_name=_("module"))
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("titel"), max_length=200)
    introduction = MarkdownxField(_("inleiding"), blank=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("sectie")
        verbose_name_plural = _("secties")
        ordering = ["module", "number"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="section_unique_number_per_module"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="section_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (*self.module.natural_key(), self.number)

    natural_key.dependencies = ["courses.module"]

    def get_absolute_url(self):
        return reverse("sections:section", kwargs={"module_slug": self.module.slug, "number": self.number})


class SlideQuerySet(models.QuerySet):
    def get_by_natural_key(self, module_slug, section_number, slug):
        return self.get(section__module__slug=module_slug, section__number=section_number, slug=slug)

    def in_module_order(self):
        return self.order_by("section__number", "position")


class Slide(models.Model):
    class Kind(models.TextChoices):
        CONTENT = "content", _("Inhoud")
        QUOTE = "quote", _("Citaat")
        EXAMPLE = "example", _("Samenwerking in actie")
        SPOTLIGHT = "spotlight", _("In de kijker")
        ACTIVITY = "activity", _("Activiteit")
        FURTHER_READING = "further_reading", _("Dieper gaan")
        CLOSING = "closing", _("Slotwoord")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="slides", verbose_name=_("sectie"))
    slug = models.SlugField(_("slug"), max_length=100)
    position = models.PositiveSmallIntegerField(_("positie"))
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.CONTENT)
    title = models.CharField(_("titel"), max_length=200)
    body = MarkdownxField(_("tekst"), help_text=_("Markdown: lijsten met -, kopjes met ###, **vet**, > citaat."))
    attribution = models.CharField(_("bron van het citaat"), max_length=200, blank=True)

    objects = SlideQuerySet.as_manager()

    class Meta:
        verbose_name = _("slide")
        verbose_name_plural = _("slides")
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "position"], name="slide_unique_position_per_section"),
            models.UniqueConstraint(fields=["section", "slug"], name="slide_unique_slug_per_section"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="slide_position_positive"),
        ]

    def __str__(self):
        return f"{self.section.number}.{self.position} {self.title}"

    def natural_key(self):
        return (*self.section.natural_key(), self.slug)

    natural_key.dependencies = ["sections.section"]

    def get_absolute_url(self):
        return reverse(
            "sections:slide",
            kwargs={"module_slug": self.section.module.slug, "number": self.section.number, "position": self.position},
        )


class ResourceQuerySet(models.QuerySet):
    def get_by_natural_key(self, module_slug, section_number, slide_slug, url):
        return self.get(
            slide__section__module__slug=module_slug,
            slide__section__number=section_number,
            slide__slug=slide_slug,
            url=url,
        )


class Resource(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("Artikel")
        VIDEO = "video", _("Video")
        WEBSITE = "website", _("Website")
        FUNDING_CALL = "funding_call", _("Subsidieoproep")
        BOOK = "book", _("Boek")

    slide = models.ForeignKey(Slide, on_delete=models.CASCADE, related_name="resources", verbose_name=_("slide"))
    position = models.PositiveSmallIntegerField(_("positie"), default=1)
    url = models.URLField(_("adres"), max_length=1000)
    title = models.CharField(_("titel"), max_length=300)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.ARTICLE)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("externe bron")
        verbose_name_plural = _("externe bronnen")
        ordering = ["slide", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slide", "url"], name="resource_unique_url_per_slide"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (*self.slide.natural_key(), self.url)

    natural_key.dependencies = ["sections.slide"]

    @property
    def host(self) -> str:
        """The site a learner is sent to, as they would recognise it (no ``www.``)."""
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")
