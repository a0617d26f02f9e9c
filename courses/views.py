"""The module overview and the printable hand-out."""
from django.shortcuts import render

from progress.selectors import module_progress_or_none
from sections import selectors as section_selectors

from . import selectors
from .page_cache import content_page


def _overview(request, module):
    summaries = section_selectors.module_sections_summary(module=module) if module else []
    first_slide = next((s.first_slide for s in summaries if s.first_slide), None)
    return render(
        request,
        "courses/module_detail.html",
        {
            "module": module,
            "summaries": summaries,
            "first_slide": first_slide,
            "slide_total": sum(s.slide_count for s in summaries),
            "minutes_total": sum(s.minutes for s in summaries),
            "progress": module_progress_or_none(request=request, module=module),
        },
    )


@content_page
def home(request):
    """The home page is the overview of the programme's module on this site."""
    return _overview(request, selectors.module_default())


@content_page
def module_detail(request, module_slug):
    return _overview(request, selectors.module_get(slug=module_slug))


@content_page
def module_handout(request, module_slug):
    module = selectors.module_get(slug=module_slug)
    return render(
        request,
        "courses/handout.html",
        {"module": module, "sections": section_selectors.module_handout(module=module)},
    )
