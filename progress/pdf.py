"""The certificate as a one-page PDF (A4 landscape), in Dutch, made with fpdf2.

The layout, top to bottom: the programme's mark (drawn here with vector shapes,
no image file), the title, the learner's name as the largest line, the module,
the centre, cohort and trainer; at the foot the date, the code and a QR code
that opens the public verification page.

Type is DejaVu Sans, shipped in ``progress/fonts/`` with its licence (from
Debian's fonts-dejavu-core) and embedded as a subset, so every name prints with
its accents (é, ë, ł, ğ ...) on any server, whatever fonts the system has.
The QR code is made by segno (pure Python) and drawn as vector squares, so it
stays sharp at any print size.
"""
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Certificate

FONT_DIR = Path(__file__).resolve().parent / "fonts"
BRAND = (31, 107, 79)  # --brand in site.css
BRAND_DARK = (19, 71, 52)
LEAF = (118, 176, 65)
WATER = (42, 125, 160)
WASH = (241, 247, 244)
INK = (29, 42, 38)
MUTED = (77, 92, 87)


def _font_dir() -> Path:
    configured = getattr(settings, "CERTIFICATE_FONT_DIR", None)
    return Path(configured) if configured else FONT_DIR


@dataclass(frozen=True)
class CertificateDetails:
    """What the certificate says beyond the record itself: read by the view, so this module needs no query."""

    trainer_names: tuple[str, ...] = ()
    company_name: str = ""


