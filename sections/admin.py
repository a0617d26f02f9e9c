"""The admin as a trainer's authoring tool: sections with their slides, slides with their links, images.

Written for someone who knows the subject and not Django: Dutch labels and
help texts, a "Bekijk op de site" link everywhere, the Markdown editor with the
site's own preview, slide order typed as numbers (``courses.ordering`` closes
gaps and resolves clashes), and every change kept by django-reversion with who
and when, so an earlier version can be compared and restored
(``courses.history.ContentVersionAdmin``).
"""
import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from config.admin_widgets import SafeAutocompleteMixin
from courses.history import (
    MARKDOWN_EDITOR,
    AuthoringMedia,
    ContentVersionAdmin,
    view_on_site_link,
)
from progress.admin_hooks import RecountsProgressAdmin

from . import services
from .forms import SectionAdminForm, SlideAdminForm, SlideImageForm, SlideInlineForm
from .models import Resource, Section, Slide, SlideImage

# What history keeps. A slide's version carries its links, so restoring a slide
# brings its links back as they were; a section's version is its own text only,
# so restoring a section never rolls its slides back. (courses.admin registers
# Module; a content app with questions registers them the same way, e.g.
# ``reversion.register(Question, follow=["choices"])`` in its admin.py, and
# subclasses ``courses.history.ContentVersionAdmin`` for history, compare and restore.)
reversion.register(Slide, follow=["resources"])
reversion.register(Resource)
reversion.register(Section)


# --- sections ----------------------------------------------------------------------


