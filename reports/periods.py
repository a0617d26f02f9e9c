"""The period a report covers: this quarter, last quarter, this year, last year or chosen dates.

A period is a pair of local dates, both included: "1 januari – 31 maart" covers everything
that happened on 31 March up to midnight, in the site's time zone (Europe/Amsterdam), which
is how a centre reads a quarter. ``bounds`` turns it into the half-open datetime range
``[start, end)`` that the queries use, so nothing on the last day falls out and nothing of
the next day falls in.
"""
import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Reports over more than this are refused: nobody reports on decades, and it keeps queries bounded.
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return start, end

    def months(self) -> list[datetime.date]:
        """The first day of every calendar month the period touches, in order."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months


def quarter_of(day: datetime.date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    next_start = (start + datetime.timedelta(days=95)).replace(day=1)
    return Period(start, next_start - datetime.timedelta(days=1))


def year_of(day: datetime.date) -> Period:
    return Period(day.replace(month=1, day=1), day.replace(month=12, day=31))


class PeriodForm(forms.Form):
    """The report's filters. It is read from the query string, so every report has a URL to share."""

    PRESETS = [
        ("kwartaal", _("Dit kwartaal")),
        ("vorig-kwartaal", _("Vorig kwartaal")),
        ("jaar", _("Dit jaar")),
        ("vorig-jaar", _("Vorig jaar")),
        ("aangepast", _("Zelf gekozen data")),
    ]

    periode = forms.ChoiceField(label=_("Periode"), choices=PRESETS, required=False, initial="kwartaal")
    van = forms.DateField(
        label=_("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    tot = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        preset = data.get("periode") or "kwartaal"
        data["periode"] = preset
        if preset == "aangepast":
            start, end = data.get("van"), data.get("tot")
            if not start or not end:
                raise forms.ValidationError(_("Kies bij zelf gekozen data zowel een begin- als een einddatum."))
            if end < start:
                raise forms.ValidationError(_("De einddatum ligt voor de begindatum."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Kies een periode van hoogstens vijf jaar."))
            data["period"] = Period(start, end)
        elif preset == "vorig-kwartaal":
            data["period"] = quarter_of(quarter_of(self.today).start - datetime.timedelta(days=1))
        elif preset == "jaar":
            data["period"] = year_of(self.today)
        elif preset == "vorig-jaar":
            data["period"] = year_of(self.today.replace(month=1, day=1) - datetime.timedelta(days=1))
        else:
            data["period"] = quarter_of(self.today)
        return data
