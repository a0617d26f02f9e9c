"""The cohort dashboard: the grid of learners, the quiz item analysis, the CSV export and reminders.

Open to the cohort's trainers, its centre's managers and site staff, through the
same access helper as the other cohort pages: a cohort someone may not see
answers exactly like one that does not exist (404); a learner gets 403 for any
cohort. Views stay thin: reads in ``selectors``, the one write in ``services``.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centres import access
from quizzes import services as quiz_services
from quizzes.models import Quiz

from . import exports, selectors, services
from .forms import DEFAULT_FILTER, DEFAULT_SORT, ReminderForm, read_query
from .selectors import FILTERS, SORT_KEYS, Status

DEFAULTS = {"toon": DEFAULT_FILTER, "sorteer": DEFAULT_SORT}


def _query_string(**params) -> str:
    """``?toon=…&sorteer=…`` without the defaults, so that the plain URL is the default view."""
    kept = {name: value for name, value in params.items() if value != DEFAULTS.get(name)}
    return f"?{urlencode(kept)}" if kept else "?"


def _sort_links(show: str, sort: str) -> dict:
    """For each sortable column: the link that sorts by it (or flips it) and its aria-sort."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    links = {}
    for name in SORT_KEYS:
        active = name == current
        next_sort = name if not active or descending else f"-{name}"
        links[name] = {
            "href": _query_string(toon=show, sorteer=next_sort) + "#voortgang",
            "aria_sort": ("descending" if descending else "ascending") if active else None,
        }
    return links


FILTER_LABELS = {
    "alle": gettext_lazy("Alle deelnemers"),
    Status.NOT_STARTED: gettext_lazy("Niet begonnen"),
    Status.STUCK: gettext_lazy("Vastgelopen"),
    Status.COMPLETED: gettext_lazy("Afgerond"),
}


@require_GET
@login_required
def cohort_dashboard(request, pk):
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    show, sort = read_query(request.GET)
    dashboard = selectors.cohort_dashboard(cohort=cohort)
    rows = dashboard.rows_for(show=show, sort=sort)
    filters = [
        {
            "value": value,
            "label": FILTER_LABELS[value],
            "count": dashboard.totals.by_filter[value],
            "href": _query_string(toon=value, sorteer=sort) + "#voortgang",
            "current": value == show,
        }
        for value in FILTERS
    ]
    context = {
        "cohort": cohort,
        "dashboard": dashboard,
        "sections": dashboard.sections,
        "totals": dashboard.totals,
        "rows": rows,
        "show": show,
        "show_label": FILTER_LABELS[show],
        "sort": sort,
        "sort_links": _sort_links(show, sort),
        "filters": filters,
        "export_url": reverse("dashboards:export", args=[cohort.pk]) + _query_string(toon=show, sorteer=sort),
        "analysis": selectors.item_analysis(cohort=cohort, sections=dashboard.sections),
        "stuck_days": selectors.STUCK_AFTER_DAYS,
        "stuck_href": _query_string(toon=Status.STUCK, sorteer=sort) + "#voortgang",
    }
    return render(request, "dashboards/cohort_dashboard.html", context)


@require_GET
@login_required
def cohort_export(request, pk):
    """The grid as CSV, with the page's filter and order: what employers and funders ask for."""
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    show, sort = read_query(request.GET)
    dashboard = selectors.cohort_dashboard(cohort=cohort)
    return exports.dashboard_csv_response(
        dashboard=dashboard,
        rows=dashboard.rows_for(show=show, sort=sort),
        build_url=request.build_absolute_uri,
        today=timezone.localdate(),
    )


@require_http_methods(["GET", "POST"])
@login_required
def cohort_reminder(request, pk):
    """GET shows who would get a reminder and the e-mail itself; POST sends it, then back to the dashboard."""
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    dashboard_url = reverse("dashboards:cohort", args=[cohort.pk])
    if request.method == "POST":
        form = ReminderForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data["dagen"]
            try:
                result = services.send_reminders(
                    cohort=cohort, days=days, by=request.user, build_url=request.build_absolute_uri
                )
            except services.ReminderConflict:
                messages.error(request, _("Er werd op hetzelfde moment al een herinnering verstuurd. Bekijk de lijst opnieuw."))
                return redirect(f"{request.path}?{urlencode({'dagen': days})}")
            except services.ReminderNotSent:
                messages.error(request, _("De e-mails konden niet worden verstuurd; er is niets verstuurd. Probeer het later opnieuw."))
                return redirect(f"{request.path}?{urlencode({'dagen': days})}")
            messages.success(request, _reminder_outcome(result))
            return redirect(dashboard_url)
    else:
        form = ReminderForm(request.GET if "dagen" in request.GET else None)
    days = form.cleaned_data["dagen"] if form.is_bound and form.is_valid() else form.fields["dagen"].initial
    plan = selectors.reminder_plan(cohort=cohort, days=days) if not form.errors else None
    # The mail differs for who never began and who began: show one of each that goes out.
    examples = []
    for started in (False, True):
        row = next((r for r in (plan.recipients if plan else []) if r.started == started), None)
        if row is not None:
            message = services.reminder_message(
                row=row, cohort=cohort, days=days, sender=request.user, build_url=request.build_absolute_uri
            )
            examples.append({"row": row, "message": message})
    context = {
        "cohort": cohort,
        "form": form,
        "days": days,
        "plan": plan,
        "examples": examples,
        "dashboard_url": dashboard_url,
    }
    return render(request, "dashboards/reminder.html", context, status=400 if form.errors else 200)


