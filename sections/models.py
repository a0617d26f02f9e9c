"""The module's content: sections, their slides in deck order, and each slide's links.

``position`` is the trainer's order of all slides of a section, drafts
included (1..n, kept without gaps or clashes by ``courses.ordering``).
Learners see only published slides, numbered 1..n again: that number,
``learner_position``, is what their URLs carry (``/sectie/1/slide/7/``). An
unpublished slide in the middle therefore has no learner URL (staff preview it
at ``/sectie/1/concept/<slug>/``) and the slides after it keep consecutive
numbers; publishing it shifts the later slides' URLs by one, exactly as
inserting a slide there would. Slugs are the stable identity used by fixtures
and export, so that reordering never makes an import update the wrong slide.
"""
import uuid
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from courses import ordering


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

    def published(self):
        return self.filter(is_published=True)

    def numbered(self):
        """Annotate ``learner_position``: 1..n per section over the rows this queryset selects.

        Filter first (by module, section, published), number last: the window
        counts only the rows left, so a filter on a single slide would make it 1.
        """
        return self.annotate(
            learner_position=Window(RowNumber(), partition_by=[F("section_id")], order_by=[F("position").asc()])
        )

    def for_learners(self):
        """Published slides, numbered as learners see them (no gaps where drafts are)."""
        return self.published().numbered()


def learner_number_of(slide_path: str) -> Subquery:
    """The number learners see for the slide at ``slide_path`` of another model's rows (e.g. ``"slide"``).

    For annotating rows that point at a slide (slide views, quiz questions): its rank among the
    published slides of its section, as one correlated subquery instead of a query per row.
    """
    return Subquery(
        Slide.objects.filter(
            section_id=OuterRef(f"{slide_path}__section_id"),
            is_published=True,
            position__lte=OuterRef(f"{slide_path}__position"),
        )
        .order_by()
        .values("section_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


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
    is_published = models.BooleanField(
        _("gepubliceerd"),
        default=True,
        help_text=_(
            "Zet uit om een slide als concept voor te bereiden: cursisten zien hem dan niet en de nummering "
            "van de andere slides sluit aan. Met ‘Bekijk op de site’ zie je hem zoals cursisten hem zullen zien."
        ),
    )

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

    @cached_property
    def learner_position(self) -> int | None:
        """The number learners see and their URL carries; None for a draft.

        Selectors set it for free (``SlideQuerySet.numbered``); asked on a slide
        loaded otherwise, it costs one count query.
        """
        if not self.is_published:
            return None
        return Slide.objects.published().filter(section_id=self.section_id, position__lte=self.position).count()

    def get_absolute_url(self):
        """The learner's page of a published slide; the staff preview of a draft."""
        if not self.is_published:
            return reverse(
                "sections:slide_preview",
                kwargs={"module_slug": self.section.module.slug, "number": self.section.number, "slug": self.slug},
            )
        return reverse(
            "sections:slide",
            kwargs={
                "module_slug": self.section.module.slug,
                "number": self.section.number,
                "position": self.learner_position,
            },
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
    class Health(models.TextChoices):
        UNCHECKED = "unchecked", _("nog niet gecontroleerd")
        OK = "ok", _("werkt")
        REDIRECTED = "redirected", _("doorverwezen")
        BROKEN = "broken", _("kapot")
        UNREACHABLE = "unreachable", _("onbereikbaar")

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
    # Written by `manage.py check_links` only; trainers read them in the admin, learners see the date.
    health = models.CharField(
        _("status van de link"), max_length=12, choices=Health.choices, default=Health.UNCHECKED, editable=False
    )
    status_code = models.PositiveSmallIntegerField(_("HTTP-statuscode"), null=True, blank=True, editable=False)
    final_url = models.URLField(_("eindadres"), max_length=2000, blank=True, editable=False)
    checked_at = models.DateTimeField(_("laatst gecontroleerd"), null=True, blank=True, editable=False)
    check_detail = models.CharField(_("toelichting bij de controle"), max_length=200, blank=True, editable=False)

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

    @property
    def is_dead(self) -> bool:
        """The last check found no page: learners get a note and the archived copy.

        A site that refused the check (401/403/429: unreachable with a status
        code) may well work for a person, so it gets no warning.
        """
        if self.health == self.Health.BROKEN:
            return True
        return self.health == self.Health.UNREACHABLE and self.status_code is None

    @property
    def archive_url(self) -> str:
        """The Wayback Machine's most recent copy of the page (it picks the snapshot)."""
        return f"https://web.archive.org/web/{urldefrag(self.url).url}"


def _slide_image_path(instance, filename):
    # The uploader's file name is never used: the name is ours, the extension the verified format's.
    return f"slide-images/{instance.uuid.hex}.{instance.extension}"


class SlideImageQuerySet(models.QuerySet):
    def get_by_natural_key(self, uuid_):
        return self.get(uuid=uuid_)


class SlideImage(models.Model):
    """An image a trainer uploaded for slide texts, checked by content (see ``sections.images``)."""

    class Format(models.TextChoices):
        PNG = "PNG", "PNG"
        JPEG = "JPEG", "JPEG"
        GIF = "GIF", "GIF"
        WEBP = "WEBP", "WebP"

    CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
    EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}

    uuid = models.UUIDField(_("kenmerk"), default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("bestand"), upload_to=_slide_image_path, max_length=200, editable=False)
    format = models.CharField(_("formaat"), max_length=4, choices=Format.choices, editable=False)
    width = models.PositiveIntegerField(_("breedte (px)"), editable=False)
    height = models.PositiveIntegerField(_("hoogte (px)"), editable=False)
    size = models.PositiveIntegerField(_("grootte (bytes)"), editable=False)
    alt_text = models.CharField(
        _("beschrijving (alt-tekst)"),
        max_length=300,
        blank=True,
        help_text=_(
            "Wat staat er op de afbeelding, voor wie haar niet kan zien? Bijvoorbeeld: ‘Vijf ondernemers "
            "overleggen rond een tafel vol post-its’."
        ),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geüpload door"),
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("geüpload op"), auto_now_add=True)

    objects = SlideImageQuerySet.as_manager()

    class Meta:
        verbose_name = _("afbeelding")
        verbose_name_plural = _("afbeeldingen")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(width__gte=1, height__gte=1), name="slideimage_has_pixels"),
            models.CheckConstraint(
                condition=models.Q(format__in=["PNG", "JPEG", "GIF", "WEBP"]), name="slideimage_known_format"
            ),
        ]

    def __str__(self):
        return self.alt_text or f"{self.uuid.hex[:8]}.{self.extension}"

    def natural_key(self):
        return (str(self.uuid),)

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.format]

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.format]

    @property
    def filename(self) -> str:
        return f"{self.uuid.hex}.{self.extension}"

    def get_absolute_url(self):
        return reverse("sections:image", kwargs={"name": self.filename})

    def markdown(self) -> str:
        """The code a trainer pastes into a slide text."""
        return f"![{self.alt_text}]({self.get_absolute_url()})"


# Positions 1..n per parent, one rule for every write that moves them (courses.ordering).
ordering.register(Slide, group_by="section_id")
