"""The section page, the slide viewer and its staff preview, uploaded images and the editor's endpoints."""
import uuid

from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from centres.access import remember_centre_staff
from courses import page_cache
from courses.markdown import render_markdown
from courses.page_cache import content_page, request_version
from courses.selectors import module_get
from progress import selectors as progress_selectors
from progress import services as progress_services
from progress.reader import shared_context, shared_page, signed_in_reader

from . import selectors, services, toc
from .forms import ALT_PLACEHOLDER, ImageUploadForm
from .models import SlideImage
from .steps import step_diagram

PREVIEW_MAX_CHARS = 100_000


@content_page
def section_detail(request, module_slug, number):
    reader = signed_in_reader(request, module_slug=module_slug)
    if reader is not None:
        # One rendering for every learner; their progress, ticks and completed sections are put in.
        skeleton = selectors.module_skeleton_cached(version=reader.state.version, module_slug=module_slug)
        progress = progress_selectors.module_progress_from_state(skeleton=skeleton, state=reader.state)
        section = next((s for s in skeleton.sections if s.number == number), None)
        if section is None:
            raise Http404("No such section.")
        html = shared_page(
            request, reader, "section",
            build=lambda nonce: _section_page(request, module_slug, number, None,
                                              {"tick_slots": True, **shared_context(reader, nonce)}).content.decode(),
            context={"module": skeleton.module, "progress": progress, "section": section,
                     "section_progress": progress.for_section(section.pk)},
        )
        return HttpResponse(toc.with_ticks(html, progress.read_slide_ids))
    progress = None
    if request.user.is_authenticated:
        progress = progress_selectors.module_progress(user=request.user, module=module_get(slug=module_slug),
                                                      with_certificate=False)
    return _section_page(request, module_slug, number, progress, {})


def _section_page(request, module_slug, number, progress, extra):
    module = progress.module if progress else module_get(slug=module_slug)
    section = selectors.section_get(module=module, number=number)
    slides = selectors.section_slides(section=section)
    sections = list(module.sections.order_by("number").only("id", "number", "title", "module_id"))
    for s in sections:
        s.module = module
    return render(
        request,
        "sections/section_detail.html",
        {"module": module, "section": section, "slides": slides, "sections": sections, "progress": progress,
         "section_progress": progress.for_section(section.pk) if progress else None, **extra},
    )


@content_page
def slide_detail(request, module_slug, number, position):
    """A slide. From caches keyed by the content version: no query for an anonymous reader on a hit
    (the page is kept whole, courses.page_cache) and, for a signed-in learner, the session, one query
    for the version with their progress and their account's flags, and at most one write (3 in all):
    their page is rendered once for every learner and their own parts are put in (``_learner_slide``)."""
    reader = signed_in_reader(request, module_slug=module_slug)
    if reader is not None:
        return _learner_slide(request, reader, module_slug=module_slug, number=number, position=position)
    state = None
    if request.user.is_authenticated:
        state = progress_selectors.learner_state(user_id=request.user.pk, module_slug=module_slug)
        request.content_version = state.version
        remember_centre_staff(request.user, state.centre_staff)
    version = request_version(request)
    place = selectors.slide_place_cached(version=version, module_slug=module_slug, number=number, position=position)
    module = place.slide.section.module
    progress = None
    if state is not None:
        skeleton = selectors.module_skeleton_cached(version=version, module_slug=module_slug)
        progress = progress_selectors.module_progress_from_state(skeleton=skeleton, state=state)
        # A signed-in learner's reading is recorded (at most one cheap write); anonymous readers pay nothing.
        progress_services.slide_view_record(user=request.user, slide=place.slide, progress=progress)
    section = place.slide.section
    section_progress = progress.for_section(section.pk) if progress else None
    return render(
        request,
        "sections/slide_detail.html",
        {"module": module, "section": section, "slide": place.slide, "place": place, "progress": progress,
         "toc": toc.with_ticks(place.toc, progress.read_slide_ids if progress else None),
         "section_progress": section_progress, "quiz_first": _quiz_is_next(place, section, section_progress),
         # Called by the template only where the slide's cached fragment is rendered anew (a cache miss).
         "diagram": lambda: _diagram(place)},
    )


METER_SLOT = "sections/_slide_meter.html"


