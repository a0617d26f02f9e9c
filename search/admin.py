"""Staff edit the compounds list in the admin; saving it re-indexes the slides (a database trigger)."""
from django.contrib import admin

from .models import Compound, ZeroResultQuery


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["word", "parts"]
    search_fields = ["word", "parts"]
    ordering = ["word"]


@admin.register(ZeroResultQuery)
class ZeroResultQueryAdmin(admin.ModelAdmin):
    """Read-only counts; staff may delete a row (say, a query in which someone typed a name)."""

    list_display = ["week", "query", "count"]
    list_filter = ["week"]
    search_fields = ["query"]
    date_hierarchy = "week"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
