"""The body of the dashboard's grid, written out in Python.

A cohort can have a thousand learners and the grid has a dozen cells per row:
as a Django template loop that is some 40,000 node renders, well over a second
on this machine. Built here from plain strings it takes a few hundredths of a
second, which keeps the whole page well under a second for 1,000 learners
(scripts/benchmark_dashboard.py). Every value from the database goes through
``esc`` (the escaping Django's own ``escape`` does, without its lazy-string
wrapper, which is most of its cost); the words are translated once per page.
The table head, the filters and everything else stay in the template.
"""
from html import escape

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

register = template.Library()


def esc(value) -> str:
    return escape(str(value), quote=True)


class _Words:
    """The grid's repeated words and dates, translated and formatted once per page."""

    def __init__(self):
        self.read = esc(gettext("slides gelezen"))
        self.best = esc(gettext("beste score"))
        self.passed = esc(gettext("geslaagd"))
        self.not_passed = esc(gettext("nog niet geslaagd"))
        self.no_attempt = esc(gettext("geen poging"))
        self.done = esc(gettext("afgerond"))
        self.stuck = esc(gettext("vastgelopen"))
        self.not_started = esc(gettext("nog niet begonnen"))
        self.today = esc(gettext("vandaag"))
        self._ideas = {}
        self.builds = esc(gettext("voortgebouwd"))
        self.attempts = esc(gettext("Quizpogingen"))
        self.attempts_url = ""
        self._ago = {}
        self._dates = {}
        self._learner_url = None

    def learner_url(self, enrollment) -> str:
        """The learner page's address, reversed once per page and filled in per row."""
        if self._learner_url is None:
            self._learner_url = reverse("dashboards:learner", args=[enrollment.cohort_id, 999999999]).replace(
                "999999999", "{}"
            )
        return esc(self._learner_url.format(enrollment.pk))

    def ago(self, days: int) -> str:
        if days not in self._ago:
            self._ago[days] = self.today if not days else esc(
                ngettext("%(n)d dag geleden", "%(n)d dagen geleden", days) % {"n": days}
            )
        return self._ago[days]

    def ideas(self, n: int) -> str:
        if n not in self._ideas:
            self._ideas[n] = esc(ngettext("%(n)d idee", "%(n)d ideeën", n) % {"n": n})
        return self._ideas[n]

    def date(self, moment) -> str:
        day = localtime(moment).date()
        if day not in self._dates:
            self._dates[day] = esc(date_format(day, "j F Y"))
        return self._dates[day]


@register.simple_tag
def dashboard_rows(rows):
    """``<tr>`` for each ``dashboards.selectors.LearnerRow``."""
    words = _Words()
    if rows:
        # One reverse for the whole table; each row fills in its learner (the rows of 1,000 learners stay cheap).
        words.attempts_url = reverse("dashboards:attempts", args=[rows[0].enrollment.cohort_id, 0])[:-len("0/pogingen/")]
    return mark_safe("\n".join(_row(row, words) for row in rows))  # nosec B308 B703  # reviewed: every value goes through esc()


def _row(row, words: _Words) -> str:
    user = row.user
    if row.last_activity:
        stuck = f'<span class="badge dash-badge--stuck">{words.stuck}</span>' if row.stuck else ""
        when = f'{words.date(row.last_activity)}<span class="cell-note">{words.ago(row.days_inactive)}</span>{stuck}'
    else:
        when = f'<span class="dash-muted">{words.not_started}</span>'
    sections = "".join(_section(sp, words) for sp in row.progress.sections)
    if row.completed:
        completion = (f'<span class="dash-pass" aria-hidden="true">✓</span> {row.progress.percent:d} %'
                      f'<span class="visually-hidden"> ({words.done})</span>')
    else:
        completion = f"{row.progress.percent:d} %"
    certificate = row.certificate
    cert = (f'<a href="{esc(certificate.get_absolute_url())}">{esc(certificate.display_code)}</a>'
            if certificate else "—")
    return (
        f'<tr class="dash-row dash-row--{esc(row.status)}">'
        f'<th scope="row" class="dash-col-name"><a href="{words.learner_url(row.enrollment)}">{esc(user.name or user.email)}</a>'
        f'<span class="cell-note cell-email">{esc(user.email)}</span>'
        f'<a class="cell-note dash-attempts-link" href="{words.attempts_url}{user.pk:d}/pogingen/">{words.attempts}</a></th>'
        f"<td>{esc(user.company_name or '—')}</td>"
        f'<td class="dash-when">{when}</td>'
        f"{sections}"
        f'<td class="dash-completion">{completion}</td>'
        f'<td class="dash-cert">{cert}</td>'
        f'<td class="dash-wall">{words.ideas(row.ideas)}'
        f'<span class="cell-note">{row.builds:d} {words.builds}</span></td>'
        "</tr>"
    )


def _section(sp, words: _Words) -> str:
    done = " dash-slides--done" if sp.slides_read else ""
    slides = (f'<span class="dash-slides{done}">{sp.read_count:d}/{sp.slide_count:d}'
              f'<span class="visually-hidden"> {words.read}</span></span>')
    if not sp.quiz_id:
        quiz = ""
    elif sp.quiz_best is None:
        quiz = f'<span class="dash-quiz"><span class="dash-muted">{words.no_attempt}</span></span>'
    elif sp.quiz_passed:
        quiz = (f'<span class="dash-quiz"><span class="visually-hidden">{words.best} </span>{sp.quiz_best:d} % '
                f'<span class="dash-pass" aria-hidden="true">✓</span><span class="visually-hidden">{words.passed}</span></span>')
    else:
        quiz = (f'<span class="dash-quiz"><span class="visually-hidden">{words.best} </span>{sp.quiz_best:d} %'
                f'<span class="visually-hidden">, {words.not_passed}</span></span>')
    return f'<td class="dash-section">{slides}{quiz}</td>'
