"""Give the "Trainers" group what authoring needs beyond the content rights it was made with.

The group itself comes from ``centres`` (0002_create_trainers_group, which gives
add/change/view on modules, sections, slides and resources); this migration
get_or_creates it too, so the order in which the two run does not matter. It
adds: the image library (add, change, view), deleting a resource (a dead link is
removed, not only replaced) and reading django-reversion's history. Trainers get
no delete on slides or sections: they unpublish instead, which keeps what
learners recorded; site staff can delete and django-reversion can recover.
"""
from django.db import migrations

GROUP_NAME = "Trainers"
PERMISSIONS = [
    ("sections", "add_slideimage"),
    ("sections", "change_slideimage"),
    ("sections", "view_slideimage"),
    ("sections", "delete_resource"),
    ("reversion", "view_revision"),
    ("reversion", "view_version"),
]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate): create them now.
    from django.contrib.auth.management import create_permissions

    for app_label in {app for app, _ in PERMISSIONS}:
        app_config = apps.get_app_config(app_label)
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
    for app_label, codename in PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("sections", "0002_add_publishing_link_health_and_slide_images"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
