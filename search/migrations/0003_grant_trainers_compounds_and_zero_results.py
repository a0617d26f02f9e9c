"""Trainers keep the compounds list (add, change, delete, view) and read the zero-result counts.

They may also delete a zero-result row (a query in which someone typed a name);
the counts themselves are never edited. Same pattern as sections 0003: the group
is get_or_created, so the order of the apps' migrations does not matter.
"""
from django.db import migrations

GROUP_NAME = "Trainers"
PERMISSIONS = [
    ("search", "add_compound"),
    ("search", "change_compound"),
    ("search", "delete_compound"),
    ("search", "view_compound"),
    ("search", "view_zeroresultquery"),
    ("search", "delete_zeroresultquery"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("search")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is None:
        return
    group.permissions.remove(*Permission.objects.filter(content_type__app_label="search"))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_create_search_documents"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
