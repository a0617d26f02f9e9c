"""The centre staff's pages and the learner's "Mijn leeromgeving", through the test client."""
import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from centres.models import Cohort, Enrollment

pytestmark = pytest.mark.usefixtures("clear_cache")

TODAY = datetime.date.today()


@pytest.fixture
def centre_with_staff(centre_factory, centre_staff_factory, cohort_factory):
    centre = centre_factory(name="Ondernemershuis Gent", city="Gent", country="België")
    manager = centre_staff_factory(role="manager", centre=centre, name="Mia Manager")
    trainer = centre_staff_factory(role="trainer", centre=centre, name="Tom Trainer")
    other_trainer = centre_staff_factory(role="trainer", centre=centre, name="Olga Ander")
    mine = cohort_factory(centre=centre, name="Cohort van Tom", trainers=[trainer])
    theirs = cohort_factory(centre=centre, name="Cohort van Olga", trainers=[other_trainer])
    return {"centre": centre, "manager": manager, "trainer": trainer, "mine": mine, "theirs": theirs}


def test_trainer_sees_only_the_cohorts_they_train(client, centre_with_staff):
    client.force_login(centre_with_staff["trainer"])
    html = client.get(reverse("centres:home")).content.decode()
    assert "Cohort van Tom" in html
    assert "Cohort van Olga" not in html
    assert "Nieuw cohort" not in html  # trainers don't create cohorts


def test_manager_sees_all_cohorts_of_their_centre_and_no_others(client, centre_with_staff, cohort_factory):
    cohort_factory(name="Cohort elders")
    client.force_login(centre_with_staff["manager"])
    html = client.get(reverse("centres:home")).content.decode()
    assert "Cohort van Tom" in html and "Cohort van Olga" in html
    assert "Cohort elders" not in html
    assert "Nieuw cohort" in html


def test_cohort_list_counts_learners_by_status(client, centre_with_staff, enrollment_factory):
    cohort = centre_with_staff["mine"]
    for status, n in [("active", 3), ("withdrawn", 2), ("completed", 1)]:
        for _ in range(n):
            enrollment_factory(cohort=cohort, status=status)
    client.force_login(centre_with_staff["trainer"])
    response = client.get(reverse("centres:home"))
    row = next(c for cs in response.context["centres"].values() for c in cs if c.pk == cohort.pk)
    assert (row.active_count, row.withdrawn_count, row.completed_count) == (3, 2, 1)


def test_learner_gets_403_on_the_centre_pages(client, user_factory):
    client.force_login(user_factory())
    response = client.get(reverse("centres:home"))
    assert response.status_code == 403
    assert "geen toegang" in response.content.decode()


def test_manager_creates_a_cohort(client, centre_with_staff, module_factory):
    module = module_factory(title="Samenwerken")
    client.force_login(centre_with_staff["manager"])
    assert client.get(reverse("centres:cohort_create")).status_code == 200
    response = client.post(
        reverse("centres:cohort_create"),
        {
            "centre": centre_with_staff["centre"].pk,
            "module": module.pk,
            "name": "Voorjaar 2026",
            "start_date": "2026-03-01",
            "end_date": "2026-06-30",
            "capacity": "20",
            "is_open": "on",
            "trainers": [centre_with_staff["trainer"].pk],
        },
    )
    cohort = Cohort.objects.get(name="Voorjaar 2026")
    assert response.status_code == 302 and response["Location"] == cohort.get_absolute_url()
    assert cohort.capacity == 20 and cohort.is_open
    assert list(cohort.trainers.all()) == [centre_with_staff["trainer"]]
    assert len(cohort.join_code) == 8


