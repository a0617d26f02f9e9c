"""Reads for the section page and the slide viewer.

The viewer needs, besides the slide itself, the outline of the whole module:
the table of contents, "slide 7 van 19", the progress bar and previous/next
across section boundaries all come from one query over the module's slides.
"""
import dataclasses
import math
from dataclasses import dataclass

from django.db import models
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import get_language

from courses import page_cache
from courses.content_version import Version
from courses.models import Module
from courses.selectors import module_get

from . import toc
from .models import Resource, Section, Slide

WORDS_PER_MINUTE = 200


def section_get(*, module: Module, number: int) -> Section:
    try:
        section = Section.objects.select_related("quiz").get(module=module, number=number)
    except Section.DoesNotExist:
        raise Http404("No such section.") from None
    section.module = module
    return section


def module_outline(*, module: Module, draft: Slide | None = None) -> list[Slide]:
    """Every published slide of the module in reading order, numbered as learners see them (1 query, no bodies).

    ``draft``: an unpublished slide to show in its place, for the staff preview;
    the published slides keep their real numbers (and so their working URLs).
    """
    outline = list(
        Slide.objects.filter(section__module=module)
        .for_learners()
        .select_related("section")
        .order_by("section__number", "position")
        .only("id", "slug", "position", "title", "kind", "is_published", "section__id", "section__number",
              "section__title", "section__module_id")
    )
    if draft is not None:
        outline.append(draft)
        outline.sort(key=lambda s: (s.section.number, s.position))
    return outline


@dataclass(frozen=True)
class SlidePlace:
    """Where a slide stands in the module: what the viewer's navigation needs."""

    slide: Slide
    section_slides: list[Slide]  # empty in a cached place: its table of contents is in ``toc`` instead
    index_in_section: int  # 1-based
    index_in_module: int  # 1-based
    module_total: int
    previous: Slide | None
    next: Slide | None
    section_total: int = 0
    toc: str = ""  # the rendered table of contents with tick slots (sections.toc), in a cached place

    @property
    def percent(self) -> int:
        return round(100 * self.index_in_module / self.module_total) if self.module_total else 0


def slide_place(*, module: Module, number: int, position: int) -> SlidePlace:
    """The slide at ``/sectie/<number>/slide/<position>/`` with its place in the module (3 queries).

    ``position`` is the learner's number: the rank among published slides.
    """
    outline = module_outline(module=module)
    index = next(
        (i for i, s in enumerate(outline) if s.section.number == number and s.learner_position == position),
        None,
    )
    if index is None:
        raise Http404("No such slide.")
    return _place(module=module, outline=outline, index=index)


def draft_place(*, module: Module, number: int, slug: str) -> SlidePlace:
    """An unpublished slide, placed among the published ones as learners will see it (4 queries)."""
    draft = (
        Slide.objects.filter(section__module=module, section__number=number, slug=slug, is_published=False)
        .select_related("section")
        .first()
    )
    if draft is None:
        raise Http404("No such draft.")
    outline = module_outline(module=module, draft=draft)
    return _place(module=module, outline=outline, index=outline.index(draft))


def _place(*, module: Module, outline: list[Slide], index: int) -> SlidePlace:
    slide = (
        Slide.objects.select_related("section", "section__quiz")  # the quiz: offered at the section's end
        .prefetch_related(Prefetch("resources", queryset=Resource.objects.order_by("position", "id")))
        .get(pk=outline[index].pk)
    )
    slide.learner_position = outline[index].learner_position
    slide.section.module = module
    for s in outline:
        s.section.module = module
    section_slides = [s for s in outline if s.section_id == slide.section_id]
    return SlidePlace(
        slide=slide,
        section_slides=section_slides,
        index_in_section=next(i for i, s in enumerate(section_slides, 1) if s.pk == slide.pk),
        index_in_module=index + 1,
        module_total=len(outline),
        previous=outline[index - 1] if index > 0 else None,
        next=outline[index + 1] if index + 1 < len(outline) else None,
        section_total=len(section_slides),
    )


