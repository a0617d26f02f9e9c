"""The module overview and the printable hand-out."""
from django.http import HttpResponse
from django.shortcuts import render

from progress.reader import first_slide_url, shared_context, shared_page, shared_response, signed_in_reader
from progress.selectors import module_progress_from_state, module_progress_or_none
from sections import selectors as section_selectors

from . import selectors
from .page_cache import content_page


def _overview(request, module, shared=None):
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
            "progress": None if shared else module_progress_or_none(request=request, module=module),
            **(shared or {}),
        },
    )


@content_page
def home(request):
    """The home page is the overview of the programme's module on this site."""
    return _overview(request, selectors.module_default())


@content_page
def module_detail(request, module_slug):
    reader = signed_in_reader(request, module_slug=module_slug)
    if reader is not None and not reader.state.has_certificate:
        skeleton = section_selectors.module_skeleton_cached(version=reader.state.version, module_slug=module_slug)
        progress = module_progress_from_state(skeleton=skeleton, state=reader.state)
        if not progress.complete:  # complete: the certificate's part needs more (Django's path below)
            first = first_slide_url(skeleton)
            html = shared_page(
                request, reader, "overview",
                build=lambda nonce: _overview(request, skeleton.module, shared_context(reader, nonce)).content.decode(),
                context={"module": skeleton.module, "progress": progress,
                         "first_slide": {"get_absolute_url": first} if first else None},
            )
            return HttpResponse(html)
    return _overview(request, selectors.module_get(slug=module_slug))


@content_page
def module_handout(request, module_slug):
    reader = signed_in_reader(request, module_slug=module_slug)
    if reader is not None:
        # Nothing on the hand-out is the learner's own but the menu: one rendering for every learner.
        def build(nonce):
            return _handout(request, module_slug, shared_context(reader, nonce)).content.decode()

        return shared_response(request, reader, "handout", build=build)
    return _handout(request, module_slug, {})


def _handout(request, module_slug, extra):
    module = selectors.module_get(slug=module_slug)
    return render(
        request,
        "courses/handout.html",
        {"module": module, "sections": section_selectors.module_handout(module=module), **extra},
    )
