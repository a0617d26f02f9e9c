"""What an uploaded image must be before the site stores it.

The file's name and the browser's Content-Type are the uploader's claims; the
bytes are the truth. Pillow reads the bytes: only PNG, JPEG, GIF and WebP pass,
within a file size and a pixel count that a slide can use and a server can
decode. Everything else gets a Dutch sentence that says what to do instead.
"""
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's names for the formats we accept. MPO is how Pillow names the JPEG
# files many phones and cameras write (a JPEG with a second, preview picture).
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "GIF", "WEBP": "WEBP"}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000


def max_bytes() -> int:
    return getattr(settings, "MARKDOWNX_UPLOAD_MAX_SIZE", DEFAULT_MAX_BYTES)


def max_pixels() -> int:
    return getattr(settings, "IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS)


@dataclass(frozen=True)
class CheckedImage:
    format: str  # one of SlideImage.Format
    width: int
    height: int
    size: int


def check_image(upload) -> CheckedImage:
    """Raise ValidationError unless ``upload`` (a file object with ``size``) is an image we accept."""
    size = upload.size
    if not size:
        raise ValidationError(_("Het bestand is leeg. Kies een afbeelding."), code="empty")
    if size > max_bytes():
        raise ValidationError(
            _("Dit bestand is %(size)s; een afbeelding mag hoogstens %(max)s zijn. Verklein of comprimeer haar eerst.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes())},
            code="too_large",
        )
    not_an_image = ValidationError(
        _("Dit bestand is geen PNG-, JPEG-, GIF- of WebP-afbeelding (of het is beschadigd). Kies een foto of "
          "afbeelding in een van die formaten."),
        code="not_an_image",
    )
    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning becomes an error: we never decode such a file.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                found = image.format
                width, height = image.size
                if found not in ACCEPTED_FORMATS:
                    raise not_an_image
                _check_pixels(width, height)
                image.verify()  # structure and checksums, without decoding
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()  # decode the (first) picture: catches truncated files verify() lets through
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, IndexError, EOFError):
        raise not_an_image from None
    finally:
        upload.seek(0)
    return CheckedImage(format=ACCEPTED_FORMATS[found], width=width, height=height, size=size)


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("Deze afbeelding is te groot in pixels (hoogstens %(megapixels)s megapixel). Verklein haar eerst.")
        % {"megapixels": max_pixels() // 1_000_000},
        code="too_many_pixels",
    )


def _check_pixels(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ValidationError(_("Deze afbeelding heeft geen pixels."), code="no_pixels")
    if width * height > max_pixels():
        raise _too_many_pixels()


def without_camera_metadata(upload, checked: CheckedImage):
    """A JPEG as phones write it carries EXIF: often the place it was taken (GPS), the device, the owner.

    None of that belongs on a course site, so a JPEG with EXIF is stored re-encoded without it, turned
    upright first (the orientation lived in the EXIF). Other files, and JPEGs without EXIF, are kept
    byte for byte. Returns the file to store and what was checked of it.
    """
    if checked.format != "JPEG":
        return upload, checked
    upload.seek(0)
    with Image.open(upload) as image:
        if not image.getexif():
            upload.seek(0)
            return upload, checked
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        buffer = io.BytesIO()
        upright.save(buffer, format="JPEG", quality=90, optimize=True)
    upload.seek(0)
    data = buffer.getvalue()
    cleaned = ContentFile(data, name="upload.jpg")
    return cleaned, CheckedImage(format="JPEG", width=upright.width, height=upright.height, size=len(data))
