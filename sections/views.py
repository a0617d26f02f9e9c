"""The section page and the slide viewer: thin views over the selectors."""
from django.shortcuts import render

from courses.selectors import module_get

from . import selectors


def section_detail(request, module_slug, number):
    module = module_get(slug=module_slug)
    section = selectors.section_get(module=module, number=number)
    slides = selectors.section_slides(section=section)
    sections = list(module.sections.order_by("number").only("id", "number", "title", "module_id"))
    for s in sections:
        s.module = module
    return render(
        request,
        "sections/section_detail.html",
        {"module": module, "section": section, "slides": slides, "sections": sections},
    )


def slide_detail(request, module_slug, number, position):
    module = module_get(slug=module_slug)
    place = selectors.slide_place(module=module, number=number, position=position)
    return render(
        request,
        "sections/slide_detail.html",
        {"module": module, "section": place.slide.section, "slide": place.slide, "place": place},
    )
