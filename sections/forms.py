"""Forms for authoring in the admin: slide order, image uploads, image descriptions."""
from html.parser import HTMLParser

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.markdown import (
    is_outside_address,
    markdown_to_unsafe_html,
    render_markdown,
)

from .images import check_image
from .models import SlideImage
from .services import MAX_POSITION

#: What a dropped image gets as its description until the trainer writes one.
ALT_PLACEHOLDER = "beschrijf hier wat er op de afbeelding staat"


class _ImageCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            values = dict(attrs)
            self.images.append((values.get("src") or "", (values.get("alt") or "").strip()))


def validate_image_descriptions(text: str) -> None:
    """Every image in a Markdown text needs a real description (its alt text).

    Checked on the HTML the site will show, so Markdown images and HTML <img>
    tags are held to the same rule.
    """
    collector = _ImageCollector()
    collector.feed(str(render_markdown(text)))
    missing = [src for src, alt in collector.images if not alt or alt.lower() == ALT_PLACEHOLDER]
    if missing:
        raise ValidationError(
            _(
                "Geef elke afbeelding een beschrijving voor wie haar niet kan zien: zet tussen de vierkante haken "
                "wat erop staat, bijvoorbeeld ![Twee ondernemers bij een zonnepaneel](…). Nog zonder beschrijving: "
                "%(images)s"
            )
            % {"images": ", ".join(missing)},
            code="image_without_alt",
        )


def outside_images(text: str) -> list[str]:
    """Addresses of images on other sites in a Markdown text (Markdown images and HTML <img> alike)."""
    collector = _ImageCollector()
    collector.feed(markdown_to_unsafe_html(text or ""))
    return [src for src, _alt in collector.images if is_outside_address(src)]


def validate_local_images(text: str) -> None:
    """Images come from this site only: an image on another site tells that site who reads the slide, and when."""
    outside = outside_images(text)
    if outside:
        raise ValidationError(
            _(
                "Afbeeldingen van een andere website kunnen hier niet: die website zou zien wie deze pagina leest "
                "en wanneer. Sla de afbeelding op je computer op en sleep haar in de editor (of upload haar bij "
                "'Afbeeldingen'). Van een andere website: %(images)s"
            )
            % {"images": ", ".join(outside)},
            code="outside_image",
        )


class DescribedImagesMixin:
    """Checks the images in the form's Markdown fields: from this site, and with a description."""

    markdown_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.markdown_fields:
            if cleaned.get(name):
                for check in (validate_local_images, validate_image_descriptions):
                    try:
                        check(cleaned[name])
                    except ValidationError as error:
                        self.add_error(name, error)
                        break
        return cleaned


class PositionFormMixin:
    """A slide's position is typed freely; ``courses.ordering.renumber`` resolves clashes and gaps.

    The model's unique (section, position) check is therefore left out of form
    validation: two slides asking for 3 is a wish, not an error.
    """

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.add("position")
        return exclude

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"] = forms.IntegerField(
                label=gettext_lazy("Plaats"),
                min_value=1,
                max_value=MAX_POSITION,
                required=False,
                help_text=gettext_lazy(
                    "Typ een ander nummer om de slide te verplaatsen; de andere slides schuiven op. Leeg = achteraan."
                ),
                widget=forms.NumberInput(attrs={"class": "vSmallField", "min": 1, "max": MAX_POSITION}),
            )


class SlideInlineForm(PositionFormMixin, forms.ModelForm):
    pass


class SlideAdminForm(PositionFormMixin, DescribedImagesMixin, forms.ModelForm):
    markdown_fields = ("body",)


class SectionAdminForm(DescribedImagesMixin, forms.ModelForm):
    markdown_fields = ("introduction",)


class ImageFileField(forms.FileField):
    """A file that must be an image we accept (checked by content, see ``sections.images``)."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload is not initial:
            check_image(upload)
        return upload


class SlideImageForm(forms.ModelForm):
    """Upload in the admin's image library: a file and what it shows."""

    upload = ImageFileField(
        label=gettext_lazy("afbeelding"),
        help_text=gettext_lazy("PNG, JPEG, GIF of WebP, hoogstens 5 MB en 40 megapixel."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )

    class Meta:
        model = SlideImage
        fields = ["alt_text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alt_text"].required = True
        if self.instance.pk:
            # The file of a stored image never changes: its address is in slide texts.
            del self.fields["upload"]


class ImageUploadForm(forms.Form):
    """The drag-and-drop upload of the Markdown editor (django-markdownx posts ``image``)."""

    image = ImageFileField()
