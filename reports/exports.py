"""The reports as files that leave the centre: CSV (as the dashboard's) and XLSX, one sheet per table.

Both are what a funder receives, so both follow the small-cell rule: a count of 1 to 4
learners is written "< 5" (and its percentage left out), so that nobody can be singled out
by combining a sector, a size and a month. Zero stays zero: it reveals nobody. The page
itself shows exact counts, because it stays with the centre's own staff.

Cells that could start a formula are neutralised the way the dashboard's CSV does it.
Headers are Dutch whatever language the page is read in, so files from several centres
line up in one spreadsheet.
"""
import csv
from io import BytesIO, StringIO

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dashboards.exports import _safe

from .selectors import Funnel, Report

SMALL = 5
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def small(count: int):
    """A count as it may leave the centre."""
    return f"< {SMALL}" if 0 < count < SMALL else count


def share(count: int, of: int):
    if not of or 0 < count < SMALL or 0 < of < SMALL:
        return ""
    return round(100 * count / of)


def stage_labels() -> list[str]:
    return [_("Ingeschreven"), _("Begonnen"), _("Helft van de module gelezen"), _("Alle quizzen gehaald"), _("Certificaat")]


def _funnel_cells(funnel: Funnel) -> list:
    cells = []
    for stage in funnel.stages:
        cells.append(small(stage.count))
    cells.append(small(funnel.withdrawn))
    return cells


def _period_cells(report: Report) -> list[str]:
    return [report.period.start.isoformat(), report.period.end.isoformat()]


def table_rows(report: Report, *, programme: bool) -> tuple[list[str], list[list]]:
    """The report's main table: a row per centre (programme) or per cohort (centre), then the total."""
    header = [_("Centrum")] + ([] if programme else [_("Cohort")])
    header += stage_labels() + [_("Uitgeschreven"), _("Periode van"), _("Periode tot en met")]
    rows = []
    if programme:
        for row in report.centre_rows:
            rows.append([_safe(row.centre.name), *_funnel_cells(row.funnel), *_period_cells(report)])
        rows.append([_("Totaal (unieke deelnemers)"), *_funnel_cells(report.funnel), *_period_cells(report)])
    else:
        for row in report.cohort_rows:
            rows.append(
                [_safe(row.cohort.centre.name), _safe(row.cohort.name), *_funnel_cells(row.funnel), *_period_cells(report)]
            )
        rows.append([_("Totaal (unieke deelnemers)"), "", *_funnel_cells(report.funnel), *_period_cells(report)])
    return header, rows


def csv_response(*, report: Report, programme: bool, filename: str) -> HttpResponse:
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    with translation.override(settings.LANGUAGE_CODE):
        header, rows = table_rows(report, programme=programme)
        writer.writerow(header)
        writer.writerows(rows)
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def sheets(report: Report, *, programme: bool) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, header, rows) for every table of the report."""
    funnel = report.funnel
    summary = [
        [_("Periode"), f"{date_format(report.period.start)} – {date_format(report.period.end)}", ""],
        [_("Unieke deelnemers"), small(report.learners), ""],
        [_("Unieke bedrijven"), small(report.businesses), ""],
    ]
    for label, stage in zip(stage_labels(), funnel.stages):
        summary.append([label, small(stage.count), share(stage.count, funnel.enrolled)])
    summary.append([_("Uitgeschreven"), small(funnel.withdrawn), share(funnel.withdrawn, funnel.enrolled)])
    ideas = report.ideas
    summary += [
        [_("Sessies op de ideeënmuur"), ideas.sessions, ""],
        [_("Ideeën"), small(ideas.ideas), ""],
        [_("Voortgebouwd op een ander idee"), small(ideas.builds), ""],
        [_("Deelnemers die meededen op de ideeënmuur"), small(ideas.contributors), ""],
    ]
    median = report.median_days_to_certificate
    summary.append([_("Mediaan dagen van inschrijving tot certificaat"), "" if median is None else median, ""])
    header, rows = table_rows(report, programme=programme)
    result = [
        (_("Samenvatting"), [_("Gegeven"), _("Aantal"), _("Percentage van de ingeschrevenen")], summary),
        (_("Centra") if programme else _("Cohorten"), header, rows),
        (
            _("Sector"),
            [_("Sector"), _("Deelnemers")],
            [[item.label, small(item.count)] for item in report.by_sector],
        ),
        (
            _("Grootte"),
            [_("Grootte van het bedrijf"), _("Deelnemers")],
            [[item.label, small(item.count)] for item in report.by_size],
        ),
        (
            _("Per maand"),
            [_("Maand"), _("Nieuwe deelnemers")],
            [[month.strftime("%Y-%m"), small(count)] for month, count in report.per_month],
        ),
        (
            _("Eerste poging"),
            [_("Sectie"), _("Eerste pogingen"), _("Gehaald"), _("Percentage gehaald")],
            [
                [f"{rate.number}. {rate.title}", small(rate.attempts), small(rate.passed), share(rate.passed, rate.attempts)]
                for rate in report.first_pass
            ],
        ),
        (
            _("Meest gemist"),
            [_("Sectie"), _("Vraag"), _("Beantwoord"), _("Fout"), _("Percentage fout")],
            [
                [q.section_number, _safe(q.text), small(q.answered), small(q.wrong), share(q.wrong, q.answered)]
                for q in report.most_missed
            ],
        ),
    ]
    return result


def xlsx_response(*, report: Report, programme: bool, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override(settings.LANGUAGE_CODE):
        for title, header, rows in sheets(report, programme=programme):
            sheet = workbook.create_sheet(title=title[:31])
            sheet.append(header)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in rows:
                sheet.append(row)
            # Text that looks like a formula is stored as text, never evaluated.
            for line in sheet.iter_rows(min_row=2):
                for cell in line:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                longest = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(12, longest + 2), 60)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
