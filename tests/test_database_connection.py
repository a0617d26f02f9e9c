"""PostgreSQL: a persistent connection is checked before a request's first query without a round trip
(config/postgresql/base.py), and one the server has closed is still replaced before it fails a request."""
import time

import pytest
from django.db import connection
from django.urls import reverse

from config.postgresql.base import DatabaseWrapper

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's health check"),
    pytest.mark.django_db(transaction=True),
]


def new_request():
    """What Django does when a request starts (``close_old_connections``; the test client leaves it out)."""
    connection.close_if_unusable_or_obsolete()


@pytest.fixture
def slide(build_module):
    module = build_module(sections=1, slides=2)
    return reverse("sections:slide", args=[module.slug, 1, 1])


def test_the_health_check_sends_no_query(client, slide, monkeypatch):
    assert client.get(slide).status_code == 200
    pinged, looked = [], []
    monkeypatch.setattr(DatabaseWrapper, "is_usable", lambda self: pinged.append(1) or True)
    real = DatabaseWrapper.looks_alive
    monkeypatch.setattr(DatabaseWrapper, "looks_alive", lambda self: looked.append(1) or real(self))
    new_request()
    assert client.get(slide).status_code == 200
    assert looked == [1] and pinged == []


def test_a_connection_the_server_closed_is_replaced_before_the_first_query(client, slide, learner):
    client.force_login(learner)
    assert client.get(slide).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connection.copy()  # a second session, as an administrator's or a restart's
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(200):  # until the server process has gone (it says why on the socket, then closes it)
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.01)
    other.close()
    new_request()
    response = client.get(slide)
    assert response.status_code == 200 and b"toc__tick" in response.content
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_an_idle_healthy_connection_is_kept(client, slide):
    assert client.get(slide).status_code == 200
    raw = connection.connection
    new_request()
    assert client.get(slide).status_code == 200
    assert connection.connection is raw
