"""Pages of the centres app: the learner's side (joining, invitations, "Mijn
leeromgeving") and the centre staff's side (cohorts, learners, bulk enrolment).

Views stay thin: access through ``access``, reads through ``selectors``,
writes through ``services``. State changes only by POST, then a redirect.
"""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from progress import services as progress_services
from progress.selectors import modules_progress

from . import access, bulk, selectors, services
from .forms import (
    BulkEnrollForm,
    CohortForm,
    EnrollmentStatusForm,
    InvitationSignupForm,
    managed_centres,
)
from .models import Cohort, Enrollment, EnrollmentBatch, normalise_join_code

ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


# --- the learner's side -------------------------------------------------------


@require_GET
@login_required
def dashboard(request):
    """"Mijn leeromgeving": the learner's cohorts and modules."""
    enrollments = list(selectors.learner_enrollments(request.user))
    # Progress belongs to the learner and the module: two cohorts of one module show the same figure.
    modules = list({e.cohort.module_id: e.cohort.module for e in enrollments}.values())
    progress = {p.module.pk: p for p in modules_progress(user=request.user, modules=modules)}
    for enrollment in enrollments:
        enrollment.progress = progress.get(enrollment.cohort.module_id)
    current = [e for e in enrollments if e.status != Enrollment.Status.WITHDRAWN]
    withdrawn = [e for e in enrollments if e.status == Enrollment.Status.WITHDRAWN]
    # A learner who finished the module before joining a cohort gets the certificate now (once).
    for module_progress in progress.values():
        if module_progress.complete and module_progress.certificate is None and any(
            e.cohort.module_id == module_progress.module.pk for e in current
        ):
            module_progress.certificate = progress_services.module_completion_check(
                user=request.user, module=module_progress.module
            )
    return render(request, "learning/dashboard.html", {"current": current, "withdrawn": withdrawn})


@require_GET
@login_required
def enrollment_detail(request, pk):
    enrollment = access.get_enrollment_for_learner_or_404(request.user, pk)
    trainers = list(enrollment.cohort.trainers.order_by("name", "email"))
    return render(request, "centres/enrollment_detail.html", {"enrollment": enrollment, "trainers": trainers})


@require_POST
@login_required
def enrollment_leave(request, pk):
    """A learner leaves a cohort themselves; from then on its staff see nothing of theirs."""
    enrollment = access.get_enrollment_for_learner_or_404(request.user, pk)
    cohort = enrollment.cohort
    services.leave_cohort(enrollment=enrollment)
    messages.success(
        request,
        _("Je hebt %(cohort)s verlaten. Je trainer en je centrum zien je voortgang niet meer; die blijft wel van jou.")
        % {"cohort": cohort.name},
    )
    return redirect("dashboard")


