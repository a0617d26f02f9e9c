"""allauth's account adapter, so that a join link finishes the job.

Someone who opens a cohort's join link and signs up must still confirm their
e-mail address, possibly on another device. The intent to join is stored with
the new account (``PendingJoin``) when the account is saved, named in the
verification e-mail, and carried out when the address is confirmed; the next
log-in (same device or not) tells the learner what happened and lands them on
their enrolment. A learner with an account who logs in from a join link is
enrolled the same way. No signals: allauth calls these hooks itself.
"""
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from accounts.adapter import AccountAdapter as _MailDoorAdapter

from . import access, selectors, services
from .models import Cohort, PendingJoin, normalise_join_code

# allauth's mails leave through accounts.mail.send (accounts.adapter); this adds the join link.
_Base = _MailDoorAdapter


def cohort_from_join_url(url: str | None) -> Cohort | None:
    """The cohort whose join link ``url`` is (a path or an absolute URL on this site), else ``None``."""
    if not url:
        return None
    try:
        match = resolve(urlsplit(str(url)).path)
    except Resolver404:
        return None
    if match.view_name != "centres:join":
        return None
    return selectors.cohort_by_join_code(normalise_join_code(match.kwargs.get("code", "")))


def _next_url(request) -> str:
    if request is None:
        return ""
    return request.POST.get("next") or request.GET.get("next") or ""


class AccountAdapter(_Base):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        cohort = cohort_from_join_url(_next_url(request))
        if commit and cohort is not None:
            services.pending_join_record(user=user, cohort=cohort)
        return user

    def send_mail(self, template_prefix, email, context):
        # The verification e-mail names the cohort and centre the newcomer is joining.
        if template_prefix.startswith("account/email/email_confirmation") and context.get("user") is not None:
            pending = selectors.pending_join_for(user=context["user"])
            if pending is not None:
                context = {**context, "joining": pending.cohort}
        return super().send_mail(template_prefix, email, context)

    def confirm_email(self, request, email_address):
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.pending_join_finish(user=email_address.user)
        return confirmed

    def get_email_verification_redirect_url(self, email_address):
        # Only reached when confirming did not log in (another device or browser than the
        # sign-up): say what happened here too; the first log-in, here or elsewhere,
        # reports it again and opens the enrolment.
        if not self.request.user.is_authenticated:
            pending = PendingJoin.objects.unreported().select_related("cohort__centre").filter(
                user_id=email_address.user_id).first()
            if pending is not None:
                _tell(self.request, pending, then_log_in=True)
        return super().get_email_verification_redirect_url(email_address)

    def get_login_redirect_url(self, request):
        """Centre staff land on their work (the centre page), learners on "Mijn leeromgeving"
        (issue 9.10). A ``next`` address, where there is one, still wins (allauth's rule)."""
        if access.can_use_centre_pages(request.user):
            return reverse("centres:home")
        return super().get_login_redirect_url(request)

    def post_login(self, request, user, *, redirect_url=None, **kwargs):
        cohort = cohort_from_join_url(redirect_url)
        if cohort is not None and not PendingJoin.objects.unfinished().filter(user=user).exists():
            # Logged in from a join link: the log-in page said this enrols them.
            services.pending_join_record(user=user, cohort=cohort)
        services.pending_join_finish(user=user)
        response = super().post_login(request, user, redirect_url=redirect_url, **kwargs)
        report = services.pending_join_take_report(user=user)
        if report is None or not isinstance(response, HttpResponseRedirect):
            return response
        _tell(request, report)
        if report.outcome == PendingJoin.Outcome.ENROLLED and report.enrollment_id:
            return HttpResponseRedirect(reverse("centres:enrollment", kwargs={"pk": report.enrollment_id}))
        return HttpResponseRedirect(reverse("dashboard"))


def _tell(request, pending: PendingJoin, *, then_log_in: bool = False) -> None:
    names = {"cohort": pending.cohort.name, "centre": pending.cohort.centre.name}
    if pending.outcome == PendingJoin.Outcome.ENROLLED:
        if then_log_in:
            text = _("Je e-mailadres is bevestigd en je bent ingeschreven voor %(cohort)s van %(centre)s. "
                     "Log in om te beginnen.")
        else:
            text = _("Je bent ingeschreven voor %(cohort)s van %(centre)s.")
        messages.success(request, text % names)
    else:
        refusal = selectors.REFUSAL_MESSAGES.get(pending.reason, "")
        messages.error(
            request,
            _("Je kon niet worden ingeschreven voor %(cohort)s van %(centre)s.") % names + " " + str(refusal),
        )
