"""Writes to the module's content: slide order, images, link-check results.

Slide positions are unique per section (a database constraint), so a reorder
can never be done by saving slides one by one: swapping 2 and 3 would clash
half-way. ``renumber_slides`` therefore moves the section's slides out of the
way first and then gives them 1..n in the wanted order, in two statements.
"""
from collections.abc import Iterable, Mapping
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F, Max

from .images import check_image, without_camera_metadata
from .models import Resource, Section, Slide, SlideImage

#: Positions a trainer can give: a section never has this many slides.
MAX_POSITION = 999
#: Saved slides wait at PARKING + i until ``renumber_slides`` gives them their place.
PARKING = 3000


@transaction.atomic
def renumber_slides(*, section: Section | int, requested: Mapping[int, int | None] | None = None) -> list[Slide]:
    """Give the section's slides positions 1..n, without gaps, honouring ``requested``.

    ``requested`` maps slide ids to the position a trainer typed (None: at the
    end). Each such slide is taken out and put in at that place, as "move to
    3" means in any list; the others keep their order around them. Two slides
    asking for the same place get it in their old order. Returns the slides in
    their new order.
    """
    section_id = section.pk if isinstance(section, Section) else section
    requested = dict(requested or {})
    slides = list(
        Slide.objects.select_for_update().filter(section_id=section_id).order_by("position", "id").only("id", "position")
    )
    ordered = [slide for slide in slides if slide.pk not in requested]
    moving = sorted(
        (slide for slide in slides if slide.pk in requested),
        key=lambda slide: (requested[slide.pk] is None, requested[slide.pk] or 0, slide.position, slide.pk),
    )
    previous_wanted, previous_index = None, None
    for slide in moving:
        wanted = requested[slide.pk]
        if wanted is None:
            ordered.append(slide)
            continue
        index = previous_index + 1 if wanted == previous_wanted else min(max(wanted, 1) - 1, len(ordered))
        ordered.insert(index, slide)
        previous_wanted, previous_index = wanted, index
    if any(slide.position != i for i, slide in enumerate(ordered, 1)):
        _lift(section_ids=[section_id])
        for i, slide in enumerate(ordered, 1):
            slide.position = i
        Slide.objects.bulk_update(ordered, ["position"])
    return ordered


def _lift(*, section_ids) -> None:
    """Move the sections' slides above every position in use, keeping their order.

    Adding more than the highest position means no row ever lands on a number
    another row still holds, even where the database checks uniqueness row by row.
    """
    highest = Slide.objects.filter(section_id__in=section_ids).aggregate(highest=Max("position"))["highest"]
    if highest:
        Slide.objects.filter(section_id__in=section_ids).update(position=F("position") + highest)


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
    renumber_slides(section=slide.section_id, requested={slide.pk: position})
    if moved_section:
        renumber_slides(section=previous_section_id)
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
    renumber_slides(section=section, requested=requested)


@transaction.atomic
def delete_slides(*, slides: Iterable[Slide]) -> None:
    """Delete slides and close the gaps they leave."""
    section_ids = set()
    for slide in slides:
        section_ids.add(slide.section_id)
        slide.delete()
    for section_id in section_ids:
        renumber_slides(section=section_id)


@contextmanager
def slides_parked(*, section_ids: Iterable[int]):
    """Lift the sections' slides out of 1..n while something writes old positions back; renumber after.

    Restoring an earlier version writes the position a slide had then, which
    another slide may hold now. Inside this block no slide holds a low number,
    so nothing clashes; afterwards every section is 1..n again, in the order
    the positions then give (an unchanged order if the restore was rolled back).
    Use inside a transaction.
    """
    section_ids = {i for i in section_ids if i}
    _lift(section_ids=section_ids)
    try:
        yield
    finally:
        for section_id in sorted(section_ids):
            renumber_slides(section=section_id)


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
