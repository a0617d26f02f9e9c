"""The cohort dashboard does a fixed number of queries whatever the cohort's size: 5 learners
or 1,000, each with slide views, quiz attempts, answers and certificates (built in bulk by
``dashboards.testing``). The time it takes is measured by scripts/benchmark_dashboard.py."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.testing import build_cohort_progress

# Measured on SQLite and PostgreSQL for a trainer (site staff need fewer: no permission lookups).
MAX_QUERIES = {
    "dashboards:cohort": 14,
    "dashboards:export": 10,
    "dashboards:reminder": 11,
}


@pytest.fixture
def course(build_course):
    return build_course(sections=3, slides=8, questions=5)


@pytest.fixture
def cohort_of(course, centre_factory, centre_staff_factory, cohort_factory):
    def make(n):
        centre = centre_factory()
        trainer = centre_staff_factory(role="trainer", centre=centre)
        cohort = cohort_factory(centre=centre, module=course, trainers=[trainer])
        built = build_cohort_progress(cohort=cohort, n=n, seed=n)
        return trainer, cohort, built

    return make


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url_name", list(MAX_QUERIES))
def test_the_same_queries_for_5_and_1000_learners(client, cohort_of, url_name, django_assert_max_num_queries):
    counts = {}
    for n in (5, 1000):
        trainer, cohort, built = cohort_of(n)
        if n == 1000:
            # The big cohort really has the mix the dashboard summarises.
            assert min(built.counts[k] for k in ("not_started", "stuck", "in_progress", "completed")) > 50
            assert built.counts["certificates"] > 50 and built.counts["answers"] > 5000
        client.force_login(trainer)
        url = reverse(url_name, args=[cohort.pk])
        if url_name == "dashboards:reminder":
            url += "?dagen=3"
        with django_assert_max_num_queries(MAX_QUERIES[url_name]):
            counts[n] = count(client, url)
    assert counts[5] == counts[1000], counts


def test_every_filter_and_sort_costs_the_same(client, cohort_of, django_assert_max_num_queries):
    trainer, cohort, _ = cohort_of(200)
    client.force_login(trainer)
    url = reverse("dashboards:cohort", args=[cohort.pk])
    seen = set()
    for query in ["", "?toon=vastgelopen", "?toon=afgerond&sorteer=-voltooid", "?sorteer=actief", "?sorteer=-bedrijf"]:
        with django_assert_max_num_queries(MAX_QUERIES["dashboards:cohort"]):
            seen.add(count(client, url + query))
    assert len(seen) == 1


def test_the_big_cohort_adds_up(client, cohort_of):
    """The totals on the page agree with what was built."""
    import re

    trainer, cohort, built = cohort_of(1000)
    client.force_login(trainer)
    html = client.get(reverse("dashboards:cohort", args=[cohort.pk])).content.decode()
    totals = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert totals["Ingeschreven"] == "1000"
    assert totals["Begonnen"] == str(1000 - built.counts["not_started"])
    assert totals["Afgerond"] == str(built.counts["certificates"])
    assert html.count('<tr class="dash-row') == 1000
