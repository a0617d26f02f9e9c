"""The certificate as a one-page PDF (A4 landscape), in Dutch, made with fpdf2.

Text is set in DejaVu Sans when the system has it (Debian's fonts-dejavu-core,
which Chromium pulls in), embedded as a subset so every name prints correctly
(ł, ő, ş ...). Without it we fall back to the PDF core font Helvetica, which
only knows Latin-1: other letters are then written without their accents
rather than failing.
"""
import unicodedata
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Certificate

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
]
BRAND = (31, 107, 79)  # --brand in site.css
INK = (29, 42, 38)
MUTED = (77, 92, 87)


def _font_dir() -> Path | None:
    configured = getattr(settings, "CERTIFICATE_FONT_DIR", None)
    for folder in ([Path(configured)] if configured else []) + FONT_CANDIDATES:
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return folder
    return None


def _latin1(text: str) -> str:
    replacements = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...",
                    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Œ": "OE", "œ": "oe"}
    text = "".join(replacements.get(ch, ch) for ch in text)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(ch for ch in decomposed if ch.encode("latin-1", "ignore")) or "?"


class _CertificatePDF(FPDF):
    def __init__(self):
        super().__init__(orientation="L", unit="mm", format="A4")
        folder = _font_dir()
        if folder:
            self.add_font("Body", "", str(folder / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(folder / "DejaVuSans-Bold.ttf"))
            self.body_family, self.unicode_ok = "Body", True
        else:
            self.body_family, self.unicode_ok = "Helvetica", False
        self.set_auto_page_break(False)
        self.set_margins(25, 20, 25)

    def text_line(self, text: str, *, size: float, bold: bool = False, colour=INK, gap: float = 2, link: str = ""):
        self.set_font(self.body_family, "B" if bold else "", size)
        self.set_text_color(*colour)
        text = text if self.unicode_ok else _latin1(text)
        if link:
            self.cell(0, size * 0.5, text, align="C", link=link, new_x="LMARGIN", new_y="NEXT")
        else:
            self.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)


def render_certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    """The PDF a learner downloads; ``verify_url`` is the absolute address of the public check."""
    with translation.override("nl"):
        issued = formats.date_format(timezone.localtime(certificate.issued_at), "j F Y")
        pdf = _CertificatePDF()
        pdf.set_title(_("Certificaat %(code)s") % {"code": certificate.display_code})
        pdf.set_author(_("Sustainable Futures for Enterprise Centres"))
        pdf.set_subject(certificate.module_title)
        pdf.set_lang("nl")
        pdf.set_creator("duurzaam-samenwerken")
        pdf.add_page()

        # A double frame in the site's green.
        pdf.set_draw_color(*BRAND)
        pdf.set_line_width(1.6)
        pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
        pdf.set_line_width(0.4)
        pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)

        pdf.set_y(28)
        pdf.text_line(_("Sustainable Futures for Enterprise Centres"), size=13, bold=True, colour=BRAND, gap=6)
        pdf.text_line(_("Certificaat"), size=34, bold=True, gap=8)
        pdf.text_line(_("Hierbij verklaren wij dat"), size=14, colour=MUTED, gap=4)
        pdf.text_line(certificate.learner_name, size=26, bold=True, gap=6)
        pdf.text_line(_("de volgende module met goed gevolg heeft afgerond:"), size=14, colour=MUTED, gap=4)
        pdf.text_line(
            _("Module %(number)s: %(title)s") % {"number": certificate.module.number, "title": certificate.module_title},
            size=18, bold=True, gap=6,
        )
        if certificate.centre_name and certificate.cohort_name:
            where = _("bij %(centre)s, groep %(cohort)s") % {
                "centre": certificate.centre_name, "cohort": certificate.cohort_name}
        elif certificate.centre_name:
            where = _("bij %(centre)s") % {"centre": certificate.centre_name}
        else:
            where = ""
        if where:
            pdf.text_line(where, size=13, colour=MUTED, gap=2)
        pdf.text_line(_("Uitgereikt op %(date)s") % {"date": issued}, size=13, colour=MUTED, gap=2)

        pdf.set_y(pdf.h - 48)
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        pdf.line(40, pdf.get_y(), pdf.w - 40, pdf.get_y())
        pdf.ln(4)
        pdf.text_line(_("Certificaatcode: %(code)s") % {"code": certificate.display_code}, size=12, bold=True, gap=1)
        pdf.text_line(_("Controleer dit certificaat op:"), size=10, colour=MUTED, gap=0)
        pdf.text_line(verify_url, size=10, colour=BRAND, gap=0, link=verify_url)
        return bytes(pdf.output())
