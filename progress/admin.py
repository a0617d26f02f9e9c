"""Certificates in the admin: site staff can find one by code or name, revoke it, or reissue it.

Revoking asks for a reason on a confirmation page and goes through the
service, so the public verification page says "ingetrokken" from then on.
Reissuing (after the learner corrected their name or company) makes a new
certificate with the details as they are now; the old code's page then says
"vervangen door" the new one. Only site staff change certificates.
"""
from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Certificate, SlideView


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van intrekking"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Alleen voor beheer; de openbare controlepagina toont de reden niet."),
    )


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["display_code", "learner_name", "company_name", "module_title", "centre_name", "issued_at", "status"]
    list_filter = ["module", ("revoked_at", admin.EmptyFieldListFilter), ("replaced_by", admin.EmptyFieldListFilter)]
    search_fields = ["code", "learner_name", "company_name", "user__email", "centre_name", "cohort_name"]
    list_select_related = ["module", "replaced_by"]
    readonly_fields = [
        "display_code", "user", "module", "issued_at", "learner_name", "company_name", "module_title", "centre_name",
        "cohort_name", "revoked_at", "revoked_by", "revocation_reason", "replaced_by", "replaced_at",
        "verification_link",
    ]
    fields = readonly_fields
    actions = ["revoke", "reinstate", "reissue"]

    def has_add_permission(self, request):
        return False  # issued by completing the module, never by hand

    @admin.display(description=_("code"), ordering="code")
    def display_code(self, obj):
        return obj.display_code

    @admin.display(description=_("status"), boolean=False)
    def status(self, obj):
        if obj.is_replaced:
            return _("vervangen door %(code)s") % {"code": obj.replaced_by.display_code}
        return _("ingetrokken") if obj.is_revoked else _("geldig")

    @admin.action(description=_("Opnieuw uitreiken met de huidige naam en het huidige bedrijf (na een correctie)"),
                  permissions=["change"])
    def reissue(self, request, queryset):
        count = 0
        for certificate in queryset.filter(replaced_by__isnull=True):
            services.certificate_reissue(certificate=certificate)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d certificaat opnieuw uitgereikt; de oude code verwijst naar de nieuwe.",
                "%(count)d certificaten opnieuw uitgereikt; de oude codes verwijzen naar de nieuwe.",
                count,
            ) % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=_("controlepagina"))
    def verification_link(self, obj):
        from django.utils.html import format_html

        return format_html('<a href="{0}">{0}</a>', obj.get_absolute_url())

    @admin.action(description=_("Geselecteerde certificaten intrekken"), permissions=["change"])
    def revoke(self, request, queryset):
        if "apply" in request.POST:
            form = RevokeForm(request.POST)
            if form.is_valid():
                count = 0
                for certificate in queryset.filter(revoked_at__isnull=True):
                    services.certificate_revoke(certificate=certificate, by=request.user, reason=form.cleaned_data["reason"])
                    count += 1
                self.message_user(
                    request,
                    ngettext("%(count)d certificaat ingetrokken.", "%(count)d certificaten ingetrokken.", count)
                    % {"count": count},
                    messages.SUCCESS,
                )
                return None
        else:
            form = RevokeForm()
        return TemplateResponse(
            request,
            "admin/progress/certificate/revoke.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Certificaten intrekken"),
                "opts": self.model._meta,
                "certificates": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Intrekking van geselecteerde certificaten ongedaan maken"), permissions=["change"])
    def reinstate(self, request, queryset):
        count = 0
        for certificate in queryset.filter(revoked_at__isnull=False):
            services.certificate_reinstate(certificate=certificate)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d certificaat is weer geldig.", "%(count)d certificaten zijn weer geldig.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SlideView)
class SlideViewAdmin(admin.ModelAdmin):
    """Read-only: what learners read, for support questions ("ik had die slide toch gelezen?")."""

    list_display = ["user", "slide", "first_seen", "last_seen"]
    search_fields = ["user__email", "user__name"]
    list_filter = ["slide__section__module", "slide__section"]
    list_select_related = ["user", "slide__section"]
    readonly_fields = ["user", "slide", "first_seen", "last_seen"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