class _CertificatePDF(FPDF):
    def __init__(self):
        super().__init__(orientation="L", unit="mm", format="A4")
        folder = _font_dir()
        self.add_font("Body", "", str(folder / "DejaVuSans.ttf"))
        self.add_font("Body", "B", str(folder / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)

    def centred(self, text: str, *, y: float, size: float, bold: bool = False, colour=INK, spacing: float = 0):
        self.set_font("Body", "B" if bold else "", size)
        self.set_char_spacing(spacing)
        self.set_text_color(*colour)
        self.set_xy(30, y)
        self.multi_cell(self.w - 60, size * 0.45, text, align="C")
        self.set_char_spacing(0)
        return self.get_y()

    def label_and_value(self, label: str, value: str, *, x: float, y: float, width: float, align="L"):
        self.set_xy(x, y)
        self.set_font("Body", "", 8.5)
        self.set_char_spacing(0.6)
        self.set_text_color(*MUTED)
        self.cell(width, 4, label.upper(), align=align)
        self.set_char_spacing(0)
        self.set_xy(x, y + 5)
        self.set_font("Body", "B", 11)
        self.set_text_color(*INK)
        self.multi_cell(width, 5, value, align=align)

    def programme_mark(self, x: float, y: float, size: float):
        """Three overlapping circles (partners working together) in a ring: the programme's mark."""
        r = size / 2
        cx, cy = x + r, y + r
        self.set_fill_color(*BRAND)
        self.circle(x=cx, y=cy, radius=r, style="F")
        small = r * 0.36
        with self.local_context(fill_opacity=0.9):
            for (dx, dy), colour in zip(((0, -0.3), (-0.27, 0.17), (0.27, 0.17)), (LEAF, WATER, (255, 255, 255))):
                self.set_fill_color(*colour)
                self.circle(x=cx + dx * r, y=cy + dy * r, radius=small, style="F")

    def qr(self, data: str, *, x: float, y: float, size: float):
        """``data`` as a QR code of ``size`` mm, drawn square by square (with its quiet zone)."""
        code = segno.make(data, error="m", micro=False)
        matrix = [list(row) for row in code.matrix_iter(scale=1, border=2)]
        cell = size / len(matrix)
        self.set_fill_color(255, 255, 255)
        self.rect(x, y, size, size, style="F")
        self.set_fill_color(*INK)
        for row, values in enumerate(matrix):
            col = 0
            while col < len(values):
                if values[col]:
                    start = col
                    while col < len(values) and values[col]:
                        col += 1
                    self.rect(x + start * cell, y + row * cell, (col - start) * cell + 0.01, cell + 0.01, style="F")
                else:
                    col += 1


def render_certificate_pdf(
    *, certificate: Certificate, verify_url: str, details: CertificateDetails | None = None
) -> bytes:
    """The PDF a learner downloads; ``verify_url`` is the absolute address of the public check."""
    details = details or CertificateDetails()
    with translation.override("nl"):
        issued = formats.date_format(timezone.localtime(certificate.issued_at), "j F Y")
        pdf = _CertificatePDF()
        pdf.set_title(_("Certificaat %(code)s") % {"code": certificate.display_code})
        pdf.set_author(_("Sustainable Futures for Enterprise Centres"))
        pdf.set_subject(certificate.module_title)
        pdf.set_lang("nl")
        pdf.set_creator("duurzaam-samenwerken")
        pdf.add_page()
        w, h = pdf.w, pdf.h

        # A calm frame: a wash on the page, a thin brand-green line inside it.
        pdf.set_fill_color(*WASH)
        pdf.rect(0, 0, w, h, style="F")
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(9, 9, w - 18, h - 18, style="F")
        pdf.set_draw_color(*BRAND)
        pdf.set_line_width(0.5)
        pdf.rect(12, 12, w - 24, h - 24)
        pdf.set_fill_color(*BRAND)
        pdf.rect(12, 12, w - 24, 3.2, style="F")

        # The programme's mark and name, top left.
        pdf.programme_mark(24, 24, 17)
        pdf.set_xy(45, 26)
        pdf.set_font("Body", "B", 12.5)
        pdf.set_text_color(*BRAND_DARK)
        pdf.cell(0, 6, _("Sustainable Futures"))
        pdf.set_xy(45, 32.5)
        pdf.set_font("Body", "", 9.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(0, 5, _("for Enterprise Centres"))

        y = pdf.centred(_("CERTIFICAAT"), y=58, size=13, bold=True, colour=BRAND, spacing=2.2)
        y = pdf.centred(_("Hierbij verklaren wij dat"), y=y + 8, size=12.5, colour=MUTED)
        y = pdf.centred(certificate.learner_name, y=y + 5, size=32, bold=True, colour=INK)
        if details.company_name:
            y = pdf.centred(details.company_name, y=y + 1, size=12.5, colour=MUTED)
        pdf.set_draw_color(*LEAF)
        pdf.set_line_width(0.8)
        pdf.line(w / 2 - 22, y + 4, w / 2 + 22, y + 4)
        y = pdf.centred(_("de volgende module met goed gevolg heeft afgerond:"), y=y + 11, size=12.5, colour=MUTED)
        y = pdf.centred(
            _("Module %(number)s: %(title)s") % {"number": certificate.module.number, "title": certificate.module_title},
            y=y + 4, size=20, bold=True, colour=BRAND_DARK,
        )
        if certificate.centre_name and certificate.cohort_name:
            where = _("bij %(centre)s, groep %(cohort)s") % {
                "centre": certificate.centre_name, "cohort": certificate.cohort_name}
        elif certificate.centre_name:
            where = _("bij %(centre)s") % {"centre": certificate.centre_name}
        else:
            where = ""
        if where:
            pdf.centred(where, y=y + 4, size=12.5, colour=INK)

        # The foot: date and trainer on the left, the code in the middle, the QR code on the right.
        foot = h - 52
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        pdf.line(26, foot, w - 26, foot)
        pdf.label_and_value(_("Uitgereikt op"), issued, x=26, y=foot + 6, width=70)
        if details.trainer_names:
            label = _("Trainer") if len(details.trainer_names) == 1 else _("Trainers")
            pdf.label_and_value(label, ", ".join(details.trainer_names), x=26, y=foot + 20, width=95)
        pdf.label_and_value(_("Certificaatcode"), certificate.display_code, x=w / 2 - 45, y=foot + 6, width=90,
                            align="C")
        pdf.set_xy(w / 2 - 60, foot + 20)
        pdf.set_font("Body", "", 8.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(120, 4, _("Controleer dit certificaat op:"), align="C")
        pdf.set_x(w / 2 - 60)
        pdf.set_text_color(*BRAND)
        pdf.multi_cell(120, 4, verify_url, align="C", link=verify_url)
        qr_size = 30
        pdf.qr(verify_url, x=w - 26 - qr_size, y=foot + 5, size=qr_size)
        pdf.link(w - 26 - qr_size, foot + 5, qr_size, qr_size, verify_url)
        return bytes(pdf.output())
