"""The idea wall's pages. Thin: access through ``access`` (the same 404 for "missing" and
"not yours"), reads in ``selectors``, writes in ``services``, redirect after every POST.

Everything works without JavaScript: each action is an ordinary form, and the page
reloads. ``static/js/ideas-live.js`` adds polling of :func:`live` with ``If-None-Match``;
an unchanged wall answers 304 after two queries (the Django session and one that checks
access and reads the version at once), without loading the user or rendering anything.
"""
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centres import access as centres_access
from dashboards.exports import spreadsheet_csv

from . import access, exports, selectors, services
from .forms import (
    ClusterForm,
    HideForm,
    IdeaForm,
    MergeForm,
    NextStepsForm,
    PhaseForm,
    SessionForm,
)
from .models import PHASE_ORDER, Cluster, Idea, Kind, Phase

NO_STORE = "private, no-store"


def _private(response):
    # Personal pages: never stored, by a shared cache or the browser. The polling script keeps
    # the ETag itself and sends If-None-Match on its own, so no-store costs it nothing.
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_GET
def my_sessions(request):
    """A learner's way in: the sessions of the cohorts they take part in."""
    sessions = list(selectors.sessions_for_learner(request.user))
    return _private(render(request, "ideas/my_sessions.html", {"sessions": sessions, "leader": False}))