def test_cohort_form_explains_its_errors_in_dutch(client, centre_with_staff, module_factory, user_factory):
    outsider = user_factory()
    client.force_login(centre_with_staff["manager"])
    response = client.post(
        reverse("centres:cohort_create"),
        {
            "centre": centre_with_staff["centre"].pk,
            "module": module_factory().pk,
            "name": "Cohort van Tom",  # already exists in this centre
            "start_date": "2026-06-30",
            "end_date": "2026-03-01",
            "capacity": "0",
            "trainers": [outsider.pk],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "De einddatum mag niet vóór de startdatum liggen." in errors["end_date"]
    assert "Dit centrum heeft al een cohort met deze naam." in errors["name"]
    assert "capacity" in errors
    assert "trainers" in errors
    assert Cohort.objects.count() == 2


def test_manager_cannot_create_a_cohort_for_another_centre(client, centre_with_staff, centre_factory, module_factory):
    other = centre_factory()
    client.force_login(centre_with_staff["manager"])
    response = client.post(
        reverse("centres:cohort_create"),
        {"centre": other.pk, "module": module_factory().pk, "name": "Stiekem", "start_date": "2026-01-01", "end_date": "2026-02-01"},
    )
    assert response.status_code == 200
    assert "centre" in response.context["form"].errors
    assert not Cohort.objects.filter(name="Stiekem").exists()


def test_trainer_may_see_but_not_edit_their_cohort(client, centre_with_staff):
    cohort = centre_with_staff["mine"]
    client.force_login(centre_with_staff["trainer"])
    assert client.get(cohort.get_absolute_url()).status_code == 200
    assert client.get(reverse("centres:cohort_edit", args=[cohort.pk])).status_code == 403
    assert client.post(reverse("centres:cohort_regenerate_code", args=[cohort.pk])).status_code == 403


def test_manager_edits_and_closes_a_cohort(client, centre_with_staff):
    cohort = centre_with_staff["mine"]
    client.force_login(centre_with_staff["manager"])
    response = client.post(
        reverse("centres:cohort_edit", args=[cohort.pk]),
        {
            "module": cohort.module.pk,
            "name": "Nieuwe naam",
            "start_date": cohort.start_date.isoformat(),
            "end_date": cohort.end_date.isoformat(),
            "capacity": "",
            "trainers": [centre_with_staff["trainer"].pk],
        },
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.name == "Nieuwe naam" and cohort.is_open is False and cohort.capacity is None
    assert cohort.centre == centre_with_staff["centre"]


def test_cohort_page_lists_learners_with_status_and_date_and_the_join_link(client, centre_with_staff, enrollment_factory, user_factory):
    cohort = centre_with_staff["mine"]
    enrollment_factory(cohort=cohort, user=user_factory(name="Anna Actief", company_name="Bakkerij Anna"))
    enrollment_factory(cohort=cohort, user=user_factory(name="Wim Weg"), status="withdrawn")
    client.force_login(centre_with_staff["trainer"])
    html = client.get(cohort.get_absolute_url()).content.decode()
    assert "Anna Actief" in html and "Bakkerij Anna" in html and "Wim Weg" in html
    assert f"http://testserver/deelnemen/{cohort.join_code}/" in html
    assert "Uitschrijven" in html and "Weer actief maken" in html
    filtered = client.get(cohort.get_absolute_url() + "?status=withdrawn").content.decode()
    assert "Wim Weg" in filtered and "Anna Actief" not in filtered
    assert client.get(cohort.get_absolute_url() + "?status=onzin").status_code == 200


def test_withdraw_and_reactivate_a_learner(client, centre_with_staff, enrollment_factory):
    enrollment = enrollment_factory(cohort=centre_with_staff["mine"])
    url = reverse("centres:enrollment_status", args=[enrollment.cohort.pk, enrollment.pk])
    client.force_login(centre_with_staff["trainer"])
    response = client.post(url, {"status": "withdrawn"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "withdrawn"
    changed = enrollment.status_changed_at
    client.post(url, {"status": "active"})
    enrollment.refresh_from_db()
    assert enrollment.status == "active" and enrollment.status_changed_at > changed
    assert client.post(url, {"status": "completed"}).status_code == 302  # refused, nothing changes
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


def test_reactivating_needs_a_free_place(client, centre_with_staff, enrollment_factory):
    cohort = centre_with_staff["mine"]
    cohort.capacity = 1
    cohort.save()
    withdrawn = enrollment_factory(cohort=cohort, status="withdrawn")
    enrollment_factory(cohort=cohort)
    client.force_login(centre_with_staff["manager"])
    response = client.post(reverse("centres:enrollment_status", args=[cohort.pk, withdrawn.pk]), {"status": "active"}, follow=True)
    assert "Dit cohort is vol" in response.content.decode()
    withdrawn.refresh_from_db()
    assert withdrawn.status == "withdrawn"


def test_enrollment_of_another_cohort_is_404_through_this_cohort(client, centre_with_staff, enrollment_factory):
    elsewhere = enrollment_factory(cohort=centre_with_staff["theirs"])
    client.force_login(centre_with_staff["trainer"])
    url = reverse("centres:enrollment_status", args=[centre_with_staff["mine"].pk, elsewhere.pk])
    assert client.post(url, {"status": "withdrawn"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "active"


def test_regenerate_join_code_by_manager(client, centre_with_staff):
    cohort = centre_with_staff["mine"]
    old = cohort.join_code
    client.force_login(centre_with_staff["manager"])
    response = client.post(reverse("centres:cohort_regenerate_code", args=[cohort.pk]))
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.join_code != old


def test_trainers_get_the_admin_and_the_trainers_group(centre_with_staff):
    trainer = centre_with_staff["trainer"]
    assert trainer.is_staff
    assert trainer.groups.filter(name="Trainers").exists()
    assert trainer.has_perm("sections.change_slide") and trainer.has_perm("courses.add_module")
    assert not trainer.has_perm("centres.view_all_centres")
    manager = centre_with_staff["manager"]
    assert not manager.is_staff


def test_trainers_group_has_content_permissions_only(db):
    group = Group.objects.get(name="Trainers")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("sections", "change_slide") in codenames
    assert ("courses", "view_module") in codenames
    for model in ["module", "section", "slide", "resource"]:
        app = "courses" if model == "module" else "sections"
        assert {(app, f"add_{model}"), (app, f"change_{model}"), (app, f"view_{model}")} <= codenames
    # Content only: nothing about people, centres or enrolments, and no deleting modules or sections.
    assert not any(app in {"centres", "accounts", "auth"} for app, _ in codenames)
    assert not {("courses", "delete_module"), ("sections", "delete_section")} & codenames


# --- "Mijn leeromgeving" ---------------------------------------------------------


def test_dashboard_requires_log_in(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_dashboard_lists_own_cohorts_and_modules_only(client, enrollment_factory, user_factory, cohort_factory, module_factory):
    learner = user_factory(name="Lotte Leerling", company_name="Fietsen Lotte")
    mine = enrollment_factory(user=learner, cohort=cohort_factory(name="Mijn cohort", module=module_factory(title="Samen sterk")))
    enrollment_factory(user=learner, cohort=cohort_factory(name="Oud cohort"), status="withdrawn")
    enrollment_factory(cohort=cohort_factory(name="Andermans cohort"))
    client.force_login(learner)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Samen sterk" in html and "Mijn cohort" in html
    assert "Oud cohort" in html and "Uitgeschreven" in html
    assert "Andermans cohort" not in html
    assert "Fietsen Lotte" in html
    assert mine.cohort.module.get_absolute_url() in html
    assert reverse("centres:enrollment", args=[mine.pk]) in html


def test_dashboard_without_enrollments_explains_how_to_join(client, user_factory):
    client.force_login(user_factory())
    html = client.get(reverse("dashboard")).content.decode()
    assert "nog niet ingeschreven" in html


def test_learner_cannot_open_someone_elses_enrollment(client, enrollment_factory, user_factory):
    theirs = enrollment_factory()
    client.force_login(user_factory())
    assert client.get(reverse("centres:enrollment", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("centres:enrollment", args=[999999])).status_code == 404


def test_navigation_shows_the_visitors_options(client, user_factory, centre_staff_factory):
    anonymous = client.get("/").content.decode()
    assert reverse("account_login") in anonymous and reverse("account_signup") in anonymous
    assert reverse("dashboard") not in anonymous
    client.force_login(user_factory())
    learner = client.get("/").content.decode()
    assert reverse("dashboard") in learner
    assert f'action="{reverse("account_logout")}"' in learner  # log-out is a POST form
    assert reverse("centres:home") not in learner
    client.force_login(centre_staff_factory(role="manager"))
    assert reverse("centres:home") in client.get("/").content.decode()


def test_enrollment_status_filter_is_closed_to_unknown_values(client, centre_with_staff):
    client.force_login(centre_with_staff["manager"])
    response = client.get(centre_with_staff["mine"].get_absolute_url() + "?status=<script>")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_ended_cohort_shows_as_ended(client, centre_with_staff, cohort_factory):
    cohort_factory(
        centre=centre_with_staff["centre"],
        name="Vorig jaar",
        start_date=TODAY - datetime.timedelta(days=400),
        end_date=TODAY - datetime.timedelta(days=300),
    )
    client.force_login(centre_with_staff["manager"])
    html = client.get(reverse("centres:home")).content.decode()
    assert "afgelopen" in html
    assert Enrollment.objects.count() == 0
