"""Moving a module between sites: one portable file out, the same content in.

The file is a zip:

- ``manifest.json``: format name and version, the module's slug, what it holds;
- ``content.json``: the module, its sections, slides, resources, quizzes,
  questions and choices and the images its texts use, in Django's JSON
  serialisation with natural keys only (no database ids), so it means the same
  on any site;
- ``images/<uuid>.<ext>``: the image files, under the names the texts use.

Importing creates what is missing and updates what exists, found by natural
key, so importing twice changes nothing the second time. What the file does not
hold is never deleted where learners may have recorded something: a slide
missing from the file is unpublished (its readers' progress stays), questions
and choices missing from it are left alone and reported; only a missing
resource (a link) is removed. Site-specific data never travels: link-check
results, who uploaded an image, learners' progress and attempts.
"""
import io
import json
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import reversion
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from courses import ordering
from courses.models import Module
from progress import services as progress_services
from quizzes.models import Choice, Question, Quiz
from sections.images import check_image
from sections.models import Resource, Section, Slide, SlideImage

FORMAT = "duurzaam-samenwerken/module"
VERSION = 1
MAX_CONTENT_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_FILES = 2000
IMAGE_ADDRESS = re.compile(r"/afbeeldingen/([0-9a-f]{32})\.(png|jpg|gif|webp)\b")

#: What each model contributes to the file: the fields that are content, not site state.
FIELDS = {
    Module: ["slug", "number", "title", "programme", "introduction", "language"],
    Section: ["module", "number", "title", "introduction"],
    Slide: ["section", "slug", "position", "kind", "title", "body", "attribution", "is_published"],
    Resource: ["slide", "position", "url", "title", "kind"],
    SlideImage: ["uuid", "file", "format", "width", "height", "size", "alt_text"],
    Quiz: ["section", "introduction", "pass_mark", "max_attempts", "shuffle"],
    Question: ["quiz", "slug", "position", "kind", "text", "slides"],
    Choice: ["question", "position", "text", "is_correct", "feedback"],
}
ALLOWED_MODELS = {m._meta.label_lower: m for m in FIELDS}


class PortabilityError(Exception):
    """A file that cannot be imported; the message says why, in Dutch."""


@dataclass
class ImportReport:
    module: Module | None = None
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unpublished: list[str] = field(default_factory=list)
    removed_resources: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)


# --- export ------------------------------------------------------------------------


def module_content(module: Module) -> list[tuple[type, list]]:
    """The module's content, model by model, in an order that imports cleanly."""
    sections = list(module.sections.order_by("number"))
    slides = list(Slide.objects.filter(section__module=module).select_related("section__module").in_module_order())
    resources = list(
        Resource.objects.filter(slide__section__module=module)
        .select_related("slide__section__module")
        .order_by("slide__section__number", "slide__position", "position", "url")
    )
    texts = [module.introduction] + [s.introduction for s in sections] + [s.body for s in slides]
    quizzes = list(Quiz.objects.filter(section__module=module).select_related("section__module")
                   .order_by("section__number"))
    questions = list(Question.objects.filter(quiz__section__module=module)
                     .select_related("quiz__section__module").prefetch_related("slides__section__module")
                     .order_by("quiz__section__number", "position"))
    choices = list(Choice.objects.filter(question__quiz__section__module=module)
                   .select_related("question__quiz__section__module")
                   .order_by("question__quiz__section__number", "question__position", "position"))
    texts += [q.introduction for q in quizzes] + [q.text for q in questions]
    uuids = sorted({match.group(1) for text in texts for match in IMAGE_ADDRESS.finditer(text or "")})
    images = list(SlideImage.objects.filter(uuid__in=uuids).order_by("uuid"))
    return [
        (Module, [module]), (Section, sections), (Slide, slides), (Resource, resources), (SlideImage, images),
        (Quiz, quizzes), (Question, questions), (Choice, choices),
    ]


def serialize_content(module: Module) -> tuple[str, list[SlideImage]]:
    rows, images = [], []
    for model, objects in module_content(module):
        rows += serializers.serialize(
            "python", objects, fields=FIELDS[model], use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        if model is SlideImage:
            images = objects
    for row in rows:
        row.pop("pk", None)
        if row["model"] == "sections.slideimage":
            row["fields"]["uuid"] = str(row["fields"]["uuid"])
    return json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True), images