@login_required
@require_http_methods(["GET", "POST"])
def cohort_sessions(request, pk):
    """The trainer's list of a cohort's sessions, with the form that starts a new one."""
    cohort = centres_access.get_cohort_for_staff_or_404(request.user, pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = services.session_create(cohort=cohort, by=request.user, **form.cleaned_data)
        messages.success(request, _("De sessie staat klaar. Deelnemers van het cohort zien hem nu."))
        return redirect(session)
    sessions = list(selectors.sessions_for_cohort(cohort))
    return _private(render(request, "ideas/cohort_sessions.html", {"cohort": cohort, "sessions": sessions, "form": form, "leader": True}))


def _wall_context(request, seat, *, idea_form=None):
    session = seat.session
    wall = selectors.wall(session=session, viewer=request.user, is_leader=seat.is_leader)
    index = session.phase_index
    return {
        "session": session,
        "cohort": session.cohort,
        "seat": seat,
        "wall": wall,
        "phases": [(value, label, i < index, i == index) for i, (value, label) in enumerate(Phase.choices)],
        "next_phase": Phase(PHASE_ORDER[index + 1]) if index + 1 < len(PHASE_ORDER) else None,
        "previous_phase": Phase(PHASE_ORDER[index - 1]) if index > 0 else None,
        "leader": seat.is_leader,
        "idea_form": idea_form or IdeaForm(),
        "blank_form": IdeaForm(),
        "hide_form": HideForm(),
        "cluster_form": ClusterForm(),
        "next_steps_form": NextStepsForm(initial={"next_steps": session.next_steps}),
        "has_ended": session.ends_at is not None and session.ends_at <= timezone.now(),
        "etag": access.etag_for(
            pk=session.pk, version=session.version, user_id=request.user.pk, language=get_language(), ends_at=session.ends_at
        ),
        "Kind": Kind,
        "Phase": Phase,
    }


@login_required
@require_GET
def session_detail(request, pk):
    seat = access.get_seat_or_404(request.user, pk)
    return _private(render(request, "ideas/session.html", _wall_context(request, seat)))


@require_GET
def live(request, pk):
    """The wall's changing part, for polling. 304 when nothing changed since the client's copy."""
    user_id = request.session.get(SESSION_KEY)
    etag = access.live_version(user_id=user_id, pk=pk, language=get_language())
    if etag is not None and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return _private(response)
    if not request.user.is_authenticated:
        raise Http404("No such session.")
    seat = access.get_seat_or_404(request.user, pk)
    context = _wall_context(request, seat)
    if context["etag"] in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = render(request, "ideas/_live.html", context)
    response["ETag"] = context["etag"]
    return _private(response)


def _back(session, anchor=""):
    return redirect(reverse("ideas:session", kwargs={"pk": session.pk}) + anchor)


def _idea_or_404(session, idea_pk):
    try:
        return Idea.objects.select_related("session").get(session=session, pk=idea_pk)
    except (Idea.DoesNotExist, ValueError, TypeError):
        raise Http404("No such idea.") from None


@login_required
@require_POST
def idea_post(request, pk):
    seat = access.get_learner_seat_or_404(request.user, pk)
    session = seat.session
    form = IdeaForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Idea.objects.filter(session=session, pk=form.cleaned_data["parent"]).first()
            if parent is None:
                form.add_error(None, _("Dat idee bestaat niet (meer)."))
        if not form.errors:
            try:
                idea = services.idea_post(
                    session=session,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    is_anonymous=form.cleaned_data["is_anonymous"],
                    is_wild=form.cleaned_data["is_wild"],
                    parent=parent,
                )
            except services.IdeaRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Je idee staat erop."))
                return _back(session, f"#idee-{idea.pk}")
    # The text is kept in the form: an idea is never lost because the phase moved on.
    session.refresh_from_db()
    response = render(request, "ideas/session.html", _wall_context(request, seat, idea_form=form), status=400)
    return _private(response)


@login_required
@require_POST
def ready(request, pk):
    seat = access.get_learner_seat_or_404(request.user, pk)
    services.ready_set(session=seat.session, user=request.user, ready=request.POST.get("klaar") == "ja")
    return _back(seat.session, "#klaar")


@login_required
@require_POST
def vote(request, pk, idea_pk):
    seat = access.get_learner_seat_or_404(request.user, pk)
    idea = _idea_or_404(seat.session, idea_pk)
    try:
        if request.POST.get("stip") == "weg":
            services.vote_remove(idea=idea, user=request.user)
        else:
            services.vote_add(idea=idea, user=request.user)
    except services.IdeaRefused as refused:
        messages.error(request, refused.message)
    return _back(seat.session, f"#idee-{idea.pk}")


@login_required
@require_POST
def phase(request, pk):
    seat = access.get_leader_seat_or_404(request.user, pk)
    form = PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Onbekende fase."))
        return _back(seat.session)
    try:
        session = services.phase_move(session=seat.session, by=request.user, to=form.cleaned_data["to"])
    except services.IdeaRefused as refused:
        messages.error(request, refused.message)
        return _back(seat.session)
    messages.success(request, _("Fase: %(phase)s.") % {"phase": session.get_phase_display()})
    return _back(session)


@login_required
@require_POST
def moderate(request, pk, idea_pk):
    """The trainer's actions on one idea: hide (with a reason) or show again, merge a
    duplicate, put it in a cluster, mark it chosen."""
    seat = access.get_leader_seat_or_404(request.user, pk)
    session = seat.session
    idea = _idea_or_404(session, idea_pk)
    action = request.POST.get("actie")
    try:
        if action == "verbergen":
            form = HideForm(request.POST)
            if not form.is_valid():
                raise services.IdeaRefused(_("Geef een reden: de schrijver van het idee ziet die."))
            services.idea_hide(idea=idea, by=request.user, reason=form.cleaned_data["reason"])
        elif action == "tonen":
            services.idea_unhide(idea=idea, by=request.user)
        elif action == "samenvoegen":
            form = MergeForm(request.POST)
            if not form.is_valid():
                raise services.IdeaRefused(_("Geef het nummer van het idee waarvan dit een dubbel is."))
            numbers = list(Idea.objects.filter(session=session).order_by("created_at", "pk").values_list("pk", flat=True))
            number = form.cleaned_data["into"]
            if number > len(numbers):
                raise services.IdeaRefused(_("Er is geen idee met nummer %(number)s.") % {"number": number})
            services.idea_merge(duplicate=idea, into=_idea_or_404(session, numbers[number - 1]), by=request.user)
        elif action == "cluster":
            value = request.POST.get("cluster", "")
            cluster = None
            if value:
                cluster = Cluster.objects.filter(session=session, pk=value if value.isdigit() else 0).first()
                if cluster is None:
                    raise services.IdeaRefused(_("Dat cluster bestaat niet."))
            services.cluster_assign(idea=idea, cluster=cluster, by=request.user)
        elif action in ("kiezen", "niet-kiezen"):
            services.idea_choose(idea=idea, by=request.user, chosen=action == "kiezen")
        else:
            raise services.IdeaRefused(_("Onbekende actie."))
    except services.IdeaRefused as refused:
        messages.error(request, refused.message)
    return _back(session, f"#idee-{idea.pk}")


@login_required
@require_POST
def clusters(request, pk):
    seat = access.get_leader_seat_or_404(request.user, pk)
    session = seat.session
    try:
        if request.POST.get("verwijder"):
            cluster = Cluster.objects.filter(session=session, pk=request.POST["verwijder"] if request.POST["verwijder"].isdigit() else 0).first()
            if cluster is None:
                raise services.IdeaRefused(_("Dat cluster bestaat niet."))
            services.cluster_delete(cluster=cluster, by=request.user)
        else:
            form = ClusterForm(request.POST)
            if not form.is_valid():
                raise services.IdeaRefused(_("Geef het cluster een naam (hoogstens 80 tekens)."))
            services.cluster_create(session=session, by=request.user, name=form.cleaned_data["name"])
    except services.IdeaRefused as refused:
        messages.error(request, refused.message)
    return _back(session, "#clusters")


@login_required
@require_POST
def next_steps(request, pk):
    seat = access.get_leader_seat_or_404(request.user, pk)
    form = NextStepsForm(request.POST)
    try:
        if not form.is_valid():
            raise services.IdeaRefused(_("De volgende stappen zijn hoogstens 2000 tekens."))
        services.next_steps_set(session=seat.session, by=request.user, text=form.cleaned_data["next_steps"])
        messages.success(request, _("De volgende stappen zijn bewaard."))
    except services.IdeaRefused as refused:
        messages.error(request, refused.message)
    return _back(seat.session, "#volgende-stappen")


@login_required
@require_GET
def export_csv(request, pk):
    seat = access.get_leader_seat_or_404(request.user, pk)
    session = seat.session
    wall = selectors.wall(session=session, viewer=request.user, is_leader=True)
    response = HttpResponse(spreadsheet_csv(exports.wall_rows(wall)), content_type="text/csv; charset=utf-8")
    name = slugify(session.cohort.name) or session.cohort_id
    response["Content-Disposition"] = f'attachment; filename="ideeen-{name}-{session.pk}-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def print_view(request, pk):
    """Everything on one page for paper: ideas in threads, clusters, dots, the chosen ideas and next steps."""
    seat = access.get_seat_or_404(request.user, pk)
    return _private(render(request, "ideas/print.html", _wall_context(request, seat)))
