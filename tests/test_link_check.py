"""manage.py check_links against a local web server: 200, redirects, 404, 500, a hang and more.

Nothing in these tests reaches the internet: every address is on 127.0.0.1.
"""
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sections.linkcheck import check_url, check_urls
from sections.models import Resource

from .link_server import link_server

H = Resource.Health


@pytest.fixture
def server(settings):
    settings.LINK_CHECK_BLOCK_PRIVATE = False  # the test server is on loopback
    with link_server() as (base, srv):
        yield base, srv


def test_each_kind_of_answer_gets_its_health(server):
    base, srv = server
    expected = {
        "/ok": (H.OK, 200, "/ok"),
        "/moved": (H.REDIRECTED, 200, "/ok"),
        "/found": (H.REDIRECTED, 200, "/ok"),
        "/missing": (H.BROKEN, 404, "/missing"),
        "/error": (H.BROKEN, 500, "/error"),
        "/no-head": (H.OK, 200, "/no-head"),
        "/forbidden": (H.UNREACHABLE, 403, "/forbidden"),
        "/loop": (H.BROKEN, 302, "/loop"),
    }
    results = check_urls([base + path for path in expected], workers=8, timeout=2)
    for path, (health, status, final) in expected.items():
        result = results[base + path]
        assert (result.health, result.status_code, result.final_url) == (health, status, base + final), path
        assert result.checked_at is not None


def test_head_first_then_get_only_when_head_fails(server):
    base, srv = server
    check_url(base + "/ok", timeout=2)
    check_url(base + "/no-head", timeout=2)
    assert srv.hits.count(("HEAD", "/ok")) == 1 and ("GET", "/ok") not in srv.hits
    assert ("HEAD", "/no-head") in srv.hits and ("GET", "/no-head") in srv.hits


def test_a_hanging_server_costs_one_time_out_and_is_unreachable(server):
    base, srv = server
    started = time.monotonic()
    result = check_url(base + "/hang", timeout=0.5)
    assert time.monotonic() - started < 2
    assert result.health == H.UNREACHABLE and result.status_code is None
    assert "Geen antwoord" in result.detail


def test_hangs_are_checked_in_parallel(server):
    base, srv = server
    started = time.monotonic()
    results = check_urls([f"{base}/hang/{i}" for i in range(8)], workers=8, timeout=0.5)
    assert time.monotonic() - started < 2  # eight time-outs side by side, not one after another
    assert {r.health for r in results.values()} == {H.UNREACHABLE}


def test_refused_connection_and_bad_address(settings):
    settings.LINK_CHECK_BLOCK_PRIVATE = False
    with link_server() as (base, srv):
        closed = base  # the port is closed once the server stops
    result = check_url(closed + "/ok", timeout=1)
    assert result.health == H.UNREACHABLE and result.detail == "Verbinding geweigerd"
    assert check_url("ftp://example.org/x", timeout=1).health == H.BROKEN


def test_private_addresses_are_not_fetched_by_default(settings):
    settings.LINK_CHECK_BLOCK_PRIVATE = True
    with link_server() as (base, srv):
        result = check_url(base + "/ok", timeout=1)
        assert srv.hits == []
    assert result.health == H.UNREACHABLE and "Intern adres" in result.detail


def test_command_records_health_on_every_resource(server, resource_factory, slide_factory):
    base, srv = server
    slide = slide_factory()
    other = slide_factory(section=slide.section)
    paths = ["/ok", "/moved", "/missing", "/error", "/hang"]
    for path in paths:
        resource_factory(slide=slide, url=base + path, title=path)
    resource_factory(slide=other, url=base + "/missing", title="dezelfde, elders")
    out = StringIO()
    call_command("check_links", timeout=0.5, workers=4, stdout=out)
    output = out.getvalue()
    assert "5 adressen (6 bronnen) gecontroleerd" in output
    assert "1 werken, 1 doorverwezen, 2 kapot, 1 onbereikbaar" in output
    health = dict(Resource.objects.values_list("title", "health"))
    assert health == {"/ok": H.OK, "/moved": H.REDIRECTED, "/missing": H.BROKEN, "/error": H.BROKEN,
                      "/hang": H.UNREACHABLE, "dezelfde, elders": H.BROKEN}
    moved = Resource.objects.get(title="/moved")
    assert moved.final_url == base + "/ok" and moved.status_code == 200 and moved.checked_at
    assert srv.hits.count(("HEAD", "/missing")) == 1  # one address, checked once for both resources