def slide_place_cached(*, version: Version, module_slug: str, number: int, position: int) -> SlidePlace:
    """``slide_place`` kept per content version and language: no query on a hit, 4 on a miss.

    What is kept is small whatever the module's size: the slide with its resources, its
    neighbours and the section's table of contents as HTML (with tick slots), not the outline.
    """

    def build():
        module = module_get(slug=module_slug)
        place = slide_place(module=module, number=number, position=position)
        html = toc.toc_html(slides=place.section_slides, current=place.slide, module=module)
        return dataclasses.replace(place, section_slides=[], toc=html)

    return page_cache.fragment(version, "slide-place", get_language(), module_slug, number, position, build=build)


@dataclass(frozen=True)
class ModuleSkeleton:
    """What a learner's progress is counted against: sections (with slide count and quiz) and every
    published slide's place, as plain values (cheap to keep and to read back, also for 480 slides)."""

    module: Module
    sections: list[Section]  # each with ``slide_count`` and ``quiz_pk`` set
    slides: dict[int, tuple[int, int, int, str]]  # slide id → (section id, section number, learner number, title)


def module_skeleton_cached(*, version: Version, module_slug: str) -> ModuleSkeleton:
    """The skeleton of the module, kept per content version (no query on a hit, 3 on a miss)."""

    def build():
        module = module_get(slug=module_slug)
        sections = list(
            module.sections.order_by("number").only("id", "number", "title", "module_id")
            .annotate(quiz_pk=models.F("quiz__id"))
        )
        for section in sections:
            section.module = module
        counts: dict[int, int] = {}
        slides = {}
        for slide in module_outline(module=module):
            counts[slide.section_id] = counts.get(slide.section_id, 0) + 1
            slides[slide.pk] = (slide.section_id, slide.section.number, slide.learner_position, slide.title)
        for section in sections:
            section.slide_count = counts.get(section.pk, 0)
        return ModuleSkeleton(module=module, sections=sections, slides=slides)

    return page_cache.fragment(version, "module-skeleton", module_slug, build=build)


def section_slides(*, section: Section) -> list[Slide]:
    """The section's published slides, numbered as learners see them (1 query)."""
    slides = list(
        section.slides.for_learners()
        .order_by("position")
        .only("id", "slug", "position", "title", "kind", "is_published", "section_id")
    )
    for slide in slides:
        slide.section = section
    return slides


# --- the module page and the hand-out (moved here from courses.selectors: they read sections) ---


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0


@dataclass(frozen=True)
class SectionSummary:
    section: Section
    slide_count: int
    minutes: int
    first_slide: Slide | None


def module_sections_summary(*, module: Module) -> list[SectionSummary]:
    """The module's sections with published slide count and estimated reading time (2 queries)."""
    sections = list(module.sections.order_by("number"))
    slides = Slide.objects.filter(section__module=module).for_learners().order_by("section__number", "position").only(
        "id", "section_id", "position", "title", "body", "kind", "is_published"
    )
    per_section: dict[int, list[Slide]] = {}
    for slide in slides:
        per_section.setdefault(slide.section_id, []).append(slide)
    summaries = []
    for section in sections:
        section.module = module
        section_slides = per_section.get(section.id, [])
        words = sum(len(s.body.split()) + len(s.title.split()) for s in section_slides)
        for slide in section_slides:
            slide.section = section
        summaries.append(
            SectionSummary(
                section=section,
                slide_count=len(section_slides),
                minutes=reading_minutes(words),
                first_slide=section_slides[0] if section_slides else None,
            )
        )
    return summaries


def module_handout(*, module: Module) -> list[Section]:
    """The whole module with its published slides and resources, for the printable hand-out (3 queries)."""
    sections = list(
        module.sections.order_by("number").prefetch_related(
            Prefetch(
                "slides",
                queryset=Slide.objects.for_learners().order_by("position").prefetch_related(
                    Prefetch("resources", queryset=Resource.objects.order_by("position", "id"))
                ),
            )
        )
    )
    for section in sections:
        section.module = module
    return sections
