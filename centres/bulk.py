"""Bulk enrollment: a list of people (pasted, or an uploaded CSV file) invited to a cohort at once.

Reading the list is pure functions, no database: they turn text into :class:`BulkRow`
objects, each either usable or carrying the reason it can't be used (a bad address). A
file that can't be read at all (binary, not UTF-8, wrong columns, too many rows) raises
:class:`BulkInputError` with a message for the form. CSV as Dutch spreadsheets write it
is accepted: comma, semicolon or tab as the separator, UTF-8 with or without the
byte-order mark that Excel adds.

:func:`bulk_enroll` then invites the rows, keeps the report (``EnrollmentBatch``) and
e-mails the people concerned. It builds on ``services`` (the cohort lock, invitation
tokens and mails) and ``selectors`` (places taken, join refusal); neither imports this
module.
"""
import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import getaddresses

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import Cohort, Enrollment, EnrollmentBatch, Invitation


class Outcome:
    ENROLLED = "enrolled"
    INVITED = "invited"
    ALREADY_ENROLLED = "already_enrolled"
    ALREADY_INVITED = "already_invited"
    REJECTED = "rejected"

    LABELS = {
        ENROLLED: _("ingeschreven"),
        INVITED: _("uitnodiging verstuurd"),
        ALREADY_ENROLLED: _("al ingeschreven"),
        ALREADY_INVITED: _("al uitgenodigd"),
        REJECTED: _("afgewezen"),
    }
    REASONS = {
        "bad_address": _("ongeldig e-mailadres"),
        "duplicate": _("dubbele regel: dit adres staat al eerder in de lijst"),
        "full": _("cohort vol"),
        "inactive": _("account gedeactiveerd"),
        "withdrawn": _("uitgeschreven; activeer de deelnemer opnieuw in de deelnemerslijst"),
        "completed": _("heeft het cohort al afgerond"),
        "ended": _("cohort is afgelopen"),
    }


@dataclass
class BulkRow:
    line: int
    email: str
    name: str = ""
    company: str = ""
    error: str = ""  # a reason code from Outcome.REASONS, set while parsing


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


# --- inviting the rows ---------------------------------------------------------


def bulk_enroll(
    *,
    cohort: Cohort,
    rows: list[BulkRow],
    by: AbstractBaseUser,
    source: str,
    filename: str = "",
    build_url: services.BuildUrl,
) -> EnrollmentBatch:
    """Invite everyone on the list (with an account or without: each accepts the
    invitation before they are enrolled), row by row, keep the report, then e-mail
    the people concerned (after the data is committed).

    Idempotent: a second run of the same list finds everyone already enrolled
    or already invited and changes nothing (no second e-mail either). Rows that
    can't be handled are reported, never half-done: each row is enrolled,
    invited or left alone. ``batch.mail_sent`` tells whether the e-mails went out.
    """
    batch, mails = _bulk_enroll_rows(
        cohort=cohort, rows=rows, by=by, source=source, filename=filename, build_url=build_url
    )
    batch.mail_sent = services.send_mails(messages=mails)
    return batch


@transaction.atomic
def _bulk_enroll_rows(
    *,
    cohort: Cohort,
    rows: list[BulkRow],
    by: AbstractBaseUser,
    source: str,
    filename: str,
    build_url: services.BuildUrl,
) -> tuple[EnrollmentBatch, list[EmailMessage]]:
    User = get_user_model()
    cohort = services.lock_cohort(cohort=cohort)
    now = timezone.now()
    emails = {row.email.lower() for row in rows if not row.error}
    users = {
        u.email_lower: u
        for u in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    enrollments = {
        e.user_id: e for e in Enrollment.objects.filter(cohort=cohort, user__in=[u.pk for u in users.values()])
    }
    invitations = {
        i.email_lower: i
        for i in Invitation.objects.filter(cohort=cohort).annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    left = selectors.places_left(cohort=cohort, now=now)
    # Staff invite into a closed cohort too (closing stops the join link only); places are counted row by row.
    refusal = selectors.join_refusal(cohort=cohort, check_open=False, check_places=False)
    seen: set[str] = set()
    mails: list[EmailMessage] = []
    report = []

    def add(row, outcome, reason=""):
        report.append(
            {"line": row.line, "email": row.email, "name": row.name, "company": row.company, "outcome": outcome, "reason": reason}
        )

    for row in rows:
        key = row.email.lower()
        if row.error:
            add(row, Outcome.REJECTED, row.error)
            continue
        if key in seen:
            add(row, Outcome.REJECTED, "duplicate")
            continue
        seen.add(key)
        user = users.get(key)
        enrollment = enrollments.get(user.pk) if user is not None else None
        if enrollment is not None:
            # Already in this cohort (their own choice): staff see them on the cohort page anyway.
            reason = {"withdrawn": "withdrawn", "completed": "completed"}.get(enrollment.status, "")
            add(row, Outcome.ALREADY_ENROLLED, reason)
            continue
        # Consent (issue 13): an address with an account gets an invitation too, exactly like an
        # unknown one, and nothing of theirs reaches the cohort's staff until they accept it. The
        # report reads the same for both, so the form can't be used to test for accounts.
        invitation = invitations.get(key)
        if invitation is not None and invitation.accepted_at is None and not invitation.is_expired(now):
            add(row, Outcome.ALREADY_INVITED)
            continue
        if refusal is not None:
            add(row, Outcome.REJECTED, refusal)
            continue
        if left is not None and left <= 0:
            add(row, Outcome.REJECTED, "full")
            continue
        token, token_hash = services.new_invitation_token()
        expires = now + timedelta(days=services.INVITATION_VALID_DAYS)
        if invitation is None:
            invitation = Invitation.objects.create(
                cohort=cohort,
                email=row.email,
                name=row.name,
                company_name=row.company,
                token_hash=token_hash,
                invited_by=by,
                created_at=now,
                expires_at=expires,
            )
        else:  # expired, or accepted by an account that no longer exists: invite again
            invitation.name, invitation.company_name = row.name or invitation.name, row.company or invitation.company_name
            invitation.token_hash, invitation.invited_by, invitation.created_at = token_hash, by, now
            invitation.expires_at, invitation.accepted_at, invitation.accepted_by = expires, None, None
            invitation.save()
        invitation.cohort = cohort
        if left is not None:
            left -= 1
        mails.append(services.invitation_mail(invitation=invitation, token=token, build_url=build_url))
        add(row, Outcome.INVITED)

    batch = EnrollmentBatch.objects.create(
        cohort=cohort, created_by=by, created_at=now, source=source, filename=filename[:255], rows=report
    )
    return batch, mails