@require_GET
@login_required
@never_cache
def learner_attempts(request, pk, user_id):
    """A learner's quiz attempts for the cohort's staff: used today, the pause, when the next opens,
    and "Pogingen herstellen" per quiz (a learner who is stuck behind the limit, or who had a bad day)."""
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    enrollment = selectors.learner_in_cohort_or_404(cohort=cohort, user_id=user_id)
    context = {
        "cohort": cohort,
        "learner": enrollment.user,
        "quizzes": selectors.learner_quiz_attempts(cohort=cohort, user=enrollment.user),
        "dashboard_url": reverse("dashboards:cohort", args=[cohort.pk]),
    }
    return render(request, "dashboards/learner_attempts.html", context)


@require_POST
@login_required
def learner_attempts_reset(request, pk, user_id, number):
    """Give the learner a fresh start at the quiz of section ``number``; their attempts stay on record."""
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    enrollment = selectors.learner_in_cohort_or_404(cohort=cohort, user_id=user_id)
    quiz = Quiz.objects.select_related("section").filter(section__module=cohort.module, section__number=number).first()
    if quiz is None:
        raise Http404("No such quiz.")
    quiz_services.attempts_reset(quiz=quiz, user=enrollment.user, by=request.user)
    messages.success(
        request,
        _("De pogingen van %(name)s voor de quiz van sectie %(number)s zijn hersteld: de volgende poging kan meteen.")
        % {"name": enrollment.user.name or enrollment.user.email, "number": number},
    )
    return redirect(reverse("dashboards:attempts", args=[cohort.pk, enrollment.user_id]))


def _reminder_outcome(result: services.ReminderResult) -> str:
    if not result.sent and not result.skipped:
        return _("Er was niemand om te herinneren: iedereen is onlangs nog actief geweest of al klaar.")
    sent = ngettext(
        "%(count)d herinnering verstuurd.", "%(count)d herinneringen verstuurd.", result.sent
    ) % {"count": result.sent}
    if not result.skipped:
        return sent
    skipped = ngettext(
        "%(count)d deelnemer overgeslagen: kreeg de afgelopen 7 dagen al een herinnering.",
        "%(count)d deelnemers overgeslagen: kregen de afgelopen 7 dagen al een herinnering.",
        result.skipped,
    ) % {"count": result.skipped}
    return f"{sent} {skipped}"


def _learner_or_404(request, pk, enrollment_pk):
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    enrollment = access.get_enrollment_for_staff_or_404(request.user, cohort, enrollment_pk)
    detail = selectors.learner_detail(cohort=cohort, enrollment=enrollment)
    if detail is None:  # withdrawn: not on the dashboard, so no page of their own here
        raise Http404("No such learner on this dashboard.")
    return cohort, enrollment, detail


@require_GET
@login_required
def learner(request, pk, enrollment_pk):
    """One learner, for their trainer (18 queries as a trainer, pinned in tests): progress, every slide read, every attempt with each answer,
    the reminders they got, and "Stuur herinnering" for them alone (issue 9.11)."""
    cohort, enrollment, detail = _learner_or_404(request, pk, enrollment_pk)
    context = {
        "cohort": cohort,
        "enrollment": enrollment,
        "detail": detail,
        "row": detail.row,
        "dashboard_url": reverse("dashboards:cohort", args=[cohort.pk]),
        "stuck_days": selectors.STUCK_AFTER_DAYS,
    }
    return render(request, "dashboards/learner.html", context)


@require_POST
@login_required
def learner_remind(request, pk, enrollment_pk):
    cohort, enrollment, detail = _learner_or_404(request, pk, enrollment_pk)
    here = reverse("dashboards:learner", args=[cohort.pk, enrollment.pk])
    name = detail.row.user.get_full_name()
    if detail.row.completed:
        messages.error(request, _("%(name)s heeft de module al afgerond: er is niets om aan te herinneren.") % {"name": name})
        return redirect(here)
    try:
        services.send_reminder(cohort=cohort, row=detail.row, by=request.user, build_url=request.build_absolute_uri)
    except (services.ReminderTooSoon, services.ReminderConflict):
        messages.error(request, _("%(name)s kreeg de afgelopen 7 dagen al een herinnering; er is er geen nieuwe verstuurd.") % {"name": name})
    except services.ReminderNotSent:
        messages.error(request, _("De e-mail kon niet worden verstuurd; er is niets verstuurd. Probeer het later opnieuw."))
    else:
        messages.success(request, _("Herinnering verstuurd aan %(name)s.") % {"name": name})
    return redirect(here)
