from django.contrib import admin

from .models import Resource, Section, Slide


class SlideInline(admin.TabularInline):
    model = Slide
    fields = ["position", "title", "kind", "slug"]
    extra = 0
    show_change_link = True


class ResourceInline(admin.TabularInline):
    model = Resource
    fields = ["position", "title", "url", "kind"]
    extra = 0


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "module"]
    list_filter = ["module"]
    inlines = [SlideInline]


@admin.register(Slide)
class SlideAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "section"]
    list_filter = ["section__module", "section", "kind"]
    search_fields = ["title", "body"]
    list_select_related = ["section"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ResourceInline]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "url", "kind", "slide"]
    list_filter = ["kind"]
    search_fields = ["title", "url"]
    list_select_related = ["slide__section"]
