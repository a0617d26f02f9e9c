from django.contrib import admin

from .models import Module


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "programme", "language"]
    prepopulated_fields = {"slug": ["title"]}
