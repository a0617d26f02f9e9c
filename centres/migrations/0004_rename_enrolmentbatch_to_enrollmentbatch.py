"""One spelling in the code: the model ``EnrolmentBatch`` becomes ``EnrollmentBatch`` (like ``Enrollment``).

``RenameModel`` renames the table (``centres_enrolmentbatch`` → ``centres_enrollmentbatch``), and
Django's contenttypes app renames the content type with it, so the admin's log entries keep pointing
at their rows. Permission codenames are not renamed by Django (they would be created afresh under the
new name after the migration, and a group or user holding the old ones would silently lose them), so
the second step renames ``add/change/delete/view_enrolmentbatch`` in place, keeping every grant.
"""
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def _rename_permissions(apps, old: str, new: str) -> None:
    Permission = apps.get_model("auth", "Permission")
    for action in ACTIONS:
        stale = Permission.objects.filter(content_type__app_label="centres", codename=f"{action}_{old}")
        for permission in stale:
            fresh = Permission.objects.filter(content_type=permission.content_type, codename=f"{action}_{new}").first()
            if fresh is not None:  # both exist (created by a post_migrate in between): keep the grants on one
                fresh.group_set.add(*permission.group_set.all())
                fresh.user_set.add(*permission.user_set.all())
                permission.delete()
            else:
                permission.codename = f"{action}_{new}"
                permission.save(update_fields=["codename"])


def forwards(apps, schema_editor):
    _rename_permissions(apps, "enrolmentbatch", "enrollmentbatch")


def backwards(apps, schema_editor):
    _rename_permissions(apps, "enrollmentbatch", "enrolmentbatch")


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0003_add_pending_join_for_join_links"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel(old_name="EnrolmentBatch", new_name="EnrollmentBatch"),
        migrations.RunPython(forwards, backwards),
    ]