def test_command_rejects_bad_options(db):
    with pytest.raises(CommandError):
        call_command("check_links", workers=0)
    with pytest.raises(CommandError):
        call_command("check_links", module="bestaat-niet")


def test_learner_sees_last_check_and_archive_link_for_a_broken_link(server, client, resource_factory, slide_factory):
    base, srv = server
    slide = slide_factory()
    resource_factory(slide=slide, url=base + "/ok", title="Werkt")
    resource_factory(slide=slide, url=base + "/missing", title="Weg")
    resource_factory(slide=slide, url=base + "/forbidden", title="Geweigerd")
    call_command("check_links", timeout=1, stdout=StringIO())
    html = client.get(slide.get_absolute_url()).content.decode()
    assert html.count("laatst gecontroleerd op") == 3
    assert "Deze pagina bestond bij de laatste controle niet meer." in html
    assert f'href="https://web.archive.org/web/{base}/missing"' in html
    assert f"https://web.archive.org/web/{base}/ok" not in html
    assert f"https://web.archive.org/web/{base}/forbidden" not in html  # refused the checker, not the reader


def test_admin_filters_resources_by_health(server, client, trainer, resource_factory, slide_factory):
    base, srv = server
    slide = slide_factory()
    for path in ["/ok", "/missing", "/hang"]:
        resource_factory(slide=slide, url=base + path, title=f"bron {path}")
    call_command("check_links", timeout=0.5, stdout=StringIO())
    client.force_login(trainer)
    url = reverse("admin:sections_resource_changelist")
    page = client.get(url).content.decode()
    assert "status van de link" in page
    broken = client.get(url, {"status": "broken"}).content.decode()
    assert "bron /missing" in broken and "bron /ok" not in broken
    dead = client.get(url, {"status": "dood"}).content.decode()
    assert "bron /missing" in dead and "bron /hang" in dead and "bron /ok" not in dead


@pytest.mark.keep_on_commit
def test_admin_action_queues_the_check_and_adopts_final_addresses(
    server, client, trainer, resource_factory, django_capture_on_commit_callbacks
):
    base, srv = server
    moved = resource_factory(url=base + "/moved", title="verhuisd")
    client.force_login(trainer)
    changelist = reverse("admin:sections_resource_changelist")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(changelist, {"action": "check_now", "_selected_action": [moved.pk]}, follow=True)
    # The trainer is told it is queued, and nothing was fetched while they waited.
    assert "staat in de wachtrij" in response.content.decode()
    assert srv.hits == [] and len(queued) == 1
    moved.refresh_from_db()
    assert moved.health == H.UNCHECKED
    queued[0]()  # what the worker does (without a broker: this process, right after the commit)
    moved.refresh_from_db()
    assert moved.health == H.REDIRECTED
    client.post(changelist, {"action": "adopt_final_url", "_selected_action": [moved.pk]})
    moved.refresh_from_db()
    assert moved.url == base + "/ok" and moved.health == H.OK


def test_a_new_address_saved_in_the_admin_is_checked_in_the_background(
    server, client, trainer, resource_factory, settings, django_capture_on_commit_callbacks
):
    base, srv = server
    settings.LINK_CHECK_ON_SAVE = True
    resource = resource_factory(url=base + "/ok", title="bron")
    client.force_login(trainer)
    url = reverse("admin:sections_resource_change", args=[resource.pk])
    data = {"slide": resource.slide_id, "position": 1, "title": "bron", "url": base + "/missing", "kind": "article"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    resource.refresh_from_db()
    assert resource.health == H.BROKEN and resource.status_code == 404
    # Saved again without a new address: not checked again.
    hits = len(srv.hits)
    data["title"] = "bron, nieuwe titel"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    assert len(srv.hits) == hits


def test_the_nightly_task_checks_every_link(server, resource_factory):
    from sections.tasks import check_all_links

    base, srv = server
    ok = resource_factory(url=base + "/ok")
    gone = resource_factory(url=base + "/missing")
    assert check_all_links.delay() is not None
    ok.refresh_from_db()
    gone.refresh_from_db()
    assert (ok.health, gone.health) == (H.OK, H.BROKEN)
