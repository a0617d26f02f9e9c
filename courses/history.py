"""History of content in the admin, shared by every content app: compare an earlier version with now
and restore it, with the links and media the authoring pages have in common.

Every content model's admin subclasses ``ContentVersionAdmin`` (django-reversion keeps each change
with who and when). Restoring writes back the position a slide, question or choice had in that
version; every ordered model in the revision is parked while it happens (``courses.ordering``), so
a restored row goes back to that very place and the others shift around it.
"""
import difflib
from contextlib import ExitStack

from django.db import models, transaction
from django.shortcuts import get_object_or_404
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from . import ordering

# The Markdown editor with live preview for every Markdown field; a typed web
# address without a scheme is taken to be https:// (as Django 6 will).
MARKDOWN_EDITOR = {
    MarkdownxField: {"widget": AdminMarkdownxWidget},
    models.URLField: {"assume_scheme": "https"},
}


class AuthoringMedia:
    css = {"all": ["sections/admin/authoring.css"]}
    js = ["sections/admin/authoring.js"]


def view_on_site_link(obj, label=None) -> str:
    """A "Bekijk op de site" link for lists and inlines (a draft links to its preview)."""
    if not obj or not obj.pk:
        return "—"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label or gettext("Bekijk")
    )


def diff_html(now: str, before: str) -> SafeString:
    """Line by line: what is now (−) and what restoring brings back (+)."""
    lines = difflib.ndiff(now.splitlines() or [""], before.splitlines() or [""])
    kept = [(line[:1], line[2:]) for line in lines if line[:1] in {"-", "+", " "}]
    return format_html_join(
        "",
        '<div class="diff-line diff-line--{}"><span class="diff-sign" aria-hidden="true">{}</span>{}</div>',
        (({"-": "now", "+": "then", " ": "same"}[sign], sign, text or " ") for sign, text in kept),
    )


def display_value(field, value) -> str:
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nee")
    return "" if value is None else str(value)


def versions_of(revision: Revision, model: type[models.Model]) -> list[tuple[str, dict]]:
    """(object id, field values) of the revision's versions of ``model``; unreadable old versions are
    skipped (reversion reports them itself when restoring)."""
    result = []
    for version in revision.version_set.all():
        if version.content_type.model_class() is not model:
            continue
        try:
            result.append((version.object_id, version.field_dict))
        except Exception:  # noqa: BLE001 - a version of a model whose fields changed since
            continue
    return result


def ordered_groups(revision: Revision) -> dict[type[models.Model], tuple[set, int]]:
    """Per ordered model, the parents whose positions restoring ``revision`` may write (the parents
    its rows had then and have now) and the highest position it writes."""
    result = {}
    for model, group_by in ordering.ORDERED.items():
        rows = versions_of(revision, model)
        groups = {fields.get(group_by) for _, fields in rows}
        groups |= set(model._default_manager.filter(pk__in=[pk for pk, _ in rows]).values_list(group_by, flat=True))
        groups.discard(None)
        if groups:
            result[model] = (groups, max((fields.get("position") or 0 for _, fields in rows), default=0))
    return result


def parked_for_restore(revision: Revision) -> ExitStack:
    """A context in which restoring ``revision`` puts every ordered row back at its version's place."""
    stack = ExitStack()
    for model, (groups, highest) in ordered_groups(revision).items():
        group_by = ordering.ORDERED[model]
        rows = model._default_manager.filter(**{f"{group_by}__in": groups})
        stack.enter_context(ordering.parked(rows, group_by=group_by, reserve=highest))
    return stack


class ContentVersionAdmin(VersionAdmin):
    """History for content models: newest first, compare with the current state, restore."""

    history_latest_first = True
    revision_form_template = "admin/content_revision_form.html"
    formfield_overrides = MARKDOWN_EDITOR
    #: Fields shown side by side with the current state when a trainer opens an earlier version.
    compare_fields: tuple[str, ...] = ()
    #: Foreign keys that are chosen here, never created or edited from here: no pencil, plus, eye or
    #: cross beside them (trainers took those icons for part of the slide or quiz; issue 9.14).
    plain_choice_fields: tuple[str, ...] = ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        for name in self.plain_choice_fields:
            widget = getattr(form.base_fields.get(name), "widget", None)
            if widget is not None and hasattr(widget, "can_add_related"):
                widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
                widget.can_view_related = False
        return form

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id, object_id=object_id)
        current = self.model._default_manager.filter(pk=object_id).first()
        # Compared before anything is parked, so the trainer sees the positions as they are.
        context = {"version_differences": self._differences(current, version), **(extra_context or {})}
        with transaction.atomic(), parked_for_restore(version.revision):
            return super().revision_view(request, object_id, version_id, context)

    def recover_view(self, request, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id)
        with transaction.atomic(), parked_for_restore(version.revision):
            return super().recover_view(request, version_id, extra_context)

    def _differences(self, current, version) -> list[tuple[str, SafeString]]:
        """What would change on restoring ``version``: (field label, HTML diff) per changed field."""
        if current is None:
            return []
        try:
            old = version.field_dict
        except Exception:  # noqa: BLE001 - an unreadable old version: reversion itself reports it on restore
            return []
        rows = []
        for name in self.compare_fields:
            field = self.model._meta.get_field(name)
            before = display_value(field, old.get(field.attname))
            now = display_value(field, getattr(current, field.attname))
            if before != now:
                rows.append((field.verbose_name, diff_html(now, before)))
        return rows
