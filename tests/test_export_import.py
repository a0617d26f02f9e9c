"""export_module / import_module: a portable file that round-trips and never duplicates."""
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from courses.models import Module
from quizzes.models import Choice, Question, Quiz
from sections.models import Resource, Section, Slide, SlideImage
from sections.services import create_slide_image
from transfer.portability import export_bytes

SLUG = "samenwerken-voor-duurzaam-succes"


def content_of(data: bytes) -> tuple[list, dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = json.loads(archive.read("content.json"))
        images = {n: archive.read(n) for n in archive.namelist() if n.startswith("images/")}
    return content, images


def wipe_content():
    """An empty site, as far as content goes."""
    Choice.objects.all().delete()
    Question.objects.all().delete()
    Module.objects.all().delete()
    SlideImage.objects.all().delete()


def counts():
    return {m.__name__: m.objects.count() for m in (Module, Section, Slide, Resource, SlideImage, Quiz, Question,
                                                    Choice)}


@pytest.fixture
def full_module(db, media_root, make_image):
    """The real Module 6 with its quizzes, a draft and an image in a slide."""
    call_command("loaddata", "module6", "module6_quizzes", verbosity=0)
    module = Module.objects.get(slug=SLUG)
    image = create_slide_image(upload=SimpleUploadedFile("x.png", make_image("PNG")), alt_text="Een groen vlak")
    slide = Slide.objects.filter(section__module=module).in_module_order().first()
    slide.body += f"\n\n![Een groen vlak]({image.get_absolute_url()})"
    slide.save()
    Slide.objects.filter(section__module=module, section__number=2, position=3).update(is_published=False)
    return module


def test_round_trip_export_import_into_an_empty_site_export_gives_the_same(full_module, tmp_path):
    first = tmp_path / "module6.zip"
    call_command("export_module", SLUG, str(first), stdout=io.StringIO())
    before = counts()
    assert before["Slide"] == 48 and before["Quiz"] == 3 and before["SlideImage"] == 1
    wipe_content()
    assert not Slide.objects.exists()
    out = io.StringIO()
    call_command("import_module", str(first), stdout=out)
    assert counts() == before
    second = tmp_path / "again.zip"
    call_command("export_module", SLUG, str(second), stdout=io.StringIO())
    assert content_of(first.read_bytes()) == content_of(second.read_bytes())
    image = SlideImage.objects.get()
    assert image.file.open("rb").read() == content_of(first.read_bytes())[1][f"images/{image.filename}"]
    assert not Slide.objects.get(section__number=2, position=3).is_published


def test_importing_twice_duplicates_nothing(full_module, tmp_path):
    path = tmp_path / "m.zip"
    path.write_bytes(export_bytes(full_module))
    before = counts()
    call_command("import_module", str(path), stdout=io.StringIO())
    call_command("import_module", str(path), stdout=io.StringIO())
    assert counts() == before


def test_import_updates_in_place_follows_the_files_order_and_keeps_learner_slides(full_module, tmp_path,
                                                                                   django_user_model, slide_views):
    from progress.models import SlideView

    path = tmp_path / "m.zip"
    path.write_bytes(export_bytes(full_module))
    section = full_module.sections.get(number=1)
    # This site has since moved slides around, edited one and added one of its own.
    first, second = section.slides.order_by("position")[:2]
    Slide.objects.filter(pk=first.pk).update(position=999)
    Slide.objects.filter(pk=second.pk).update(position=1, title="Lokaal aangepast")
    Slide.objects.filter(pk=first.pk).update(position=2)
    own = Slide.objects.create(section=section, slug="eigen-slide", position=21, title="Eigen", body="x")
    learner = django_user_model.objects.create_user(email="l@example.org", password="x-Leerling-1")
    slide_views(learner, slides=[own])
    call_command("import_module", str(path), stdout=(out := io.StringIO()))
    assert "nu concept: slide 1. Eigen" in out.getvalue()
    slides = list(section.slides.order_by("position"))
    assert [s.position for s in slides] == list(range(1, 22))
    assert slides[0].pk == first.pk and slides[1].pk == second.pk
    assert slides[1].title != "Lokaal aangepast"
    own.refresh_from_db()
    assert own.position == 21 and not own.is_published
    assert SlideView.objects.filter(slide=own, user=learner).exists()


def test_dry_run_changes_nothing(full_module, tmp_path):
    path = tmp_path / "m.zip"
    path.write_bytes(export_bytes(full_module))
    Slide.objects.filter(section__module=full_module).update(title="Gewijzigd")
    out = io.StringIO()
    call_command("import_module", str(path), dry_run=True, stdout=out)
    assert "Proef" in out.getvalue()
    assert set(Slide.objects.values_list("title", flat=True)) == {"Gewijzigd"}


def rewrite(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {n: source.read(n) for n in source.namelist()}
    change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content in files.items():
            target.writestr(name, content)
    return buffer.getvalue()


def add_user(files):
    content = json.loads(files["content.json"])
    content.append({"model": "accounts.user", "fields": {"email": "x@example.org", "is_superuser": True}})
    files["content.json"] = json.dumps(content)


def html_image(files):
    name = next(n for n in files if n.startswith("images/"))
    files[name] = b"<html><script>alert(1)</script></html>"


def other_module(files):
    content = json.loads(files["content.json"])
    content[5]["fields"]["section"] = ["een-andere-module", 1]
    files["content.json"] = json.dumps(content)


def bad_url(files):
    content = json.loads(files["content.json"])
    resource = next(r for r in content if r["model"] == "sections.resource")
    resource["fields"]["url"] = "javascript:alert(1)"
    files["content.json"] = json.dumps(content)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (add_user, "geen module-inhoud"),
        (html_image, "geen PNG-, JPEG-, GIF- of WebP-afbeelding"),
        (other_module, "andere module"),
        (bad_url, "Ongeldige inhoud"),
        (lambda files: files.pop("manifest.json"), "mist manifest.json"),
        (lambda files: files.update({"content.json": b"{nope"}), "geen geldige JSON"),
    ],
)
def test_a_bad_file_is_refused_and_changes_nothing(full_module, tmp_path, django_user_model, change, message):
    path = tmp_path / "bad.zip"
    path.write_bytes(rewrite(export_bytes(full_module), change))
    Slide.objects.filter(section__module=full_module).update(title="Zoals het was")
    before = counts()
    with pytest.raises(CommandError, match=message):
        call_command("import_module", str(path), stdout=io.StringIO())
    assert counts() == before
    assert set(Slide.objects.values_list("title", flat=True)) == {"Zoals het was"}
    assert not django_user_model.objects.filter(email="x@example.org").exists()


def test_not_a_zip_and_unknown_module(db, tmp_path):
    path = tmp_path / "niet.zip"
    path.write_text("hallo")
    with pytest.raises(CommandError, match="geen zip-bestand"):
        call_command("import_module", str(path))
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("export_module", "bestaat-niet", str(tmp_path / "x.zip"))
