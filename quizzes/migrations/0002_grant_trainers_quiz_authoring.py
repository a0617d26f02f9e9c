"""Let the "Trainers" group write quizzes in the admin: add, change and view quizzes,
questions and choices.

No delete: a question or choice that learners answered is part of their
attempts' record. No view of attempts either: the admin shows every learner's,
and a trainer may only see their own cohorts (the cohort pages do that).
The group comes from ``centres`` (0002_create_trainers_group); it is
get_or_created here too, so the order of the two migrations does not matter.
"""
from django.db import migrations

GROUP_NAME = "Trainers"
PERMISSIONS = [
    (action, model) for model in ("quiz", "question", "choice") for action in ("add", "change", "view")
]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate): create them now.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for action, model in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label="quizzes", codename=f"{action}_{model}"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is None:
        return
    for action, model in PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label="quizzes", codename=f"{action}_{model}").first()
        if permission is not None:
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_create_quizzes_questions_attempts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
