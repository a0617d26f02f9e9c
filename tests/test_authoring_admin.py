"""Authoring in the admin, through the test client as a trainer and as site staff.

A trainer edits a slide, reorders a section, prepares a draft, restores an
earlier version and sees each change on the site; they cannot reach users,
groups or anything outside the content.
"""
import pytest
from django.contrib import admin
from django.urls import reverse
from reversion.models import Version

from courses import ordering
from sections.models import Resource, Section, Slide

from .admin_forms import form_data

CONTENT_APPS = {"courses", "sections", "quizzes", "search"}  # search: the compounds list is content


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def positions(section):
    return list(section.slides.order_by("position").values_list("title", "position"))


def titles_in_order(section):
    return list(section.slides.order_by("position").values_list("title", flat=True))


@pytest.fixture
def section4(section_factory, slide_factory):
    section = section_factory(title="Samenwerken")
    for title in ["A", "B", "C", "D"]:
        slide_factory(section=section, title=title, slug=title.lower())
    return section


# --- who may do what -----------------------------------------------------------------------


def test_trainer_sees_the_content_and_not_the_rest(client, trainer):
    client.force_login(trainer)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    html = index.content.decode()
    for model in (Slide, Section, Resource):
        assert reverse(f"admin:sections_{model._meta.model_name}_changelist") in html
    assert reverse("admin:accounts_user_changelist") not in html
    assert reverse("admin:auth_group_changelist") not in html


def test_trainer_gets_403_on_every_admin_page_outside_the_content(client, trainer):
    client.force_login(trainer)
    outside = [m for m in admin.site._registry if m._meta.app_label not in CONTENT_APPS]
    assert any(m._meta.model_name == "user" for m in outside)
    assert any(m._meta.model_name == "group" for m in outside)
    for model in outside:
        opts = model._meta
        for name, args in (("changelist", []), ("add", [])):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
            assert client.get(url).status_code == 403, url


def test_trainer_cannot_delete_slides_but_staff_can(client, trainer, site_staff, section4):
    slide = section4.slides.get(title="B")
    delete_url = reverse("admin:sections_slide_delete", args=[slide.pk])
    client.force_login(trainer)
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    client.force_login(site_staff)
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert positions(section4) == [("A", 1), ("C", 2), ("D", 3)]


def test_learners_and_anonymous_cannot_reach_the_admin(client, django_user_model, section4):
    slide = section4.slides.first()
    assert client.get(change_url(slide)).status_code == 302  # to the log-in
    learner = django_user_model.objects.create_user(email="leerling@example.org", password="x-Leerling-1")
    client.force_login(learner)
    response = client.get(change_url(slide))
    assert response.status_code == 302 and "login" in response.url


# --- editing a slide ------------------------------------------------------------------------


