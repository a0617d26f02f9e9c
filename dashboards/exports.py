"""The dashboard's grid as a CSV file that Excel opens correctly in the Netherlands and Belgium.

* Semicolons, not commas. Excel splits a CSV it opens by double-click on the
  "list separator" of the computer's regional settings; with Dutch (and Belgian)
  settings the decimal separator is a comma and the list separator a semicolon,
  so a comma-separated file lands in column A. LibreOffice, Numbers and Google
  Sheets recognise the semicolon themselves.
* UTF-8 with a byte order mark: without it Excel reads the file as Windows-1252
  and "Eén" or "Café" come out garbled. No ``sep=;`` line: with it, Excel ignores
  the byte order mark.
* The header is Dutch, whatever language the page is read in (see ``dashboard_csv``).
* Numbers are whole numbers (percentages without "%"), so no decimal comma can be
  misread; "12 van 20" is two columns, never "12/20", which Excel would turn into a date.
* A cell that starts like a formula (=, +, -, @) gets a leading apostrophe, so a
  learner's name or company can never run as a formula on a funder's computer.
"""
import csv
from io import StringIO

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .selectors import CohortDashboard, LearnerRow, Status

STATUS_WORDS = {
    Status.NOT_STARTED: "niet begonnen",
    Status.IN_PROGRESS: "bezig",
    Status.STUCK: "vastgelopen",
    Status.COMPLETED: "afgerond",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _yes_no(value: bool) -> str:
    return _("ja") if value else _("nee")


def header(dashboard: CohortDashboard) -> list[str]:
    columns = [_("Naam"), _("E-mailadres"), _("Bedrijf"), _("Status"), _("Ingeschreven op"), _("Laatst actief")]
    for section in dashboard.sections:
        columns.append(
            _("Sectie %(number)s: slides gelezen (van %(total)s)") % {"number": section.number, "total": section.slide_count}
        )
        if section.quiz_pk:
            columns.append(_("Sectie %(number)s: beste quizscore (%%)") % {"number": section.number})
            columns.append(_("Sectie %(number)s: quiz gehaald") % {"number": section.number})
    columns += [_("Module voltooid (%)"), _("Afgerond"), _("Certificaatcode"), _("Certificaat controleren")]
    return columns


def row_values(row: LearnerRow, *, build_url) -> list:
    user = row.user
    values = [
        _safe(user.name),
        _safe(user.email),
        _safe(user.company_name),
        STATUS_WORDS[row.status],
        _when(row.enrollment.enrolled_at),
        _when(row.last_activity),
    ]
    for section in row.progress.sections:
        values.append(min(section.read_count, section.slide_count))
        if section.quiz_id:
            values.append("" if section.quiz_best is None else section.quiz_best)
            values.append(_yes_no(section.quiz_passed))
    certificate = row.certificate
    values += [
        row.progress.percent,
        _yes_no(row.completed),
        certificate.display_code if certificate else "",
        build_url(certificate.get_absolute_url()) if certificate else "",
    ]
    return values


def dashboard_csv(*, dashboard: CohortDashboard, rows: list[LearnerRow], build_url) -> str:
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    # Always in the site's language (Dutch), whoever exports: files from several centres and
    # staff members must line up in a funder's spreadsheet.
    with translation.override(settings.LANGUAGE_CODE):
        writer.writerow(header(dashboard))
        for row in rows:
            writer.writerow(row_values(row, build_url=build_url))
    return "\ufeff" + buffer.getvalue()


def dashboard_csv_response(*, dashboard: CohortDashboard, rows: list[LearnerRow], build_url, today) -> HttpResponse:
    filename = f"voortgang-{slugify(dashboard.cohort.name) or dashboard.cohort.pk}-{today:%Y-%m-%d}.csv"
    response = HttpResponse(
        dashboard_csv(dashboard=dashboard, rows=rows, build_url=build_url).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def spreadsheet_csv(rows) -> bytes:
    """Any table as this module's CSV: semicolons, UTF-8 with BOM, text cells that start like a
    formula neutralised. Numbers stay numbers. Used by other exports too (the idea wall)."""
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([value if isinstance(value, int) and not isinstance(value, bool) else _safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
