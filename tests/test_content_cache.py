"""No stale content, ever: after every kind of content write, every worker serves the new content.

Two "workers" are two cache clients that do not share memory (two local-memory caches, as two
gunicorn processes have without Redis) and, when Redis answers, two Redis clients. Each first
serves (and caches) the page, then the content is changed through one of the doors a person
or a command uses, then both must show the change on the very next request: anonymous readers
(whole pages cached) and a signed-in learner (cached slide places, skeleton and contents).
"""
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from reversion.models import Version as Revision

from courses import content_version, ordering
from courses.models import Module
from sections.models import Resource, Section, Slide
from sections.services import record_link_results

from .admin_forms import form_data

pytestmark = pytest.mark.usefixtures("clear_cache")

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
WORKERS = {
    "a": {"default": {"BACKEND": LOCMEM, "LOCATION": "worker-a"}},
    "b": {"default": {"BACKEND": LOCMEM, "LOCATION": "worker-b"}},
}


def redis_workers():
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/4", socket_connect_timeout=0.2).ping()
    except Exception:  # noqa: BLE001 - no Redis here: the local-memory pair still runs
        return None
    backend = "django.core.cache.backends.redis.RedisCache"
    return {
        name: {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/4", "KEY_PREFIX": "test-content"}}
        for name in ("a", "b")
    }


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def slide_url(module, number, position):
    return reverse("sections:slide", args=[module.slug, number, position])


@pytest.fixture
def course(build_module):
    module = build_module(sections=2, slides=3, resources=1, title="Oude moduletitel")
    for section in module.sections.all():
        section.title = f"Oude sectietitel {section.number}"
        section.save()
    for slide in Slide.objects.filter(section__module=module):
        slide.title = f"Slide {slide.section.number}.{slide.position}"
        slide.body = f"Oude tekst {slide.section.number}.{slide.position}"
        slide.save()
    return module


# Each write: (what it does, the page to look at, text that must appear after, text that must be gone).
def admin_slide_body(staff, module):
    slide = Slide.objects.get(section__module=module, section__number=1, position=2)
    data = form_data(staff.get(change_url(slide)), "slide_form")
    data["body"] = "Nieuwe tekst uit het beheer"
    assert staff.post(change_url(slide), data).status_code == 302
    return slide_url(module, 1, 2), "Nieuwe tekst uit het beheer", "Oude tekst 1.2"


def admin_slide_title_in_neighbours_contents(staff, module):
    slide = Slide.objects.get(section__module=module, section__number=1, position=3)
    data = form_data(staff.get(change_url(slide)), "slide_form")
    data["title"] = "Hernoemde slide"
    assert staff.post(change_url(slide), data).status_code == 302
    return slide_url(module, 1, 1), "Hernoemde slide", "Slide 1.3"  # the contents beside slide 1


def admin_resource_deleted(staff, module):
    slide = Slide.objects.get(section__module=module, section__number=1, position=1)
    title = slide.resources.get().title
    data = form_data(staff.get(change_url(slide)), "slide_form")
    data["resources-0-DELETE"] = "on"
    assert staff.post(change_url(slide), data).status_code == 302
    return slide_url(module, 1, 1), "Slide 1.1", title


def admin_section_title(staff, module):
    section = Section.objects.get(module=module, number=1)
    data = form_data(staff.get(change_url(section)), "section_form")
    data["title"] = "Nieuwe sectietitel"
    response = staff.post(change_url(section), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return slide_url(module, 1, 2), "Nieuwe sectietitel", section.title


def admin_module_title(staff, module):
    data = form_data(staff.get(change_url(module)), "module_form")
    data["title"] = "Nieuwe moduletitel"
    assert staff.post(change_url(module), data).status_code == 302
    return module.get_absolute_url(), "Nieuwe moduletitel", "Oude moduletitel"


def admin_unpublish_action(staff, module):
    slide = Slide.objects.get(section__module=module, section__number=1, position=2)
    response = staff.post(
        reverse("admin:sections_slide_changelist"), {"action": "unpublish", "_selected_action": [slide.pk]}
    )
    assert response.status_code == 302
    # Slide 1.3 is now the second of two.
    return slide_url(module, 1, 2), "Slide 1.3", "Slide 1.2"


def admin_delete_slide(staff, module):
    slide = Slide.objects.get(section__module=module, section__number=1, position=3)
    response = staff.post(reverse("admin:sections_slide_delete", args=[slide.pk]), {"post": "yes"})
    assert response.status_code == 302
    return slide_url(module, 1, 1), "slide 1 van 2", "slide 1 van 3"


def reorder(staff, module):
    section = Section.objects.get(module=module, number=1)
    first = section.slides.get(position=1)
    ordering.renumber(section.slides.all(), requested={first.pk: 3})
    return slide_url(module, 1, 1), "Oude tekst 1.2", "Oude tekst 1.1"


def restore_from_history(staff, module):
    slide = Slide.objects.get(section__module=module, section__number=2, position=1)
    for body in ["Eerste versie", "Tweede versie"]:
        data = form_data(staff.get(change_url(slide)), "slide_form")
        data["body"] = body
        assert staff.post(change_url(slide), data).status_code == 302
    # Both pages were cached with the second version (by the caller, after this first part).
    return slide, "Eerste versie", "Tweede versie"


def restore_from_history_part_two(staff, module, slide):
    old = list(Revision.objects.get_for_object(slide))[1]
    url = reverse("admin:sections_slide_revision", args=[slide.pk, old.pk])
    assert staff.post(url, form_data(staff.get(url), "slide_form")).status_code == 302


def link_check_result(staff, module):
    resource = Resource.objects.filter(slide__section__module=module).order_by("pk").first()
    resource.refresh_from_db()
    from django.utils import timezone

    from sections.linkcheck import LinkResult

    result = LinkResult(url=resource.url, health=Resource.Health.BROKEN, status_code=404, final_url="",
                        detail="404", checked_at=timezone.now(), seconds=0.1)
    record_link_results(results={resource.url: result})
    resource.refresh_from_db()
    assert resource.is_dead
    return slide_url(module, resource.slide.section.number, resource.slide.position), resource.archive_url, None


def loaddata_fixture(staff, module, tmp_path):
    slide = Slide.objects.get(section__module=module, section__number=2, position=2)
    path = Path(tmp_path) / "fix.json"
    path.write_text(json.dumps([{"model": "sections.slide", "pk": slide.pk, "fields": {
        "section": slide.section_id, "slug": slide.slug, "position": slide.position, "title": "Uit een fixture",
        "body": slide.body, "kind": slide.kind, "is_published": True}}]))
    call_command("loaddata", str(path), verbosity=0)
    return slide_url(module, 2, 2), "Uit een fixture", "Slide 2.2"


def raw_sql(staff, module):
    slide = Slide.objects.get(section__module=module, section__number=2, position=3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sections_slide SET title = %s WHERE id = %s", ["Met de hand in de database", slide.pk])
    return slide_url(module, 2, 3), "Met de hand in de database", "Slide 2.3"


WRITES = [
    admin_slide_body,
    admin_slide_title_in_neighbours_contents,
    admin_resource_deleted,
    admin_section_title,
    admin_module_title,
    admin_unpublish_action,
    admin_delete_slide,
    reorder,
    link_check_result,
    loaddata_fixture,
    raw_sql,
]


def serve(client, url, workers, worker):
    with override_settings(CACHES=workers[worker]):
        return client.get(url)


def warm(readers, url, workers):
    for worker in workers:
        for reader in readers:
            assert serve(reader, url, workers, worker).status_code == 200


def check(readers, url, workers, expected, gone):
    for worker in workers:
        for reader in readers:
            response = serve(reader, url, workers, worker)
            assert response.status_code == 200, (worker, url)
            html = response.content.decode()
            assert expected in html, (worker, expected)
            if gone:
                assert gone not in html, (worker, gone)


@pytest.fixture
def readers(course, learner):
    signed_in = Client()
    signed_in.force_login(learner)
    return [Client(), signed_in]


@pytest.fixture
def staff(site_staff):
    client = Client()
    client.force_login(site_staff)
    return client


@pytest.fixture(params=["locmem", "redis"])
def workers(request):
    if request.param == "locmem":
        return WORKERS
    pair = redis_workers()
    if pair is None:
        pytest.skip("no Redis on 127.0.0.1:6379")
    with override_settings(CACHES=pair["a"]):
        from django.core.cache import cache

        cache.clear()
    return pair


# Every write with two local-memory caches; a few with two Redis clients too (same code path, slower).
CASES = [(write, "locmem") for write in WRITES] + [
    (write, "redis") for write in (admin_slide_body, admin_unpublish_action, raw_sql)
]


@pytest.mark.parametrize(("write", "workers"), CASES, ids=lambda c: getattr(c, "__name__", c), indirect=["workers"])
def test_every_worker_serves_the_new_content_after_a_write(write, course, readers, staff, workers, tmp_path):
    # The pages the writes are looked at on are served (and cached) by both workers first.
    pages = [course.get_absolute_url(), slide_url(course, 1, 1), slide_url(course, 1, 2), slide_url(course, 2, 2),
             slide_url(course, 2, 3)]
    for url in pages:
        warm(readers, url, workers)
    with override_settings(CACHES=workers["a"]):  # the write is made on worker a
        args = (staff, course, tmp_path) if write is loaddata_fixture else (staff, course)
        url, expected, gone = write(*args)
    check(readers, url, workers, expected, gone)


def test_a_restore_from_the_history_is_served_by_every_worker(course, readers, staff, workers):
    with override_settings(CACHES=workers["a"]):
        slide, expected, gone = restore_from_history(staff, course)
    url = slide_url(course, 2, 1)
    warm(readers, url, workers)
    check(readers, url, workers, gone, None)  # cached: the second version
    with override_settings(CACHES=workers["b"]):
        restore_from_history_part_two(staff, course, slide)
    check(readers, url, workers, expected, gone)


def test_an_import_is_served_by_every_worker(course, readers, staff, workers, tmp_path):
    export = tmp_path / "module.zip"
    call_command("export_module", course.slug, str(export))
    Slide.objects.filter(section__module=course, section__number=1, position=1).update(title="Na de export")
    url = slide_url(course, 1, 1)
    warm(readers, url, workers)
    check(readers, url, workers, "Na de export", None)
    call_command("import_module", str(export))
    check(readers, url, workers, "Slide 1.1", "Na de export")


def test_every_content_table_has_the_trigger(db):
    assert content_version.installed_trigger_tables() == set(content_version.CONTENT_TABLES)


@pytest.mark.django_db
def test_every_kind_of_write_raises_the_version(course):
    before = content_version.current()
    Slide.objects.filter(section__module=course).update(body="x")  # a bulk update: one statement
    after_update = content_version.current()
    assert after_update.number > before.number and after_update.key != before.key
    Resource.objects.filter(slide__section__module=course).delete()
    after_delete = content_version.current()
    assert after_delete.number > after_update.number
    Module.objects.create(slug="nieuw", number=9, title="Nieuw", programme="P")
    assert content_version.current().number > after_delete.number


def test_a_rolled_back_write_leaves_the_version(course):
    from django.db import transaction

    before = content_version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        Slide.objects.filter(section__module=course).update(title="weg")
        raise RuntimeError
    assert content_version.current() == before
