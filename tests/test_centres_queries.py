"""Centre pages and "Mijn leeromgeving" do a fixed number of queries, whatever the
number of learners, cohorts or invitations (5 versus 500 learners)."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from centres.models import Enrollment, EnrollmentBatch, Invitation

# Measured on SQLite and PostgreSQL; the pins leave no room for a query per row.
MAX_QUERIES = {
    "cohort_detail": 14,
    "centre_home": 8,
    "bulk_enroll": 8,
    "batch_report": 7,
    "dashboard": 10,
}


@pytest.fixture
def cohort_of(centre_factory, centre_staff_factory, cohort_factory):
    """``cohort_of(n)`` → (manager, trainer, cohort) with n learners, n/5 withdrawn, n/10 invitations."""

    def make(n):
        centre = centre_factory()
        manager = centre_staff_factory(role="manager", centre=centre)
        trainer = centre_staff_factory(role="trainer", centre=centre)
        cohort = cohort_factory(centre=centre, trainers=[trainer])
        tag = f"c{cohort.pk}"
        users = User.objects.bulk_create(
            User(email=f"{tag}-{i}@example.org", name=f"Deelnemer {i}", company_name=f"Bedrijf {i % 7}") for i in range(n)
        )
        Enrollment.objects.bulk_create(
            Enrollment(cohort=cohort, user=u, status="withdrawn" if i % 5 == 0 else "active") for i, u in enumerate(users)
        )
        Invitation.objects.bulk_create(
            Invitation(
                cohort=cohort,
                email=f"{tag}-uitgenodigd-{i}@example.org",
                token_hash=f"{tag}-{i}".ljust(64, "x"),
                expires_at=timezone.now() + datetime.timedelta(days=5),
            )
            for i in range(max(1, n // 10))
        )
        EnrollmentBatch.objects.create(
            cohort=cohort,
            source="paste",
            rows=[{"line": i, "email": f"x{i}@example.org", "name": "", "company": "", "outcome": "invited", "reason": ""} for i in range(n)],
        )
        return manager, trainer, cohort

    return make


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["cohort_detail", "bulk_enroll", "batch_report"])
def test_cohort_pages_do_the_same_queries_for_5_and_500_learners(client, cohort_of, url_name, django_assert_max_num_queries):
    counts = {}
    for n in (5, 500):
        manager, _trainer, cohort = cohort_of(n)
        client.force_login(manager)
        if url_name == "batch_report":
            url = reverse("centres:batch_report", args=[cohort.pk, cohort.batches.get().pk])
        else:
            url = reverse(f"centres:{url_name}", args=[cohort.pk])
        with django_assert_max_num_queries(MAX_QUERIES[url_name]):
            counts[n] = count_queries(client, url)
    assert counts[5] == counts[500], counts


def test_centre_home_does_the_same_queries_for_1_and_30_cohorts(client, cohort_of, centre_staff_factory, cohort_factory, django_assert_max_num_queries):
    manager, trainer, cohort = cohort_of(5)
    client.force_login(manager)
    with django_assert_max_num_queries(MAX_QUERIES["centre_home"]):
        few = count_queries(client, reverse("centres:home"))
    for _ in range(29):
        cohort_factory(centre=cohort.centre, module=cohort.module, trainers=[trainer])
    with django_assert_max_num_queries(MAX_QUERIES["centre_home"]):
        many = count_queries(client, reverse("centres:home"))
    assert few == many


def test_dashboard_does_the_same_queries_for_1_and_20_cohorts(client, user_factory, cohort_factory, enrollment_factory, centre_staff_factory, django_assert_max_num_queries):
    learner = user_factory()
    trainer = centre_staff_factory(role="trainer")
    enrollment_factory(user=learner, cohort=cohort_factory(trainers=[trainer]))
    client.force_login(learner)
    with django_assert_max_num_queries(MAX_QUERIES["dashboard"]):
        one = count_queries(client, reverse("dashboard"))
    for _ in range(19):
        enrollment_factory(user=learner, cohort=cohort_factory(trainers=[trainer]))
    with django_assert_max_num_queries(MAX_QUERIES["dashboard"]):
        twenty = count_queries(client, reverse("dashboard"))
    assert one == twenty
