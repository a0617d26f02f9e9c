"""The "Trainers" group: may add, change and view the module's content in the admin.

Trainers get ``is_staff`` to reach the admin and this group for what they may do
there; centre managers need neither. Later content apps (quizzes) add their
permissions to this group in their own migrations.
"""
from django.db import migrations

GROUP_NAME = "Trainers"
CONTENT_MODELS = [("courses", "module"), ("sections", "section"), ("sections", "slide"), ("sections", "resource")]
ACTIONS = ["add", "change", "view"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate);
    # create them now so that a fresh database gets a complete group.
    from django.contrib.auth.management import create_permissions

    for app_label in {app for app, _ in CONTENT_MODELS}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, model in CONTENT_MODELS:
        for action in ACTIONS:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            group.permissions.add(permission)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0001_create_centres_cohorts_enrollments"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("courses", "0001_create_module"),
        ("sections", "0001_create_sections_slides_resources"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
