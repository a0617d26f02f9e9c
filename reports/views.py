"""The centre report and the programme report, as a page, a CSV and an XLSX file.

Who sees what, through the same rule as every centre page (``Cohort.objects.visible_to``):
a centre manager reports on their centre's cohorts, a trainer on the cohorts they train,
site staff on every centre (and they alone open the programme report). A cohort or centre
someone may not see answers exactly like one that does not exist (404), and so does the
whole report for a learner: there is nothing here that is theirs.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from centres import access

from . import charts, exports, selectors
from .periods import PeriodForm


def _int_or_404(value):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("No such cohort or centre.") from None
    if not 0 < number < 2**31:
        raise Http404("No such cohort or centre.")
    return number


def _scope(request, *, programme: bool):
    """The cohorts of the report, after the centre and cohort filters; 404 for what the user may not see."""
    user = request.user
    if programme:
        if not access.is_site_staff(user):
            raise Http404("No such report.")
    elif not access.can_use_centre_pages(user):
        raise Http404("No such report.")
    visible = selectors.report_cohorts(user)
    centres = selectors.centres_of(visible)
    centre_id = _int_or_404(request.GET.get("centrum"))
    cohort_id = _int_or_404(request.GET.get("cohort"))
    centre = cohort = None
    cohorts = visible
    if centre_id is not None:
        centre = next((c for c in centres if c.pk == centre_id), None)
        if centre is None:
            raise Http404("No such centre.")
        cohorts = cohorts.filter(centre=centre)
    if cohort_id is not None:
        cohort = cohorts.select_related("centre").filter(pk=cohort_id).first()
        if cohort is None:
            raise Http404("No such cohort.")
        cohorts = cohorts.filter(pk=cohort.pk)
    choices = list(visible.filter(centre=centre) if centre else visible)
    return {"cohorts": cohorts, "centres": centres, "centre": centre, "cohort": cohort, "cohort_choices": choices}


def _charts(report):
    funnel_labels = exports.stage_labels()
    funnel = charts.bar_chart(
        [
            (label, stage.count, f"{stage.count} ({stage.percent} %)" if stage.percent is not None else "0")
            for label, stage in zip(funnel_labels, report.funnel.stages)
        ]
    )
    sector = charts.bar_chart([(item.label, item.count, str(item.count)) for item in report.by_sector if item.count])
    size = charts.bar_chart([(item.label, item.count, str(item.count)) for item in report.by_size if item.count])
    months = charts.bar_chart(
        [(date_format(month, "F Y"), count, str(count)) for month, count in report.per_month]
    )
    first_pass = charts.bar_chart(
        [
            (
                _("Sectie %(number)s: %(title)s") % {"number": rate.number, "title": rate.title},
                rate.percent or 0,
                f"{rate.percent} % ({rate.passed} / {rate.attempts})",
            )
            for rate in report.first_pass
        ],
        scale_to=100,
    )
    return {"funnel": funnel, "sector": sector, "size": size, "months": months, "first_pass": first_pass}


def _report(request, *, programme: bool, kind: str):
    scope = _scope(request, programme=programme)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        template = "reports/programme_report.html" if programme else "reports/centre_report.html"
        return render(request, template, {"form": form, **scope, "programme": programme}, status=400)
    period = form.cleaned_data["period"]
    report = selectors.build_report(cohorts=scope["cohorts"], period=period)
    name = "programma" if programme else f"centrum-{slugify(scope['centre'].name) if scope['centre'] else 'rapport'}"
    filename = f"{name}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}"
    if kind == "csv":
        return exports.csv_response(report=report, programme=programme, filename=filename)
    if kind == "xlsx":
        return exports.xlsx_response(report=report, programme=programme, filename=filename)
    query = urlencode([(k, v) for k, v in request.GET.items() if k in {"periode", "van", "tot", "centrum", "cohort"}])
    period_query = urlencode([(k, v) for k, v in request.GET.items() if k in {"periode", "van", "tot"}])
    base = reverse("reports:programme" if programme else "reports:centre")
    context = {
        "form": form,
        "report": report,
        "charts": _charts(report),
        "programme": programme,
        "csv_url": f"{base}export.csv?{query}",
        "xlsx_url": f"{base}export.xlsx?{query}",
        "stage_labels": exports.stage_labels(),
        "period_query": period_query,
        **scope,
    }
    template = "reports/programme_report.html" if programme else "reports/centre_report.html"
    return render(request, template, context)


def _view(*, programme: bool, kind: str):
    @require_GET
    @login_required
    @cache_control(private=True, no_store=True)
    def view(request):
        return _report(request, programme=programme, kind=kind)

    return view


centre_report = _view(programme=False, kind="html")
centre_export_csv = _view(programme=False, kind="csv")
centre_export_xlsx = _view(programme=False, kind="xlsx")
programme_report = _view(programme=True, kind="html")
programme_export_csv = _view(programme=True, kind="csv")
programme_export_xlsx = _view(programme=True, kind="xlsx")
