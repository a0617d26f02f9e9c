"""The admin's autocomplete select, safe with a value that is not a key.

Django's ``AutocompleteSelect`` renders the chosen option by filtering the related model on
the posted value. When a form comes back with errors and that value is not a valid key
(" ", "abc", "2026-02-30", a number beyond the column), the filter raises ValueError and the
page is a 500 instead of the form with "Selecteer een geldige keuze". Found by the fuzz test
(tests/test_fuzz.py). ``SafeAutocompleteMixin`` on a ModelAdmin or inline with
``autocomplete_fields`` uses the widgets below, which leave such values out when rendering.
"""
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import router


class _ValidKeysOnly:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        valid = []
        for item in value:
            try:
                target.run_validators(target.get_prep_value(target.to_python(item)))  # the column's range too
            except (ValidationError, ValueError, TypeError, OverflowError):
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_ValidKeysOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidKeysOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            db = kwargs.get("using") or router.db_for_read(db_field.remote_field.model)
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=db)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            db = kwargs.get("using") or router.db_for_read(db_field.remote_field.model)
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=db)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _valid_key(field, value) -> bool:
    try:
        field.run_validators(field.get_prep_value(field.to_python(value)))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


def harden_admin_actions(site) -> None:
    """Every registered ModelAdmin: an action posted with selected rows that are not keys ("",
    "abc") acts on the valid ones only, instead of a 500 from ``pk__in``. Called once from
    config/urls.py after all admins are registered, so admins added later are covered too."""
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    for model_admin in site._registry.values():
        if getattr(model_admin, "_actions_hardened", False):
            continue
        original = model_admin.response_action

        def response_action(request, queryset, _original=original, _pk=model_admin.model._meta.pk):
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            valid = [value for value in selected if _valid_key(_pk, value)]
            if len(valid) != len(selected):
                request.POST = request.POST.copy()
                request.POST.setlist(ACTION_CHECKBOX_NAME, valid)
            return _original(request, queryset)

        model_admin.response_action = response_action
        model_admin._actions_hardened = True
