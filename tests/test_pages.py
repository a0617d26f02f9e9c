"""The learner's reading pages, through the test client."""
import pytest
from django.urls import reverse

from sections.models import Slide


def slide_url(module, number, position):
    return reverse("sections:slide", kwargs={"module_slug": module.slug, "number": number, "position": position})


def test_home_shows_module_sections_and_begin(client, build_module):
    module = build_module(sections=3, slides=4, title="Samen sterk")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Samen sterk" in html
    assert html.count('class="section-card"') == 3
    assert "4 slides" in html
    assert "Begin" in html
    assert slide_url(module, 1, 1) in html


def test_home_without_any_module_says_so(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "nog geen module" in response.content.decode()


def test_reading_time_grows_with_text(client, build_module, slide_factory):
    module = build_module(sections=1, slides=1)
    section = module.sections.get()
    slide_factory(section=section, body="woord " * 1000)
    html = client.get(module.get_absolute_url()).content.decode()
    assert "6 minuten" in html  # 1000+ words at 200 per minute, rounded up


def test_section_page_lists_its_slides_in_order(client, build_module):
    module = build_module(sections=2, slides=3)
    section = module.sections.get(number=2)
    response = client.get(section.get_absolute_url())
    assert response.status_code == 200
    titles = list(section.slides.order_by("position").values_list("title", flat=True))
    html = response.content.decode()
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "Sectie 2 van 2" in html


def test_slide_viewer_shows_position_resources_and_pager(client, build_module):
    module = build_module(sections=2, slides=3, resources=2)
    slide = Slide.objects.get(section__module=module, section__number=1, position=2)
    response = client.get(slide_url(module, 1, 2))
    assert response.status_code == 200
    html = response.content.decode()
    assert "slide 2 van 3" in html
    assert "slide 2 van 6 in de module" in html and '<progress id="voortgang"' not in html  # a position, not a bar
    for resource in slide.resources.all():
        assert f'href="{resource.url}" target="_blank" rel="noopener noreferrer"' in html
        assert resource.host in html
    assert f'rel="prev" href="{slide_url(module, 1, 1)}"' in html
    assert f'rel="next" href="{slide_url(module, 1, 3)}"' in html
    assert 'aria-current="page"' in html


def test_pager_crosses_section_boundaries_and_never_dead_ends(client, build_module):
    module = build_module(sections=2, slides=2)
    last_of_first = client.get(slide_url(module, 1, 2)).content.decode()
    assert f'rel="next" href="{slide_url(module, 2, 1)}"' in last_of_first
    first_of_second = client.get(slide_url(module, 2, 1)).content.decode()
    assert f'rel="prev" href="{slide_url(module, 1, 2)}"' in first_of_second
    very_first = client.get(slide_url(module, 1, 1)).content.decode()
    assert f'rel="prev" href="{module.get_absolute_url()}"' in very_first
    very_last = client.get(slide_url(module, 2, 2)).content.decode()
    assert f'rel="next" href="{module.get_absolute_url()}"' in very_last


def test_quote_slide_shows_attribution(client, slide_factory):
    slide = slide_factory(kind="quote", body="Samen kom je verder.", attribution="Afrikaans spreekwoord")
    html = client.get(slide.get_absolute_url()).content.decode()
    assert '<figure class="quote" lang="nl">' in html  # the module's Dutch, also under an English interface
    assert "— Afrikaans spreekwoord" in html
    assert "badge--quote" in html


@pytest.mark.parametrize("kind", [k for k, _ in Slide.Kind.choices])
def test_every_slide_kind_is_shown_distinctly(client, slide_factory, kind):
    slide = slide_factory(kind=kind)
    html = client.get(slide.get_absolute_url()).content.decode()
    assert f"slide--{kind}" in html
    if kind in {"content", "closing"}:  # issue 9.7: a badge only where the kind tells the learner something
        assert f"badge--{kind}" not in html
    else:
        assert f'<span class="badge badge--{kind}">{Slide.Kind(kind).label}</span>' in html


def test_handout_has_every_slide_and_resource(client, build_module):
    module = build_module(sections=3, slides=3, resources=2)
    response = client.get(reverse("courses:handout", args=[module.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<article class="handout-slide') == 9
    for slide in Slide.objects.filter(section__module=module).prefetch_related("resources"):
        assert slide.title in html
        for resource in slide.resources.all():
            assert resource.url in html
    assert "css/reading.bundle.css" in html  # with the print rules (config.staticbundle)


@pytest.mark.parametrize(
    "path",
    [
        "/module/bestaat-niet/",
        "/module/bestaat-niet/hand-out/",
        "/module/{slug}/sectie/9/",
        "/module/{slug}/sectie/1/slide/99/",
        "/module/{slug}/sectie/9/slide/1/",
        "/module/{slug}/sectie/een/",
        "/module/{slug}/sectie/1/slide/twee/",
        "/module/{slug}/sectie/-1/slide/1/",
        "/module/{slug}/sectie/1/slide/0/",
        "/module/{other}/sectie/1/slide/1/",
        "/module/{slug}/sectie/99999999999999999999/slide/1/",
    ],
)
def test_bad_addresses_give_404(client, build_module, module_factory, path):
    module = build_module(sections=1, slides=1)
    other = module_factory()  # a module without sections: its slides do not exist
    response = client.get(path.format(slug=module.slug, other=other.slug))
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in response.content.decode()


def test_slide_of_another_module_is_not_reachable_by_its_number(client, build_module):
    a = build_module(sections=1, slides=1)
    b = build_module(sections=1, slides=3)
    assert client.get(slide_url(b, 1, 3)).status_code == 200
    assert client.get(slide_url(a, 1, 3)).status_code == 404


@pytest.mark.parametrize("sizes", [(1, 2, 1), (3, 12, 3)])
def test_pages_do_a_fixed_number_of_queries(client, build_module, django_assert_max_num_queries, sizes):
    """Cold: the content version, then the page's own reads. Warm: the content version only."""
    sections, slides, resources = sizes
    module = build_module(sections=sections, slides=slides, resources=resources)
    section_url = module.sections.get(number=1).get_absolute_url()
    pages = [("/", 4), (module.get_absolute_url(), 4), (section_url, 5), (slide_url(module, 1, 1), 5),
             (reverse("courses:handout", args=[module.slug]), 5)]
    for url, cold in pages:
        with django_assert_max_num_queries(cold):
            assert client.get(url).status_code == 200
    for url, _cold in pages:
        with django_assert_max_num_queries(1):
            assert client.get(url).status_code == 200


def test_language_switcher_switches_the_interface_to_english(client, build_module):
    module = build_module(sections=1, slides=1)
    response = client.post(reverse("set_language"), {"language": "en", "next": module.get_absolute_url()})
    assert response.status_code == 302
    html = client.get(module.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    # The module's own content stays Dutch.
    assert module.title in html


def test_pages_have_no_inline_script_or_style(client, build_module):
    module = build_module(sections=1, slides=2)
    for url in ["/", module.sections.get().get_absolute_url(), slide_url(module, 1, 1),
                reverse("courses:handout", args=[module.slug])]:
        html = client.get(url).content.decode()
        assert "style=" not in html
        assert "<style" not in html
        assert "<script>" not in html
        for line in html.splitlines():
            if "<script" in line:
                assert 'src="' in line