@require_http_methods(["GET", "POST"])
def join(request, code):
    """The join link: shows the cohort, asks an anonymous visitor to sign up or log
    in (and come back here), and enrols a logged-in learner on POST."""
    cohort = selectors.cohort_by_join_code(normalise_join_code(code))
    if cohort is None:
        return render(request, "centres/join_unknown.html", status=404)
    join_url = cohort.get_join_url()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(_with_next("account_login", join_url))
        try:
            result = services.enroll(cohort=cohort, user=request.user)
        except services.EnrollmentRefused as refusal:
            messages.error(request, refusal.message)
            return redirect(join_url)
        if result.created:
            messages.success(request, _("Je bent ingeschreven voor %(cohort)s.") % {"cohort": cohort.name})
        return redirect("centres:enrollment", pk=result.enrollment.pk)

    enrollment = selectors.is_enrolled(request.user, cohort)
    # The same rule as the button's (services.enroll): the page never offers what the POST refuses.
    refusal = selectors.join_refusal(cohort=cohort, user=request.user, enrollment=enrollment)
    context = {
        "cohort": cohort,
        "enrollment": enrollment if enrollment and enrollment.status != Enrollment.Status.WITHDRAWN else None,
        "refusal": refusal,
        "refusal_message": selectors.REFUSAL_MESSAGES.get(refusal) if refusal else None,
        "signup_url": _with_next("account_signup", join_url),
        "login_url": _with_next("account_login", join_url),
    }
    return render(request, "centres/join.html", context)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """An invitation sent by bulk enrolment: completes sign-up (or asks to log in) and enrols."""
    from django.contrib.auth import get_user_model

    invite = selectors.invitation_for_token(token=token)
    if invite is None:
        return render(request, "centres/invitation_notice.html", {"notice": "unknown"}, status=404)
    cohort = invite.cohort
    here = reverse("centres:invitation", kwargs={"token": token})
    context = {"invitation": invite, "cohort": cohort, "login_url": _with_next("account_login", here)}

    if invite.accepted_at is not None:
        if request.user.is_authenticated and request.user.pk == invite.accepted_by_id:
            enrollment = selectors.is_enrolled(request.user, cohort)
            if enrollment is not None:
                return redirect("centres:enrollment", pk=enrollment.pk)
        return render(request, "centres/invitation_notice.html", {**context, "notice": "used"})
    if invite.is_expired():
        return render(request, "centres/invitation_notice.html", {**context, "notice": "expired"}, status=410)

    if request.user.is_authenticated and request.user.email.lower() != invite.email.lower():
        return render(request, "centres/invitation_notice.html", {**context, "notice": "other_account"}, status=403)

    account = get_user_model().objects.filter(email__iexact=invite.email).first()
    if account is not None:
        if not request.user.is_authenticated:
            return render(request, "centres/invitation_notice.html", {**context, "notice": "login"})
        if request.method == "POST":
            try:
                result = services.accept_invitation(invitation=invite, user=request.user)
            except services.EnrollmentRefused as refusal:
                messages.error(request, refusal.message)
                return redirect(here)
            messages.success(request, _("Je bent ingeschreven voor %(cohort)s.") % {"cohort": cohort.name})
            return redirect("centres:enrollment", pk=result.enrollment.pk)
        return render(request, "centres/invitation_accept.html", context)

    form = InvitationSignupForm(
        request.POST or None,
        email=invite.email,
        initial={"name": invite.name, "company_name": invite.company_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user, result = services.accept_invitation_with_new_account(
                invitation=invite,
                password=form.cleaned_data["password1"],
                name=form.cleaned_data["name"],
                company_name=form.cleaned_data["company_name"],
            )
        except services.EnrollmentRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            login(request, user, backend=ALLAUTH_BACKEND)
            messages.success(request, _("Welkom! Je account is klaar en je bent ingeschreven voor %(cohort)s.") % {"cohort": cohort.name})
            return redirect("centres:enrollment", pk=result.enrollment.pk)
    context["form"] = form
    return render(request, "centres/invitation_signup.html", context)


# --- the centre staff's side -------------------------------------------------


@require_GET
@login_required
def centre_home(request):
    access.require_centre_staff(request.user)
    cohorts = list(selectors.cohorts_for_staff(request.user))
    centres = {}
    for cohort in cohorts:
        centres.setdefault(cohort.centre, []).append(cohort)
    return render(
        request,
        "centres/centre_home.html",
        {
            "centres": centres,
            "can_create": access.can_create_cohorts(request.user),
            "is_site_staff": access.is_site_staff(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def cohort_create(request):
    access.require_centre_staff(request.user)
    if not access.can_create_cohorts(request.user):
        raise PermissionDenied
    form = CohortForm(request.POST or None, centres=managed_centres(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cohort = services.create_cohort(
            centre=data["centre"],
            module=data["module"],
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            capacity=data["capacity"],
            is_open=data["is_open"],
            trainers=data["trainers"],
        )
        messages.success(request, _("Cohort %(name)s is aangemaakt. Deel de deelnamelink of schrijf deelnemers in.") % {"name": cohort.name})
        return redirect(cohort)
    return render(request, "centres/cohort_form.html", {"form": form, "cohort": None})


@require_http_methods(["GET", "POST"])
@login_required
def cohort_edit(request, pk):
    cohort = access.get_cohort_for_manager_or_404(request.user, pk)
    form = CohortForm(request.POST or None, instance=cohort, centres=managed_centres(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.update_cohort(
            cohort=cohort,
            module=data["module"],
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            capacity=data["capacity"],
            is_open=data["is_open"],
            trainers=data["trainers"],
        )
        messages.success(request, _("De wijzigingen zijn bewaard."))
        return redirect(cohort)
    return render(request, "centres/cohort_form.html", {"form": form, "cohort": cohort})


STATUS_FILTERS = {s.value for s in Enrollment.Status}


@require_GET
@login_required
def cohort_detail(request, pk):
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    status = request.GET.get("status") or ""
    if status not in STATUS_FILTERS:
        status = ""
    context = {
        "cohort": cohort,
        "trainers": list(cohort.trainers.order_by("name", "email")),
        "counts": selectors.cohort_counts(cohort),
        "learners": list(selectors.cohort_learners(cohort, status=status or None)),
        "companies": list(selectors.company_breakdown(cohort)),
        "invitations": list(selectors.open_invitations(cohort)),
        "batches": list(selectors.recent_batches(cohort)),
        "status_filter": status,
        "status_choices": Enrollment.Status.choices,
        "join_url": request.build_absolute_uri(cohort.get_join_url()),
        "can_manage": Cohort.objects.managed_by(request.user).filter(pk=cohort.pk).exists(),
        "join_refusal": selectors.join_refusal(cohort=cohort, check_places=False),
    }
    return render(request, "centres/cohort_detail.html", context)


@require_POST
@login_required
def cohort_regenerate_code(request, pk):
    cohort = access.get_cohort_for_manager_or_404(request.user, pk)
    services.regenerate_join_code(cohort=cohort)
    messages.success(request, _("Er is een nieuwe deelnamelink. De oude link werkt niet meer."))
    return redirect(cohort)


@require_POST
@login_required
def enrollment_status(request, pk, enrollment_pk):
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    enrollment = access.get_enrollment_for_staff_or_404(request.user, cohort, enrollment_pk)
    form = EnrollmentStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Onbekende actie."))
        return redirect(cohort)
    try:
        services.set_enrollment_status(enrollment=enrollment, status=form.cleaned_data["status"])
    except services.EnrollmentRefused as refusal:
        messages.error(request, refusal.message)
    else:
        learner = enrollment.user
        if form.cleaned_data["status"] == Enrollment.Status.WITHDRAWN:
            messages.success(request, _("%(learner)s is uitgeschreven.") % {"learner": learner})
        else:
            messages.success(request, _("%(learner)s is weer actief.") % {"learner": learner})
    return redirect(f"{cohort.get_absolute_url()}#deelnemers")


@require_POST
@login_required
def invitation_resend(request, pk, invitation_pk):
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    invite = access.get_invitation_for_staff_or_404(request.user, cohort, invitation_pk)
    try:
        sent = services.resend_invitation(invitation=invite, by=request.user, build_url=request.build_absolute_uri)
    except services.EnrollmentRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if sent:
            messages.success(request, _("De uitnodiging aan %(email)s is opnieuw verstuurd.") % {"email": invite.email})
        else:
            messages.error(request, _("De e-mail aan %(email)s kon niet worden verstuurd. Probeer het later opnieuw.") % {"email": invite.email})
    return redirect(f"{cohort.get_absolute_url()}#uitnodigingen")


@require_http_methods(["GET", "POST"])
@login_required
def bulk_enroll(request, pk):
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    form = BulkEnrollForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = bulk.bulk_enroll(
            cohort=cohort,
            rows=data["rows"],
            by=request.user,
            source=data["source"],
            filename=data["filename"],
            build_url=request.build_absolute_uri,
        )
        if not batch.mail_sent:
            messages.error(
                request,
                _("De inschrijvingen zijn bewaard, maar de e-mails konden niet worden verstuurd. Probeer het later opnieuw of neem contact op met de beheerder."),
            )
        return redirect("centres:batch_report", pk=cohort.pk, batch_pk=batch.pk)
    return render(
        request,
        "centres/bulk_enroll.html",
        {"cohort": cohort, "form": form, "counts": selectors.cohort_counts(cohort)},
    )


@require_GET
@login_required
def batch_report(request, pk, batch_pk):
    cohort = access.get_cohort_for_staff_or_404(request.user, pk)
    try:
        batch = EnrollmentBatch.objects.select_related("created_by").get(cohort=cohort, pk=batch_pk)
    except EnrollmentBatch.DoesNotExist:
        raise Http404("No such report.") from None
    rows = [
        {**row, "outcome_label": bulk.Outcome.LABELS.get(row["outcome"], row["outcome"]),
         "reason_label": bulk.Outcome.REASONS.get(row["reason"], row["reason"])}
        for row in batch.rows
    ]
    totals = {}
    for row in batch.rows:
        totals[row["outcome"]] = totals.get(row["outcome"], 0) + 1
    summary = [
        (code, label, totals.get(code, 0)) for code, label in bulk.Outcome.LABELS.items()
    ]
    return render(
        request,
        "centres/batch_report.html",
        {"cohort": cohort, "batch": batch, "rows": rows, "summary": summary},
    )
