"""The module overview and the printable hand-out."""
from django.http import HttpResponse
from django.shortcuts import render

from accounts import session_auth
from progress.reader import first_slide_url, shared_context, shared_page, shared_response, signed_in_reader
from progress.selectors import module_progress_from_state, module_progress_or_none
from sections import selectors as section_selectors

from . import selectors
from .page_cache import content_page, request_version

# The home page's module as this process last knew it: (content version key, slug). Only a guess: a
# signed-in request reads the version with the learner's state and checks the guess against it.
_home_module: tuple[str, str] | None = None


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
    """The home page is the overview of the programme's module on this site (the first by number).

    A signed-in learner gets the overview's shared rendering (``_learner_overview``) at the same cost:
    the session and the learner's state (2 queries, 1 once this process has read the session), see
    ``_home_reader``.
    """
    if session_auth.may_be_signed_in(request):
        reader, slug = _home_reader(request)
        if reader is not None:
            response = _learner_overview(request, reader, module_slug=slug)
            if response is not None:
                return response
    return _overview(request, selectors.module_default())


def _home_reader(request):
    """``(reader, slug)`` for the home page's module, or ``(None, …)`` for Django's full path.

    The learner's state is read for the module this process last knew as the home page's. That
    guess holds only if the content version read with the state is the one it was made at; after
    any content write the home page's module is looked up for the new version (1 query, once per
    version) and, if it is another module, its state is read (1 more). So the page is never another
    module's than the content says.
    """
    global _home_module
    known_at, slug = _home_module or ("", "")
    if slug:
        reader = signed_in_reader(request, module_slug=slug)
        if reader is None:  # not a valid session (or anything unusual): Django's path decides
            return None, slug
        version = reader.state.version
    else:
        reader, version = None, request_version(request)
    if version.key != known_at:
        fresh = selectors.module_default_slug_cached(version=version)
        _home_module = (version.key, fresh)
        if fresh != slug:
            slug = fresh
            reader = signed_in_reader(request, module_slug=slug) if slug else None
    return reader, slug


@content_page
def module_detail(request, module_slug):
    reader = signed_in_reader(request, module_slug=module_slug)
    if reader is not None:
        response = _learner_overview(request, reader, module_slug=module_slug)
        if response is not None:
            return response
    return _overview(request, selectors.module_get(slug=module_slug))


def _learner_overview(request, reader, *, module_slug):
    """The overview for a signed-in learner from the shared rendering, their progress put in (no query);
    ``None`` when it needs Django's full path (a certificate to show, a completed module)."""
    if reader.state.has_certificate:
        return None
    skeleton = section_selectors.module_skeleton_cached(version=reader.state.version, module_slug=module_slug)
    progress = module_progress_from_state(skeleton=skeleton, state=reader.state)
    if progress.complete:  # complete: the certificate's part needs more (Django's path)
        return None
    first = first_slide_url(skeleton)
    html = shared_page(
        request, reader, "overview",
        build=lambda nonce: _overview(request, skeleton.module, shared_context(reader, nonce)).content.decode(),
        context={"module": skeleton.module, "progress": progress,
                 "first_slide": {"get_absolute_url": first} if first else None},
    )
    return HttpResponse(html)


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
