"""The module in the admin: its title, introduction and a link to how learners see it."""
import reversion
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sections.forms import DescribedImagesMixin

from .history import AuthoringMedia, ContentVersionAdmin, view_on_site_link
from .models import Module

reversion.register(Module)

# The admin is where trainers work: say so in its header, not "Django".
admin.site.site_header = _("Duurzaam samenwerken · beheer")
admin.site.site_title = _("Beheer")
admin.site.index_title = _("Wat wil je bijwerken?")


class ModuleAdminForm(DescribedImagesMixin, admin.ModelAdmin.form):
    markdown_fields = ("introduction",)


@admin.register(Module)
class ModuleAdmin(ContentVersionAdmin):
    form = ModuleAdminForm
    list_display = ["number", "title", "programme", "language", "view_link"]
    list_display_links = ["number", "title"]
    search_fields = ["title", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["number", "title", "programme", "language", "introduction", "slug"]
    compare_fields = ("title", "programme", "introduction")
    Media = AuthoringMedia

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        help_texts = {
            "introduction": _("Markdown. Staat bovenaan het moduleoverzicht, vóór de secties."),
            "slug": _("Het stuk van het webadres na /module/. Verander het niet meer als cursisten al begonnen zijn."),
            "number": _("Het nummer van de module in het programma, bijvoorbeeld 6."),
        }
        for name, text in help_texts.items():
            if name in form.base_fields:
                form.base_fields[name].help_text = text
        return form

    @admin.display(description=_("op de site"))
    def view_link(self, obj):
        return view_on_site_link(obj)