def test_trainer_edits_a_slide_and_the_site_shows_it_at_once(client, trainer, section4, resource_factory):
    slide = section4.slides.get(title="B")
    resource_factory(slide=slide, title="Een bron")
    client.force_login(trainer)
    page = client.get(change_url(slide))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="markdownx"' in html and "markdownx-preview" in html
    assert "Bekijk op de site" in html
    assert "Geschiedenis en eerdere versies" in html
    data = form_data(page, "slide_form")
    data["body"] = "Nieuwe tekst met **nadruk**."
    response = client.post(change_url(slide), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    slide.refresh_from_db()
    assert slide.body == "Nieuwe tekst met **nadruk**."
    assert slide.position == 2
    learner_page = client.get(slide.get_absolute_url()).content.decode()
    assert "Nieuwe tekst met <strong>nadruk</strong>." in learner_page
    version = Version.objects.get_for_object(slide).first()
    assert version.revision.user == trainer
    assert version.field_dict["body"] == "Nieuwe tekst met **nadruk**."


def test_slide_form_errors_are_clear_and_nothing_is_saved(client, trainer, section4):
    slide = section4.slides.get(title="B")
    client.force_login(trainer)
    data = form_data(client.get(change_url(slide)), "slide_form")
    data["title"] = ""
    data["body"] = "Tekst ![](/afbeeldingen/x.png)"
    response = client.post(change_url(slide), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dit veld is verplicht" in html
    assert "Geef elke afbeelding een beschrijving" in html
    slide.refresh_from_db()
    assert slide.title == "B"


def test_moving_a_slide_on_its_own_page_renumbers_the_section(client, trainer, section4):
    slide = section4.slides.get(title="D")
    client.force_login(trainer)
    data = form_data(client.get(change_url(slide)), "slide_form")
    data["position"] = "1"
    assert client.post(change_url(slide), data).status_code == 302
    assert positions(section4) == [("D", 1), ("A", 2), ("B", 3), ("C", 4)]


# --- reordering in the section ----------------------------------------------------------------


def test_reorder_slides_in_the_section_page(client, trainer, section4):
    client.force_login(trainer)
    page = client.get(change_url(section4))
    assert page.status_code == 200
    data = form_data(page, "section_form")
    by_title = {data[f"slides-{i}-title"]: i for i in range(4)}
    # Swap A and B: two slides asking for each other's place must not clash.
    data[f"slides-{by_title['A']}-position"] = "2"
    data[f"slides-{by_title['B']}-position"] = "1"
    response = client.post(change_url(section4), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert positions(section4) == [("B", 1), ("A", 2), ("C", 3), ("D", 4)]
    # The learner's numbering follows.
    module = section4.module
    first = client.get(f"/module/{module.slug}/sectie/{section4.number}/slide/1/").content.decode()
    assert ">B</h1>" in first


def test_reorder_and_add_a_slide_in_one_save(client, trainer, section4):
    client.force_login(trainer)
    data = form_data(client.get(change_url(section4)), "section_form")
    by_title = {data[f"slides-{i}-title"]: i for i in range(4)}
    data[f"slides-{by_title['D']}-position"] = "2"
    data[f"slides-{by_title['A']}-title"] = "A (herschreven)"  # an edit that leaves the place alone
    data.update({"slides-4-title": "E", "slides-4-slug": "e", "slides-4-kind": "content", "slides-4-position": "",
                 "slides-4-is_published": "on", "slides-TOTAL_FORMS": "5"})
    response = client.post(change_url(section4), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert positions(section4) == [("A (herschreven)", 1), ("D", 2), ("B", 3), ("C", 4), ("E", 5)]


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ({"D": 1}, "DABC"),
        ({"A": 4}, "BCDA"),
        ({"A": 99}, "BCDA"),
        ({"A": 2, "B": 1}, "BACD"),
        ({"C": 1, "D": 1}, "CDAB"),
        ({"B": None}, "ACDB"),
        ({}, "ABCD"),
    ],
)
def test_renumbering_gives_1_to_n_without_gaps_or_clashes(section4, requested, expected):
    ids = dict(section4.slides.values_list("title", "id"))
    ordering.renumber(section4.slides.all(), requested={ids[t]: p for t, p in requested.items()})
    assert "".join(titles_in_order(section4)) == expected
    assert [p for _, p in positions(section4)] == [1, 2, 3, 4]


def test_renumbering_closes_gaps(section4):
    Slide.objects.filter(section=section4, title="B").delete()
    ordering.renumber(section4.slides.all())
    assert positions(section4) == [("A", 1), ("C", 2), ("D", 3)]


# --- drafts -------------------------------------------------------------------------------------


def unpublish(client, slide):
    return client.post(
        reverse("admin:sections_slide_changelist"),
        {"action": "unpublish", "_selected_action": [slide.pk]},
    )


def test_an_unpublished_slide_disappears_for_learners_and_numbers_stay_gapless(client, trainer, section4):
    module = section4.module
    b = section4.slides.get(title="B")
    client.force_login(trainer)
    assert unpublish(client, b).status_code == 302
    b.refresh_from_db()
    assert not b.is_published
    client.logout()
    base = f"/module/{module.slug}/sectie/{section4.number}/slide"
    second = client.get(f"{base}/2/").content.decode()
    assert ">C</h1>" in second and "slide 2 van 3" in second
    assert client.get(f"{base}/3/").status_code == 200
    assert client.get(f"{base}/4/").status_code == 404
    section_page = client.get(section4.get_absolute_url()).content.decode()
    assert ">B<" not in section_page
    overview = client.get(module.get_absolute_url()).content.decode()
    assert "3 slides" in overview
    first = client.get(f"{base}/1/").content.decode()
    assert f'rel="next" href="{base}/2/"' in first
    handout = client.get(reverse("courses:handout", args=[module.slug])).content.decode()
    assert ">B</h3>" not in handout


def test_a_draft_is_previewed_by_staff_only(client, trainer, django_user_model, section4):
    b = section4.slides.get(title="B")
    b.is_published = False
    b.save()
    preview_url = b.get_absolute_url()
    assert "/concept/b/" in preview_url
    assert client.get(preview_url).status_code == 404
    learner = django_user_model.objects.create_user(email="leerling@example.org", password="x-Leerling-1")
    client.force_login(learner)
    assert client.get(preview_url).status_code == 404
    client.force_login(trainer)
    response = client.get(preview_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Voorbeeld van een concept" in html
    assert "slide 2 van 4" in html  # where learners will find it once published
    # The admin's "Bekijk op de site" leads to the preview too.
    admin_page = client.get(change_url(b)).content.decode()
    assert "Voorbeeld op de site (concept)" in admin_page
    # Publishing it makes it the learners' slide 2 again.
    client.post(reverse("admin:sections_slide_changelist"), {"action": "publish", "_selected_action": [b.pk]})
    client.logout()
    assert ">B</h1>" in client.get(f"/module/{section4.module.slug}/sectie/{section4.number}/slide/2/").content.decode()
    assert client.get(preview_url).status_code == 404


def test_pages_keep_a_fixed_number_of_queries_with_drafts(
    client, build_module, site_staff, django_assert_max_num_queries
):
    module = build_module(sections=2, slides=6, resources=2)
    Slide.objects.filter(section__module=module, position__in=[2, 5]).update(is_published=False)
    # Each: the content version (courses.page_cache), then the page's own reads on a cold cache.
    with django_assert_max_num_queries(4):
        assert client.get(module.get_absolute_url()).status_code == 200
    section_url = module.sections.get(number=1).get_absolute_url()
    with django_assert_max_num_queries(5):
        assert client.get(section_url).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(f"/module/{module.slug}/sectie/1/slide/3/").status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("courses:handout", args=[module.slug])).status_code == 200
    draft = Slide.objects.get(section__module=module, section__number=1, position=2)
    preview_url = draft.get_absolute_url()
    client.force_login(site_staff)
    with django_assert_max_num_queries(8):  # + session, user, the menu's centre-staff check
        assert client.get(preview_url).status_code == 200


# --- history --------------------------------------------------------------------------------------


def edit_body(client, slide, body):
    data = form_data(client.get(change_url(slide)), "slide_form")
    data["body"] = body
    response = client.post(change_url(slide), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_trainer_compares_and_restores_an_earlier_version(client, trainer, section4):
    slide = section4.slides.get(title="B")
    client.force_login(trainer)
    edit_body(client, slide, "Eerste versie.")
    edit_body(client, slide, "Tweede versie.")
    history = client.get(reverse("admin:sections_slide_history", args=[slide.pk]))
    assert history.status_code == 200
    versions = list(Version.objects.get_for_object(slide))  # newest first
    assert len(versions) == 2
    old = versions[1]
    revision_url = reverse("admin:sections_slide_revision", args=[slide.pk, old.pk])
    assert revision_url in history.content.decode()
    page = client.get(revision_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Verschil met nu" in html and "Eerste versie." in html and "Tweede versie." in html
    slide.refresh_from_db()
    assert slide.body == "Tweede versie."  # only looking changes nothing
    response = client.post(revision_url, form_data(page, "slide_form"))
    assert response.status_code == 302
    slide.refresh_from_db()
    assert slide.body == "Eerste versie."
    assert "Eerste versie." in client.get(slide.get_absolute_url()).content.decode()
    assert Version.objects.get_for_object(slide).count() == 3


def test_restoring_after_a_reorder_puts_the_slide_back_at_its_place_then(client, trainer, section4):
    a = section4.slides.get(title="A")
    client.force_login(trainer)
    edit_body(client, a, "A zoals het was.")
    old = Version.objects.get_for_object(a).first()
    ordering.renumber(section4.slides.all(), requested={a.pk: 4})  # A moved to the end, B now holds 1
    edit_body(client, section4.slides.get(title="A"), "A herschreven.")
    revision_url = reverse("admin:sections_slide_revision", args=[a.pk, old.pk])
    page = client.get(revision_url)
    assert page.status_code == 200
    assert positions(section4) == [("B", 1), ("C", 2), ("D", 3), ("A", 4)]  # looking moved nothing
    response = client.post(revision_url, form_data(page, "slide_form"))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.body == "A zoals het was."
    assert positions(section4) == [("A", 1), ("B", 2), ("C", 3), ("D", 4)]  # the version's place, others shift


def test_restoring_a_slide_brings_its_links_back(client, trainer, section4, resource_factory):
    slide = section4.slides.get(title="C")
    resource_factory(slide=slide, title="Oude bron", url="https://example.org/oud")
    client.force_login(trainer)
    edit_body(client, slide, "Met de oude bron.")
    old = Version.objects.get_for_object(slide).first()
    data = form_data(client.get(change_url(slide)), "slide_form")
    data["resources-0-DELETE"] = "on"
    assert client.post(change_url(slide), data).status_code == 302
    assert not slide.resources.exists()
    revision_url = reverse("admin:sections_slide_revision", args=[slide.pk, old.pk])
    client.post(revision_url, form_data(client.get(revision_url), "slide_form"))
    assert list(slide.resources.values_list("title", flat=True)) == ["Oude bron"]


def test_staff_delete_a_slide_in_the_section_list_and_the_gap_closes(client, site_staff, section4):
    client.force_login(site_staff)
    data = form_data(client.get(change_url(section4)), "section_form")
    by_title = {data[f"slides-{i}-title"]: i for i in range(4)}
    data[f"slides-{by_title['B']}-DELETE"] = "on"
    data[f"slides-{by_title['D']}-position"] = "1"
    response = client.post(change_url(section4), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert positions(section4) == [("D", 1), ("A", 2), ("C", 3)]
