"""Reads for the section page and the slide viewer.

The viewer needs, besides the slide itself, the outline of the whole module:
the table of contents, "slide 7 van 19", the progress bar and previous/next
across section boundaries all come from one query over the module's slides.
"""
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404

from courses.models import Module

from .models import Resource, Section, Slide


def section_get(*, module: Module, number: int) -> Section:
    try:
        section = Section.objects.get(module=module, number=number)
    except Section.DoesNotExist:
        raise Http404("No such section.") from None
    section.module = module
    return section


def module_outline(*, module: Module) -> list[Slide]:
    """Every slide of the module in reading order, with its section (1 query, no bodies)."""
    return list(
        Slide.objects.filter(section__module=module)
        .select_related("section")
        .order_by("section__number", "position")
        .only("id", "slug", "position", "title", "kind", "section__id", "section__number", "section__title",
              "section__module_id")
    )


@dataclass(frozen=True)
class SlidePlace:
    """Where a slide stands in the module: what the viewer's navigation needs."""

    slide: Slide
    section_slides: list[Slide]
    index_in_section: int  # 1-based
    index_in_module: int  # 1-based
    module_total: int
    previous: Slide | None
    next: Slide | None

    @property
    def section_total(self) -> int:
        return len(self.section_slides)

    @property
    def percent(self) -> int:
        return round(100 * self.index_in_module / self.module_total) if self.module_total else 0


def slide_place(*, module: Module, number: int, position: int) -> SlidePlace:
    """The slide at ``/sectie/<number>/slide/<position>/`` with its place in the module (3 queries)."""
    outline = module_outline(module=module)
    index = next(
        (i for i, s in enumerate(outline) if s.section.number == number and s.position == position),
        None,
    )
    if index is None:
        raise Http404("No such slide.")
    slide = (
        Slide.objects.select_related("section")
        .prefetch_related(Prefetch("resources", queryset=Resource.objects.order_by("position", "id")))
        .get(pk=outline[index].pk)
    )
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
    )


def section_slides(*, section: Section) -> list[Slide]:
    slides = list(section.slides.order_by("position").only("id", "slug", "position", "title", "kind", "section_id"))
    for slide in slides:
        slide.section = section
    return slides
