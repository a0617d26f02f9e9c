"""Site staff manage centres and their staff here; centre staff use the centre pages."""
from django.contrib import admin

from config.admin_widgets import SafeAutocompleteMixin

from . import services
from .models import Centre, CentreStaff, Cohort, Enrollment, EnrollmentBatch, Invitation


class CentreStaffInline(SafeAutocompleteMixin, admin.TabularInline):
    model = CentreStaff
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "contact_email"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CentreStaffInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is CentreStaff:
            # Trainers need the admin (staff status and the Trainers group) to edit the module.
            for staff in formset.queryset.filter(role=CentreStaff.Role.TRAINER).select_related("user"):
                services.grant_trainer_admin_access(user=staff.user)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "centre", "module", "start_date", "end_date", "capacity", "is_open", "join_code"]
    list_filter = ["centre", "is_open"]
    search_fields = ["name", "join_code", "centre__name"]
    readonly_fields = ["join_code", "created_at"]
    filter_horizontal = ["trainers"]


@admin.register(Enrollment)
class EnrollmentAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["user", "cohort", "status", "enrolled_at", "status_changed_at"]
    list_filter = ["status", "cohort__centre"]
    search_fields = ["user__email", "user__name", "cohort__name"]
    autocomplete_fields = ["user", "cohort"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "cohort", "created_at", "expires_at", "accepted_at"]
    list_filter = ["cohort__centre"]
    search_fields = ["email", "name", "cohort__name"]
    readonly_fields = ["cohort", "email", "name", "company_name", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False  # invitations are sent from a cohort's page, which also e-mails them


@admin.register(EnrollmentBatch)
class EnrollmentBatchAdmin(admin.ModelAdmin):
    list_display = ["cohort", "created_at", "created_by", "source", "filename"]
    readonly_fields = ["cohort", "created_at", "created_by", "source", "filename", "rows"]

    def has_add_permission(self, request):
        return False