def export_module(*, module: Module, destination) -> dict:
    """Write ``module`` to ``destination`` (a path or binary file); returns what the manifest says."""
    content, images = serialize_content(module)
    counts = defaultdict(int)
    for row in json.loads(content):
        counts[row["model"]] += 1
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "module": module.slug,
        "title": module.title,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "counts": dict(sorted(counts.items())),
    }
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        archive.writestr("content.json", content)
        for image in images:
            with image.file.open("rb") as handle:
                archive.writestr(f"images/{image.filename}", handle.read())
    return manifest


# --- import ------------------------------------------------------------------------


def _read(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise PortabilityError(f"Het bestand mist {name}: is het wel een export van een module?") from None
    if info.file_size > limit:
        raise PortabilityError(f"{name} is te groot ({info.file_size} bytes).")
    return archive.read(info)


def _open(source) -> tuple[dict, list[dict], zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise PortabilityError("Dit is geen exportbestand van een module (geen zip-bestand).") from None
    if len(archive.infolist()) > MAX_FILES:
        raise PortabilityError("Het bestand bevat te veel onderdelen.")
    try:
        manifest = json.loads(_read(archive, "manifest.json", 100_000))
        rows = json.loads(_read(archive, "content.json", MAX_CONTENT_BYTES))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PortabilityError("De inhoud van het bestand is beschadigd (geen geldige JSON).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PortabilityError("Dit is geen exportbestand van een module (onbekend formaat).")
    if manifest.get("version") != VERSION:
        raise PortabilityError(f"Versie {manifest.get('version')!r} van het exportformaat kan deze site niet lezen.")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise PortabilityError("De inhoud van het bestand is beschadigd.")
    return manifest, rows, archive


def _check_rows(rows: list[dict], slug: str) -> None:
    """Only content of this one module: never users, groups or another module's rows."""
    for row in rows:
        label = row.get("model")
        if label not in ALLOWED_MODELS:
            raise PortabilityError(f"Het bestand bevat iets wat geen module-inhoud is ({label!r}).")
        if "pk" in row:
            raise PortabilityError("Het bestand bevat database-nummers; alleen natuurlijke sleutels zijn toegestaan.")
        fields = row.get("fields")
        if not isinstance(fields, dict):
            raise PortabilityError("De inhoud van het bestand is beschadigd.")
        if label == "courses.module" and fields.get("slug") != slug:
            raise PortabilityError("Het bestand bevat een andere module dan het zegt.")
        for name, value in fields.items():
            if isinstance(value, list) and name in {"module", "section", "slide", "quiz", "question"}:
                if not value or value[0] != slug:
                    raise PortabilityError("Het bestand verwijst naar een andere module dan het zegt.")
            if name == "slides" and label == "quizzes.question":
                if not isinstance(value, list) or any(not isinstance(v, list) or not v or v[0] != slug for v in value):
                    raise PortabilityError("Het bestand verwijst naar een andere module dan het zegt.")


#: Fields that belong to this site, not to the content: an import keeps them (or starts them fresh).
SITE_STATE = {
    Resource: ["health", "status_code", "final_url", "checked_at", "check_detail"],
    SlideImage: ["uploaded_by_id", "uploaded_at"],
}


def _keep_site_state(obj, existing) -> None:
    names = SITE_STATE.get(type(obj), [])
    if existing is not None:
        for name in names:
            setattr(obj, name, getattr(existing, name))
    elif isinstance(obj, SlideImage):
        obj.uploaded_at = timezone.now()  # a raw save does not fill auto_now_add


def _save_image(obj: SlideImage, archive: zipfile.ZipFile) -> None:
    name = PurePosixPath(obj.file.name or "").name
    expected = f"{obj.uuid.hex}.{SlideImage.EXTENSIONS.get(obj.format, '')}"
    if name != expected:
        raise PortabilityError(f"Afbeelding {obj.uuid}: bestandsnaam past niet bij het kenmerk.")
    data = _read(archive, f"images/{name}", MAX_IMAGE_BYTES)
    upload = ContentFile(data, name=name)
    try:
        checked = check_image(upload)
    except ValidationError as error:
        raise PortabilityError(f"Afbeelding {name}: {' '.join(error.messages)}") from None
    if checked.format != obj.format:
        raise PortabilityError(f"Afbeelding {name}: de inhoud is {checked.format}, niet {obj.format}.")
    obj.width, obj.height, obj.size = checked.width, checked.height, checked.size
    path = f"slide-images/{name}"
    if not default_storage.exists(path):
        default_storage.save(path, upload)
    obj.file.name = path


def import_module(*, source, dry_run: bool = False) -> ImportReport:
    """Load a module export; all or nothing (a bad file changes nothing)."""
    manifest, rows, archive = _open(source)
    slug = manifest.get("module")
    if not isinstance(slug, str) or not slug:
        raise PortabilityError("Het bestand zegt niet welke module het bevat.")
    _check_rows(rows, slug)
    report = ImportReport()
    try:
        # A slide left out of the file is unpublished, a new one may be published: the learners'
        # progress rows are recounted after the commit if the module's shape changed (not on a dry run).
        with transaction.atomic(), progress_services.recount_when_reshaped(), reversion.create_revision():
            reversion.set_comment(f"Geïmporteerd: {manifest.get('title') or slug}")
            _load(rows, slug, archive, report)
            if dry_run:
                transaction.set_rollback(True)
    except DeserializationError as error:
        raise PortabilityError(f"Het bestand past niet bij deze site: {error}") from None
    except ValidationError as error:
        raise PortabilityError(f"Ongeldige inhoud: {'; '.join(error.messages)}") from None
    except DatabaseError as error:
        raise PortabilityError(f"De inhoud botst met deze site ({error}); er is niets veranderd.") from None
    finally:
        archive.close()
    return report


def _load(rows: list[dict], slug: str, archive: zipfile.ZipFile, report: ImportReport) -> None:
    # Positions from the file may be held by other slides or questions right now: park them, so each
    # row of the file goes to the place the file gives it and rows the file lacks keep their order
    # around them (the rule of courses.ordering, the same as for a restore). Choices are not parked:
    # their position is their natural key, so a choice of the file always updates the one at its place.
    with (
        ordering.parked(Slide.objects.filter(section__module__slug=slug), group_by="section_id",
                        reserve=_highest_position(rows, "sections.slide")),
        ordering.parked(Question.objects.filter(quiz__section__module__slug=slug), group_by="quiz_id",
                        reserve=_highest_position(rows, "quizzes.question")),
    ):
        seen = _save_rows(rows, archive, report)

    module = Module.objects.get(slug=slug)
    report.module = module
    for slide in Slide.objects.filter(section__module=module).exclude(pk__in=seen[Slide]).select_related("section"):
        if slide.is_published:
            slide.is_published = False
            slide.save(update_fields=["is_published"])
        report.unpublished.append(f"{slide.section.number}. {slide.title}")
    stale = Resource.objects.filter(slide_id__in=seen[Slide]).exclude(pk__in=seen[Resource])
    report.removed_resources = list(stale.values_list("url", flat=True))
    stale.delete()
    for question in Question.objects.filter(quiz__section__module=module).exclude(pk__in=seen[Question]):
        report.left_alone.append(f"vraag {question.slug}")
    for choice in Choice.objects.filter(question__quiz__section__module=module).exclude(pk__in=seen[Choice]):
        report.left_alone.append(f"antwoord {choice.position} bij vraag {choice.question.slug}")


def _highest_position(rows: list[dict], label: str) -> int:
    positions = [row["fields"].get("position") for row in rows if row.get("model") == label]
    return max((p for p in positions if isinstance(p, int)), default=0)


def _save_rows(rows: list[dict], archive: zipfile.ZipFile, report: ImportReport) -> dict[type, set]:
    seen = defaultdict(set)
    for deserialized in serializers.deserialize("json", json.dumps(rows)):
        obj = deserialized.object
        model = type(obj)
        existing = model._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
        _keep_site_state(obj, existing)
        if model is SlideImage:
            _save_image(obj, archive)
        obj.full_clean(validate_unique=False, validate_constraints=False)
        deserialized.save()
        seen[model].add(obj.pk)
        (report.updated if existing else report.created)[str(model._meta.verbose_name_plural)] += 1
    return seen


def export_bytes(module: Module) -> bytes:
    buffer = io.BytesIO()
    export_module(module=module, destination=buffer)
    return buffer.getvalue()