def _learner_slide(request, reader, *, module_slug, number, position):
    user, state = reader.user, reader.state
    version = state.version
    place = selectors.slide_place_cached(version=version, module_slug=module_slug, number=number, position=position)
    skeleton = selectors.module_skeleton_cached(version=version, module_slug=module_slug)
    progress = progress_selectors.module_progress_from_state(skeleton=skeleton, state=state)
    progress_services.slide_view_record(user=user, slide=place.slide, progress=progress)
    slide, section, module = place.slide, place.slide.section, place.slide.section.module
    section_progress = progress.for_section(section.pk)
    quiz_first = _quiz_is_next(place, section, section_progress)

    def build(nonce):
        # Nothing of this learner goes in: their parts are slots, the flags are part of the key.
        return render_to_string(
            "sections/slide_detail.html",
            {"module": module, "section": section, "slide": slide, "place": place, "toc": toc.with_slots(place.toc),
             "quiz_first": quiz_first, "diagram": lambda: _diagram(place), **shared_context(reader, nonce)},
            request=request,
        )

    html, nonce = page_cache.learner_page(version, get_language(), request.path, quiz_first, *reader.variant,
                                          build=build)
    context = {"module": module, "section": section, "slide": slide, "place": place, "progress": progress,
               "section_progress": section_progress, "user": user, "learner": user}
    meter = page_cache.rendered_once(
        METER_SLOT, progress.percent, progress.read_count, progress.slide_total, progress.quizzes_passed,
        progress.quiz_total, build=lambda: render_to_string(METER_SLOT, context),
    )
    html = page_cache.splice(html, nonce, context, csrf_token=get_token(request), fills={METER_SLOT: meter})
    return HttpResponse(toc.with_ticks(html, progress.read_slide_ids))


def _diagram(place):
    """The slide's step diagram (issue 9.7), if it has one. A cached place carries no section slides:
    then they are read (1 query), which happens only when the cached fragment is rendered anew."""
    from .steps import SERIES

    if not any(place.slide.slug in s.stage_slugs or place.slide.slug in s.also for s in SERIES):
        return None
    slides = place.section_slides or selectors.section_slides(section=place.slide.section)
    return step_diagram(slide=place.slide, section_slides=slides)


def _quiz_is_next(place, section, section_progress) -> bool:
    """At a section's last slide, the quiz is the main way on until it is passed (issue 9.2)."""
    if place.index_in_section != place.section_total or not getattr(section, "quiz", None):
        return False
    return not (section_progress and section_progress.quiz_passed)


def _may_edit_content(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("sections.view_slide")


def slide_preview(request, module_slug, number, slug):
    """An unpublished slide as learners will see it once published; staff with content rights only.

    Anyone else gets the same 404 as for a slide that does not exist.
    """
    if not _may_edit_content(request.user):
        raise Http404("No such slide.")
    module = module_get(slug=module_slug)
    place = selectors.draft_place(module=module, number=number, slug=slug)
    return render(
        request,
        "sections/slide_detail.html",
        {"module": module, "section": place.slide.section, "slide": place.slide, "place": place, "preview": True,
         "diagram": step_diagram(slide=place.slide, section_slides=place.section_slides)},
    )


def slide_image(request, name):
    """An uploaded image, always with the Content-Type of its verified format and never as a page."""
    stem, _dot, extension = name.partition(".")
    try:
        key = uuid.UUID(hex=stem)
    except ValueError:
        raise Http404("No such image.") from None
    image = SlideImage.objects.filter(uuid=key).first()
    if image is None or extension != image.extension or not image.file:
        raise Http404("No such image.")
    try:
        handle = image.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such image.") from None
    response = FileResponse(handle, content_type=image.content_type)
    response["Content-Disposition"] = f'inline; filename="{image.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # a new image gets a new name
    return response


@require_POST
def markdown_preview(request):
    """The editor's live preview: the site's own renderer and sanitiser, for staff only."""
    if not (request.user.is_active and request.user.is_staff):
        return HttpResponseForbidden()
    content = request.POST.get("content", "")
    if len(content) > PREVIEW_MAX_CHARS:
        return HttpResponseBadRequest()
    return HttpResponse(render_markdown(content))


@require_POST
def markdown_image_upload(request):
    """Drag-and-drop upload from the editor: a checked image, answered as Markdown with a description to fill in."""
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm("sections.add_slideimage")):
        return JsonResponse({"errors": [gettext("Je mag geen afbeeldingen toevoegen.")]}, status=403)
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = form.errors.get("image") or [gettext("Kies een afbeelding.")]
        return JsonResponse({"errors": list(errors)}, status=400)
    image = services.create_slide_image(upload=form.cleaned_data["image"], user=request.user)
    return JsonResponse({"image_code": f"![{ALT_PLACEHOLDER}]({image.get_absolute_url()})"})
