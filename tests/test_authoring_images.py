"""Images for slides: checked by content, stored under our names, never served as a page."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sections.models import SlideImage

from .admin_forms import form_data

ADD_URL = "/beheer/sections/slideimage/add/"


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def as_trainer(client, trainer, media_root):
    client.force_login(trainer)
    return client


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_each_accepted_format_is_stored_and_served_with_its_own_type(as_trainer, make_image, fmt):
    response = as_trainer.post(ADD_URL, {"upload": upload("foto.bin", make_image(fmt)), "alt_text": "Een groen vlak"})
    assert response.status_code == 302, response.content.decode()[:2000]
    image = SlideImage.objects.get()
    assert image.format == fmt and (image.width, image.height) == (8, 6)
    assert image.file.name == f"slide-images/{image.uuid.hex}.{image.extension}"
    served = as_trainer.get(image.get_absolute_url())
    assert served.status_code == 200
    assert served["Content-Type"] == {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif",
                                      "WEBP": "image/webp"}[fmt]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == image.file.open("rb").read()


def test_a_png_named_jpg_is_accepted_as_the_png_it_is(as_trainer, make_image):
    as_trainer.post(ADD_URL, {"upload": upload("vakantie.jpg", make_image("PNG"), "image/jpeg"), "alt_text": "Strand"})
    image = SlideImage.objects.get()
    assert image.format == "PNG" and image.file.name.endswith(".png")
    assert "vakantie" not in image.file.name
    assert as_trainer.get(image.get_absolute_url())["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plaatje.png", b"<html><script>alert(1)</script></html>", "geen PNG-, JPEG-, GIF- of WebP-afbeelding"),
        ("tekening.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "geen PNG-, JPEG-, GIF- of WebP-afbeelding"),
        ("leeg.png", b"", "leeg"),
    ],
)
def test_files_that_are_not_images_are_refused_with_a_clear_error(as_trainer, name, content, message):
    response = as_trainer.post(ADD_URL, {"upload": upload(name, content), "alt_text": "Iets"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SlideImage.objects.exists()


def test_a_truncated_png_is_refused(as_trainer, make_image):
    data = make_image("PNG", size=(64, 64))
    response = as_trainer.post(ADD_URL, {"upload": upload("half.png", data[: len(data) // 2]), "alt_text": "Half"})
    assert "geen PNG-, JPEG-, GIF- of WebP-afbeelding" in response.content.decode()
    assert not SlideImage.objects.exists()


def test_a_6_mb_file_is_refused(as_trainer, make_image):
    big = make_image("PNG") + b"\0" * (6 * 1024 * 1024)
    response = as_trainer.post(ADD_URL, {"upload": upload("groot.png", big), "alt_text": "Groot"})
    assert "hoogstens 5,0\xa0MB" in response.content.decode()
    assert not SlideImage.objects.exists()


def test_too_many_pixels_is_refused(as_trainer, make_image):
    huge = make_image("PNG", size=(8000, 6000))  # 48 megapixels, a small file
    assert len(huge) < 5 * 1024 * 1024
    response = as_trainer.post(ADD_URL, {"upload": upload("poster.png", huge), "alt_text": "Poster"})
    assert "te groot in pixels" in response.content.decode()
    assert not SlideImage.objects.exists()


def test_a_description_is_required(as_trainer, make_image):
    response = as_trainer.post(ADD_URL, {"upload": upload("foto.png", make_image("PNG")), "alt_text": "  "})
    assert response.status_code == 200
    assert "Dit veld is verplicht" in response.content.decode()
    assert not SlideImage.objects.exists()


def test_the_image_page_gives_the_code_for_a_slide(as_trainer, make_image):
    response = as_trainer.post(
        ADD_URL, {"upload": upload("foto.png", make_image("PNG")), "alt_text": "Twee ondernemers"}, follow=True
    )
    image = SlideImage.objects.get()
    assert f"![Twee ondernemers]({image.get_absolute_url()})" in response.content.decode()


def test_unknown_or_mismatched_image_addresses_give_404(client, as_trainer, make_image):
    as_trainer.post(ADD_URL, {"upload": upload("foto.png", make_image("PNG")), "alt_text": "x"})
    image = SlideImage.objects.get()
    assert client.get(f"/afbeeldingen/{image.uuid.hex}.jpg").status_code == 404
    assert client.get("/afbeeldingen/niet-een-uuid.png").status_code == 404
    assert client.get("/afbeeldingen/0123456789abcdef0123456789abcdef.png").status_code == 404


# --- the editor: drag and drop, live preview ----------------------------------------------------

UPLOAD = "/markdownx/upload/"
PREVIEW = "/markdownx/markdownify/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def test_dropping_an_image_stores_it_and_inserts_markdown_to_describe(as_trainer, make_image):
    response = as_trainer.post(UPLOAD, {"image": upload("drop.png", make_image("PNG"))}, **AJAX)
    assert response.status_code == 200
    image = SlideImage.objects.get()
    assert response.json() == {"image_code": f"![beschrijf hier wat er op de afbeelding staat]({image.get_absolute_url()})"}


def test_dropping_a_bad_file_answers_with_the_reason(as_trainer):
    response = as_trainer.post(UPLOAD, {"image": upload("nep.png", b"<html></html>")}, **AJAX)
    assert response.status_code == 400
    assert "geen PNG-, JPEG-, GIF- of WebP-afbeelding" in response.json()["errors"][0]
    assert not SlideImage.objects.exists()


def test_editor_endpoints_are_for_staff_only(client, django_user_model, make_image, media_root):
    assert client.post(UPLOAD, {"image": upload("x.png", make_image("PNG"))}).status_code == 403
    assert client.post(PREVIEW, {"content": "**x**"}).status_code == 403
    learner = django_user_model.objects.create_user(email="leerling@example.org", password="x-Leerling-1")
    client.force_login(learner)
    assert client.post(UPLOAD, {"image": upload("x.png", make_image("PNG"))}).status_code == 403
    assert client.post(PREVIEW, {"content": "**x**"}).status_code == 403
    assert client.get(PREVIEW).status_code == 405
    assert not SlideImage.objects.exists()


def test_editor_preview_uses_the_sites_sanitiser(as_trainer):
    response = as_trainer.post(PREVIEW, {"content": "**vet** <script>alert(1)</script> [x](javascript:alert(1))"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>vet</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_a_slide_with_an_undescribed_image_is_refused_and_a_described_one_saved(as_trainer, slide_factory,
                                                                                  make_image, client):
    as_trainer.post(UPLOAD, {"image": upload("drop.png", make_image("PNG"))}, **AJAX)
    image = SlideImage.objects.get()
    slide = slide_factory(title="Met beeld")
    url = reverse("admin:sections_slide_change", args=[slide.pk])
    data = form_data(as_trainer.get(url), "slide_form")
    data["body"] = f"Kijk:\n\n![beschrijf hier wat er op de afbeelding staat]({image.get_absolute_url()})"
    refused = as_trainer.post(url, data)
    assert refused.status_code == 200
    assert "Geef elke afbeelding een beschrijving" in refused.content.decode()
    data["body"] = f"Kijk:\n\n![Zonnepanelen op een bedrijfsdak]({image.get_absolute_url()})"
    assert as_trainer.post(url, data).status_code == 302
    html = client.get(slide.get_absolute_url()).content.decode()
    assert f'<img alt="Zonnepanelen op een bedrijfsdak" src="{image.get_absolute_url()}"' in html \
        or f'<img src="{image.get_absolute_url()}" alt="Zonnepanelen op een bedrijfsdak"' in html


def _jpeg_with_gps_and_orientation(size=(8, 6)):
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was held on its side (rotate 90° to show upright)
    exif[0x010F] = "Telefoonmerk"  # camera make
    exif.get_ifd(0x8825)[2] = (52.0, 5.0, 30.0)  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_a_phone_photo_is_stored_upright_without_its_location_or_other_exif(as_trainer):
    from PIL import Image

    original = _jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(original)).getexif()  # the upload really carries EXIF
    response = as_trainer.post(ADD_URL, {"upload": upload("IMG_0001.jpg", original, "image/jpeg"), "alt_text": "Foto"})
    assert response.status_code == 302
    image = SlideImage.objects.get()
    stored = image.file.open("rb").read()
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert (image.width, image.height) == (6, 8)  # turned upright, as the orientation said
    assert image.size == len(stored)
    assert b"Telefoonmerk" not in stored


def test_images_without_exif_are_stored_byte_for_byte(as_trainer, make_image):
    for fmt in ("JPEG", "PNG"):
        content = make_image(fmt)
        as_trainer.post(ADD_URL, {"upload": upload(f"x.{fmt.lower()}", content), "alt_text": "Vlak"})
        assert SlideImage.objects.latest("pk").file.open("rb").read() == content
