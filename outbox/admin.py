"""The outbox for staff: what is waiting, what went out, what failed and why; send again."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    # What staff look for first (status, who, why it failed) before the dates; on a phone the
    # table scrolls sideways, so status and address come first.
    list_display = ["status", "recipients", "subject", "attempts", "error", "created_at", "sent_at"]
    list_display_links = ["recipients"]
    list_filter = ["status", "created_at"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    # The body is never shown: it may hold someone's password-reset or invitation link.
    fields = ["status", "recipients", "subject", "from_email", "created_at", "attempts", "last_error",
              "sent_at", "message_id"]
    readonly_fields = fields
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("aan"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.display(description=_("laatste foutmelding"), ordering="last_error")
    def error(self, obj):
        return obj.last_error if len(obj.last_error) <= 90 else obj.last_error[:89] + "…"

    def has_add_permission(self, request):
        return False  # mails are written by the site, not by hand

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Opnieuw versturen"), permissions=["resend"])
    def send_again(self, request, queryset):
        queued = services.resend(mails=list(queryset))
        skipped = queryset.count() - queued
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail staat weer in de wachtrij.", "%(count)d e-mails staan weer in de wachtrij.", queued
            ) % {"count": queued},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail is al verstuurd of wordt nu verstuurd en is niet opnieuw verstuurd.",
                    "%(count)d e-mails zijn al verstuurd of worden nu verstuurd en zijn niet opnieuw verstuurd.",
                    skipped,
                ) % {"count": skipped},
                messages.WARNING,
            )

    def has_resend_permission(self, request):
        return request.user.has_perm("outbox.resend_outgoingmail")
