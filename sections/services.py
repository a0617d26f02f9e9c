"""Writes to the module's content: slide order, images, link-check results.

Slide positions are unique per section (a database constraint), so a reorder
can never be done by saving slides one by one: swapping 2 and 3 would clash
half-way. The rule (1..n, a typed place honoured, the others shifting around it)
lives in ``courses.ordering``; these services park a saved slide out of the way
and let ``ordering.renumber`` give the section its numbers.
"""
from collections.abc import Iterable, Mapping

from django.db import transaction

from courses import ordering

from .images import check_image, without_camera_metadata
from .models import Resource, Section, Slide, SlideImage

#: Positions a trainer can give: a section never has this many slides.
MAX_POSITION = ordering.MAX_POSITION
#: Saved slides wait at PARKING + i until ``ordering.renumber`` gives them their place.
PARKING = 3000


def section_slides(section: Section | int):
    """All slides of one section, drafts included: what ``ordering.renumber`` numbers."""
    return Slide.objects.filter(section_id=section.pk if isinstance(section, Section) else section)


@transaction.atomic
def save_slide(*, slide: Slide, position: int | None, previous_section_id: int | None = None) -> Slide:
    """Save a slide edited on its own page and put it at ``position``.

    ``position`` None keeps an existing slide where it is and puts a new one
    (or one moved to another section) last.
    """
    moved_section = previous_section_id is not None and previous_section_id != slide.section_id
    if slide.pk and not moved_section:
        current = Slide.objects.filter(pk=slide.pk).values_list("position", flat=True).first()
        if position is None or position == current:
            slide.position = current
            slide.save()
            return slide
    slide.position = PARKING
    slide.save()
    ordering.renumber(section_slides(slide.section_id), requested={slide.pk: position})
    if moved_section:
        ordering.renumber(section_slides(previous_section_id))
    slide.refresh_from_db(fields=["position"])
    return slide


@transaction.atomic
def save_section_slides(
    *,
    section: Section,
    placed: Iterable[tuple[Slide, int | None]] = (),
    changed: Iterable[Slide] = (),
    deleted: Iterable[Slide] = (),
) -> None:
    """Save the slides edited in a section's list and renumber the section once.

    ``placed``: new slides and slides given another position, with the position
    typed (None: last). ``changed``: slides edited otherwise, which keep theirs.
    """
    for slide in deleted:
        if slide.pk:
            slide.delete()
    requested = {}
    for i, (slide, position) in enumerate(placed):
        slide.section = section
        slide.position = PARKING + i
        slide.save()
        requested[slide.pk] = position
    for slide in changed:
        slide.save()
    ordering.renumber(section_slides(section), requested=requested)


@transaction.atomic
def delete_slides(*, slides: Iterable[Slide]) -> None:
    """Delete slides and close the gaps they leave."""
    section_ids = set()
    for slide in slides:
        section_ids.add(slide.section_id)
        slide.delete()
    for section_id in sorted(section_ids):
        ordering.renumber(section_slides(section_id))


@transaction.atomic
def create_slide_image(*, upload, alt_text: str = "", user=None) -> SlideImage:
    """Store an uploaded image under a server-made name, after checking its content."""
    checked = check_image(upload)
    upload, checked = without_camera_metadata(upload, checked)
    image = SlideImage(
        format=checked.format,
        width=checked.width,
        height=checked.height,
        size=checked.size,
        alt_text=alt_text.strip(),
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    upload.seek(0)
    image.file.save("upload", upload, save=False)  # the name comes from upload_to: uuid + verified format
    image.save()
    return image


@transaction.atomic
def record_link_results(*, results: Mapping[str, "LinkResult"]) -> int:  # noqa: F821 (sections.linkcheck)
    """Write check results onto every resource with a checked address; returns how many were updated."""
    resources = list(Resource.objects.filter(url__in=list(results)))
    for resource in resources:
        result = results[resource.url]
        resource.health = result.health
        resource.status_code = result.status_code
        resource.final_url = result.final_url[:2000]
        resource.checked_at = result.checked_at
        resource.check_detail = result.detail[:200]
    Resource.objects.bulk_update(
        resources, ["health", "status_code", "final_url", "checked_at", "check_detail"], batch_size=200
    )
    return len(resources)


def queue_link_check(*, resource_ids: Iterable[int] | None = None) -> None:
    """Check these resources' links (all of them with None) in the background, after the commit:
    a trainer never waits for other sites to answer. Without a broker it runs right after the
    commit in this process."""
    from .tasks import check_all_links, check_resource_links

    ids = None if resource_ids is None else sorted(set(resource_ids))
    if ids == []:
        return
    transaction.on_commit(lambda: check_all_links.delay() if ids is None else check_resource_links.delay(ids))
