"""Reading a list of people to enrol: a pasted list or an uploaded CSV file.

Pure functions, no database: they turn text into :class:`BulkRow` objects, each
either usable or carrying the reason it can't be used (a bad address). A file
that can't be read at all (binary, not UTF-8, wrong columns, too many rows)
raises :class:`BulkInputError` with a message for the form.

CSV as Dutch spreadsheets write it is accepted: comma, semicolon or tab as the
separator, UTF-8 with or without the byte-order mark that Excel adds.
"""
import csv
import io
import re
from email.utils import getaddresses

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .services import BulkRow

MAX_UPLOAD_BYTES = 1024 * 1024  # 1 MB: some 20,000 rows, far more than any cohort
MAX_ROWS = 2000

# Accepted column headers (lower case, without spaces, dashes or underscores).
COLUMN_ALIASES = {
    "email": "email",
    "emailaddress": "email",
    "emailadres": "email",
    "mail": "email",
    "name": "name",
    "naam": "name",
    "fullname": "name",
    "volledigenaam": "name",
    "company": "company",
    "bedrijf": "company",
    "bedrijfsnaam": "company",
    "organisatie": "company",
    "organisation": "company",
    "organization": "company",
}


class BulkInputError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _clean_email(value: str) -> tuple[str, str]:
    """(address, error code) for one cell."""
    email = value.strip().strip("<>").strip()
    try:
        validate_email(email)
    except ValidationError:
        return email, "bad_address"
    local, _sep, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}", ""


def _row(line: int, email: str, name: str = "", company: str = "") -> BulkRow:
    address, error = _clean_email(email)
    return BulkRow(line=line, email=address[:254], name=name.strip()[:150], company=company.strip()[:200], error=error)


def _addressed_row(line: int, text: str) -> BulkRow:
    """One row for "Jan <jan@x.nl>". Text that holds no address or more than one
    ("<script>…</script>", "Jan <a@x.nl> <b@y.nl>") is one rejected row, never a crash."""
    pairs = [(name, address) for name, address in getaddresses([text]) if address]
    if len(pairs) != 1:
        return BulkRow(line=line, email=text.strip()[:254], error="bad_address")
    name, address = pairs[0]
    return _row(line, address, name)


def _check_row_count(rows):
    if len(rows) > MAX_ROWS:
        raise BulkInputError(
            _("De lijst heeft %(count)s regels; het maximum is %(max)s. Splits hem op in delen.")
            % {"count": len(rows), "max": MAX_ROWS}
        )


def parse_pasted(text: str) -> list[BulkRow]:
    """One person per line: an address, or "address, name, company". A line of
    several addresses (as copied from an e-mail's To: field) gives one row each."""
    rows: list[BulkRow] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        fields = [f.strip() for f in re.split(r"[,;\t]", line)]
        filled = [f for f in fields if f]
        if len(filled) > 1 and all("@" in f for f in filled):
            # "a@x.nl, b@y.nl" or "Jan <jan@x.nl>; Piet <piet@y.nl>": one row per field
            for field in filled:
                rows.append(_addressed_row(number, field))
        elif "<" in line and ">" in line and len(filled) == 1:
            rows.append(_addressed_row(number, line))
        else:
            rows.append(_row(number, *(fields + ["", ""])[:3]))
        _check_row_count(rows)
    return rows


def _normalise_header(cell: str) -> str:
    return re.sub(r"[\s_\-]", "", cell.strip().lower())


def decode_upload(data: bytes) -> str:
    if b"\x00" in data:
        raise BulkInputError(_("Dit is geen tekstbestand. Upload een CSV-bestand (tekst, door komma's gescheiden)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BulkInputError(
            _(
                "Het bestand is niet in UTF-8 opgeslagen. Kies in Excel 'Opslaan als' → "
                "'CSV UTF-8 (door komma's gescheiden)' en upload het opnieuw."
            )
        ) from None


def _delimiter(text: str) -> str:
    """The separator, read from the header row: headers have no quotes or commas of
    their own, so the character that occurs most there separates the columns.
    (csv.Sniffer guesses wrong on the short files people upload.)"""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def parse_csv(data: bytes) -> list[BulkRow]:
    """A CSV file with a header row naming the columns e-mail, naam and bedrijf
    (Dutch or English; only the e-mail column is required)."""
    text = decode_upload(data)
    if not text.strip():
        raise BulkInputError(_("Het bestand is leeg."))
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        records = list(reader)
    except csv.Error as error:
        raise BulkInputError(_("Het bestand is geen geldig CSV-bestand (%(error)s).") % {"error": error}) from None
    records = [(n, r) for n, r in enumerate(records, start=1) if any(cell.strip() for cell in r)]
    if not records:
        raise BulkInputError(_("Het bestand is leeg."))
    header_line, header = records[0]
    columns = [COLUMN_ALIASES.get(_normalise_header(cell)) for cell in header]
    unknown = [cell.strip() for cell, column in zip(header, columns) if column is None and cell.strip()]
    expected = _("Verwacht: een kopregel met de kolommen e-mail, naam en bedrijf (alleen e-mail is verplicht).")
    if "email" not in columns:
        if header and "@" in header[0]:
            raise BulkInputError(_("De eerste regel moet een kopregel zijn, geen adres. ") + str(expected))
        raise BulkInputError(_("Het bestand heeft geen kolom 'e-mail'. ") + str(expected))
    if unknown:
        raise BulkInputError(
            _("Onbekende kolom(men): %(columns)s. ") % {"columns": ", ".join(f"'{c[:40]}'" for c in unknown[:5])}
            + str(expected)
        )
    if len(set(c for c in columns if c)) != len([c for c in columns if c]):
        raise BulkInputError(_("Een kolom staat twee keer in de kopregel. ") + str(expected))
    _check_row_count(records[1:])
    position = {column: index for index, column in enumerate(columns) if column}
    rows = []
    for number, record in records[1:]:
        def cell(column):
            index = position.get(column)
            return record[index] if index is not None and index < len(record) else ""

        rows.append(_row(number, cell("email"), cell("name"), cell("company")))
    if not rows:
        raise BulkInputError(_("Het bestand heeft alleen een kopregel en geen deelnemers."))
    return rows
