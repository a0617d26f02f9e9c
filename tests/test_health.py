"""Liveness (`/healthz`) and readiness (`/readyz`): what a load balancer asks each node."""
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import health


@pytest.mark.django_db
def test_healthz_is_ok_without_queries_or_cookies(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert len(queries) == 0
    assert not response.cookies


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_readyz_is_ok_when_database_and_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_broken_part_and_nothing_else(client, settings):
    # A broker nobody listens on (a closed port on this machine): the check fails within a second.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "unavailable", "checks": {"database": "ok", "cache": "ok", "broker": "unavailable"}}
    assert b"127.0.0.1" not in response.content and b"redis" not in response.content.lower()


@pytest.mark.django_db(transaction=True)
def test_readyz_answers_within_a_second_when_a_check_hangs(client, monkeypatch):
    import threading
    import time

    release = threading.Event()
    monkeypatch.setitem(health.CHECKS, "cache", lambda: release.wait(5))
    try:
        started = time.monotonic()
        response = client.get("/readyz")
        assert time.monotonic() - started < 1.8
        assert response.status_code == 503
        assert json.loads(response.content)["checks"]["cache"] == "unavailable"
        # Still hanging: the next probe does not start a second thread for it.
        running = health._running["cache"]
        client.get("/readyz")
        assert health._running["cache"] is running
    finally:
        release.set()
        health._running["cache"].result(timeout=5)


def test_a_database_outage_is_a_503_with_retry_after(rf):
    from django.db import OperationalError

    from config.unavailable import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(rf.post("/module/x/sectie/1/quiz/start/"), OperationalError("gone"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Even niet beschikbaar" in response.content.decode()
    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None  # a real error stays a 500
