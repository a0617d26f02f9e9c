"""Reads for the module pages. Each function owns its queries, so every page
does a fixed number of them whatever the module's size."""
import math
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404

from sections.models import Resource, Section, Slide

from .models import Module

WORDS_PER_MINUTE = 200


def module_get(*, slug: str) -> Module:
    try:
        return Module.objects.get(slug=slug)
    except Module.DoesNotExist:
        raise Http404("No such module.") from None


def module_default() -> Module | None:
    """The module the home page shows: the first of the programme on this site."""
    return Module.objects.order_by("number").first()


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
