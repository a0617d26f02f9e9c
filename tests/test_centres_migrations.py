"""The rename of ``EnrolmentBatch`` to ``EnrollmentBatch`` (centres 0004) on a database that had
the old model: rows, the content type and the permissions granted on it all survive, and the
admin opens the renamed model for a member of staff who holds only the old grant. Runs on
SQLite and PostgreSQL alike (the suite runs on both)."""
import pytest
from django.core.management import call_command
from django.urls import reverse

BEFORE = "0003_add_pending_join_for_join_links"
AFTER = "0004_rename_enrolmentbatch_to_enrollmentbatch"


@pytest.mark.django_db(transaction=True)
def test_renaming_the_batch_model_keeps_its_rows_content_type_and_permission_grants(client, user_factory, cohort_factory):
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from centres.models import EnrollmentBatch

    cohort = cohort_factory()
    call_command("migrate", "centres", BEFORE, verbosity=0)
    # The database as it was: the old table, content type and permissions (post_migrate made them).
    old_type = ContentType.objects.get(app_label="centres", model="enrolmentbatch")
    assert not ContentType.objects.filter(app_label="centres", model="enrollmentbatch").exists()
    assert "centres_enrolmentbatch" in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO centres_enrolmentbatch (cohort_id, created_at, source, filename, rows) "
            "VALUES (%s, CURRENT_TIMESTAMP, 'paste', 'oud.csv', '[]')",
            [cohort.pk],
        )
    helpers = Group.objects.create(name="Bulkhulp")
    helpers.permissions.add(Permission.objects.get(content_type=old_type, codename="view_enrolmentbatch"))

    call_command("migrate", "centres", AFTER, verbosity=0)

    tables = connection.introspection.table_names()
    assert "centres_enrollmentbatch" in tables and "centres_enrolmentbatch" not in tables
    assert EnrollmentBatch.objects.get().filename == "oud.csv"
    new_type = ContentType.objects.get_for_model(EnrollmentBatch)
    assert new_type.pk == old_type.pk and new_type.model == "enrollmentbatch"
    assert not Permission.objects.filter(codename__endswith="_enrolmentbatch").exists()
    assert set(Permission.objects.filter(content_type=new_type).values_list("codename", flat=True)) == {
        "add_enrollmentbatch", "change_enrollmentbatch", "delete_enrollmentbatch", "view_enrollmentbatch",
    }
    assert list(helpers.permissions.values_list("codename", flat=True)) == ["view_enrollmentbatch"]

    # Through the admin's door: staff holding only the (renamed) grant read the list and the row.
    helper = user_factory(is_staff=True)
    helper.groups.add(helpers)
    client.force_login(helper)
    assert helper.has_perm("centres.view_enrollmentbatch")
    response = client.get(reverse("admin:centres_enrollmentbatch_changelist"))
    assert response.status_code == 200
    assert "oud.csv" in response.content.decode()
    batch = EnrollmentBatch.objects.get()
    assert client.get(reverse("admin:centres_enrollmentbatch_change", args=[batch.pk])).status_code == 200
    assert client.get(reverse("admin:centres_enrollmentbatch_add")).status_code == 403