class SlideInline(admin.TabularInline):
    model = Slide
    form = SlideInlineForm
    fields = ["position", "title", "kind", "is_published", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["position"]
    extra = 0
    show_change_link = True
    verbose_name = _("slide")
    verbose_name_plural = _("slides van deze sectie (volgorde: pas de nummers aan en klik op Opslaan)")


@admin.register(Section)
class SectionAdmin(RecountsProgressAdmin, ContentVersionAdmin):
    form = SectionAdminForm
    list_display = ["number", "title", "module", "slide_count", "view_link"]
    list_display_links = ["number", "title"]
    list_filter = ["module"]
    search_fields = ["title", "introduction"]
    list_select_related = ["module"]
    fields = ["module", "number", "title", "introduction"]
    inlines = [SlideInline]
    compare_fields = ("title", "introduction")
    Media = AuthoringMedia

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            _slide_count=Count("slides"), _published_count=Count("slides", filter=Q(slides__is_published=True))
        )

    @admin.display(description=_("slides (gepubliceerd)"), ordering="_slide_count")
    def slide_count(self, obj):
        return f"{obj._slide_count} ({obj._published_count})"

    @admin.display(description=_("op de site"))
    def view_link(self, obj):
        return view_on_site_link(obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Slide:
            return super().save_formset(request, form, formset, change)
        # Sets new_objects / changed_objects / deleted_objects for the change message.
        formset.save(commit=False)
        placed, changed = [], []
        deleted_forms = set(formset.deleted_forms)
        for slide_form in formset.forms:
            if slide_form in deleted_forms or not slide_form.has_changed():
                continue
            slide = slide_form.instance
            if slide.pk is None or "position" in slide_form.changed_data:
                placed.append((slide, slide_form.cleaned_data.get("position")))
            else:
                changed.append(slide)
        services.save_section_slides(
            section=form.instance, placed=placed, changed=changed, deleted=formset.deleted_objects
        )


# --- slides -----------------------------------------------------------------------


class ResourceInline(admin.TabularInline):
    model = Resource
    formfield_overrides = MARKDOWN_EDITOR
    fields = ["position", "title", "url", "kind", "health_badge"]
    readonly_fields = ["health_badge"]
    extra = 0
    verbose_name = _("externe bron")
    verbose_name_plural = _("externe bronnen bij deze slide")

    @admin.display(description=_("status van de link"))
    def health_badge(self, obj):
        return health_badge(obj)


class PublishedFilter(admin.SimpleListFilter):
    title = _("publicatie")
    parameter_name = "gepubliceerd"

    def lookups(self, request, model_admin):
        return [("ja", _("gepubliceerd")), ("nee", _("concept"))]

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.filter(is_published=True)
        if self.value() == "nee":
            return queryset.filter(is_published=False)
        return queryset


@admin.register(Slide)
class SlideAdmin(RecountsProgressAdmin, ContentVersionAdmin):
    form = SlideAdminForm
    list_display = ["__str__", "kind", "section", "published_badge", "view_link"]
    list_filter = ["section__module", "section", "kind", PublishedFilter]
    search_fields = ["title", "body", "slug"]
    list_select_related = ["section__module"]
    ordering = ["section__module", "section__number", "position"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ResourceInline]
    actions = ["publish", "unpublish"]
    compare_fields = ("title", "kind", "body", "attribution", "is_published")
    fieldsets = [
        (None, {"fields": ["title", "kind", "body", "attribution"]}),
        (
            _("Plaats en publicatie"),
            {"fields": ["section", "position", "is_published", "slug"]},
        ),
    ]
    Media = AuthoringMedia
    plain_choice_fields = ("section",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        help_texts = {
            "title": _("De kop die cursisten boven de slide zien."),
            "body": _(
                "Markdown: **vet**, *schuin*, lijsten met -, een tussenkop met ## (op de site staat die altijd één "
                "niveau onder de slidetitel, hoeveel # je ook typt), > citaat, [tekst](https://…) voor een link. Sleep een afbeelding in het tekstvak om haar toe te voegen en beschrijf dan wat erop staat. "
                "In het voorbeeld ernaast (op een telefoon eronder) zie je meteen hoe cursisten het lezen."
            ),
            "attribution": _("Alleen bij een citaat: wie het zei, bijvoorbeeld ‘Henry Ford’."),
            "slug": _("Vaste naam voor import en export; verander hem niet na publicatie."),
        }
        for name, text in help_texts.items():
            if name in form.base_fields:
                form.base_fields[name].help_text = text
        return form

    @admin.display(description=_("gepubliceerd"), boolean=True, ordering="is_published")
    def published_badge(self, obj):
        return obj.is_published

    @admin.display(description=_("op de site"))
    def view_link(self, obj):
        return view_on_site_link(obj, gettext("Bekijk") if obj.is_published else gettext("Voorbeeld"))

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("section") if change else None
        services.save_slide(slide=obj, position=form.cleaned_data.get("position"), previous_section_id=previous)

    def delete_model(self, request, obj):
        services.delete_slides(slides=[obj])

    def delete_queryset(self, request, queryset):
        services.delete_slides(slides=list(queryset))

    @admin.action(description=_("Publiceer de gekozen slides"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description=_("Zet de gekozen slides terug naar concept"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, published):
        with self.create_revision(request):
            slides = list(queryset.exclude(is_published=published))
            for slide in slides:
                slide.is_published = published
                slide.save(update_fields=["is_published"])
                self.log_change(
                    request, slide, [{"changed": {"fields": [str(Slide._meta.get_field("is_published").verbose_name)]}}]
                )
        message = (
            ngettext("%(count)d slide gepubliceerd.", "%(count)d slides gepubliceerd.", len(slides))
            if published
            else ngettext("%(count)d slide is nu concept.", "%(count)d slides zijn nu concept.", len(slides))
        )
        self.message_user(request, message % {"count": len(slides)}, messages.SUCCESS)


# --- resources and link health ------------------------------------------------------------


def health_badge(resource):
    if resource is None or not resource.pk:
        return "—"
    label = resource.get_health_display()
    detail = resource.status_code or resource.check_detail or ""
    return format_html(
        '<span class="link-health link-health--{}">{}</span>{}',
        resource.health,
        label,
        format_html(' <span class="link-health__detail">({})</span>', detail) if detail else "",
    )


class HealthFilter(admin.SimpleListFilter):
    title = _("status van de link")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Resource.Health.choices + [("dood", _("kapot of onbereikbaar"))]

    def queryset(self, request, queryset):
        if self.value() == "dood":
            return queryset.filter(health__in=[Resource.Health.BROKEN, Resource.Health.UNREACHABLE])
        if self.value() in Resource.Health.values:
            return queryset.filter(health=self.value())
        return queryset


@admin.register(Resource)
class ResourceAdmin(SafeAutocompleteMixin, ContentVersionAdmin):
    list_display = ["title", "host_display", "kind", "health_badge", "checked_at", "slide_link"]
    list_filter = [HealthFilter, "kind", "slide__section__module", "slide__section"]
    search_fields = ["title", "url", "final_url"]
    list_select_related = ["slide__section__module"]
    ordering = ["slide__section__number", "slide__position", "position"]
    fields = ["slide", "position", "title", "url", "kind", "health_badge", "status_code", "final_url",
              "checked_at", "check_detail"]
    readonly_fields = ["health_badge", "status_code", "final_url", "checked_at", "check_detail"]
    autocomplete_fields = ["slide"]
    actions = ["check_now", "adopt_final_url"]
    compare_fields = ("title", "url", "kind")
    Media = AuthoringMedia

    @admin.display(description=_("site"), ordering="url")
    def host_display(self, obj):
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', obj.url, obj.host)

    @admin.display(description=_("status van de link"), ordering="health")
    def health_badge(self, obj):
        return health_badge(obj)

    @admin.display(description=_("slide"), ordering="slide__position")
    def slide_link(self, obj):
        return view_on_site_link(obj.slide, str(obj.slide))

    @admin.action(description=_("Controleer de gekozen links nu"), permissions=["change"])
    def check_now(self, request, queryset):
        """Queued, not waited for: other sites may take seconds each to answer."""
        ids = list(queryset.values_list("pk", flat=True))
        services.queue_link_check(resource_ids=ids)
        self.message_user(
            request,
            ngettext(
                "De controle van %(count)d link staat in de wachtrij. De uitkomst verschijnt in de kolom "
                "‘status van de link’ zodra ze klaar is, meestal binnen een minuut.",
                "De controle van %(count)d links staat in de wachtrij. De uitkomst verschijnt in de kolom "
                "‘status van de link’ zodra ze klaar is, meestal binnen een minuut.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.INFO,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if settings.LINK_CHECK_ON_SAVE and (not change or "url" in form.changed_data):
            services.queue_link_check(resource_ids=[obj.pk])

    @admin.action(description=_("Neem het eindadres over bij doorverwezen links"), permissions=["change"])
    def adopt_final_url(self, request, queryset):
        changed = 0
        with self.create_revision(request):
            for resource in queryset.filter(health=Resource.Health.REDIRECTED).exclude(final_url=""):
                if Resource.objects.filter(slide_id=resource.slide_id, url=resource.final_url).exists():
                    continue
                resource.url = resource.final_url
                resource.health = Resource.Health.OK
                resource.save()
                self.log_change(request, resource, [{"changed": {"fields": [str(Resource._meta.get_field("url").verbose_name)]}}])
                changed += 1
        self.message_user(
            request, ngettext("%(count)d adres bijgewerkt.", "%(count)d adressen bijgewerkt.", changed) % {"count": changed}
        )


# --- images -----------------------------------------------------------------------------------


@admin.register(SlideImage)
class SlideImageAdmin(admin.ModelAdmin):
    form = SlideImageForm
    list_display = ["thumbnail", "alt_text", "format", "dimensions", "size_display", "uploaded_at", "uploaded_by"]
    list_filter = ["format"]
    search_fields = ["alt_text"]
    list_select_related = ["uploaded_by"]
    readonly_fields = ["preview", "markdown_code", "format", "dimensions", "size_display", "uploaded_by", "uploaded_at"]
    Media = AuthoringMedia

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", "alt_text"]
        return ["preview", "alt_text", "markdown_code", "format", "dimensions", "size_display", "uploaded_by",
                "uploaded_at"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["alt_text"])
            return
        created = services.create_slide_image(
            upload=form.cleaned_data["upload"], alt_text=form.cleaned_data["alt_text"], user=request.user
        )
        obj.pk, obj.uuid, obj.file = created.pk, created.uuid, created.file
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        # After an upload, show the image with the code to paste into a slide.
        self.message_user(
            request, gettext("De afbeelding is opgeslagen. Kopieer de code hieronder naar de tekst van een slide."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:sections_slideimage_change", args=[obj.pk]))

    @admin.display(description=_("afbeelding"))
    def thumbnail(self, obj):
        return format_html('<img class="image-thumb" src="{}" alt="{}" loading="lazy">', obj.get_absolute_url(),
                           obj.alt_text)

    @admin.display(description=_("voorbeeld"))
    def preview(self, obj):
        return format_html('<img class="image-preview" src="{}" alt="{}">', obj.get_absolute_url(), obj.alt_text)

    @admin.display(description=_("code voor in een slide"))
    def markdown_code(self, obj):
        return format_html(
            '<code class="markdown-code">{}</code><div class="help">{}</div>',
            obj.markdown(),
            gettext("Kopieer deze regel naar de tekst van een slide. De beschrijving tussen [ ] mag je daar aanpassen."),
        )

    @admin.display(description=_("afmetingen"))
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height} px"

    @admin.display(description=_("grootte"), ordering="size")
    def size_display(self, obj):
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(obj.size)

