"""Finding 2b: images from another site in trainers' Markdown (a tracking pixel would tell that
site every learner's IP address and reading time). The editor refuses them with a clear
message; the renderer drops any that are already stored; the module's content has none."""
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from courses.markdown import render_markdown
from sections.forms import outside_images

from .admin_forms import form_data


@pytest.mark.parametrize(
    "text",
    [
        "Kijk ![Grafiek](https://elders.example/track.gif)",
        "![Grafiek](http://elders.example/a.png)",
        "![Grafiek](//elders.example/a.png)",
        '<img src="https://elders.example/t.gif" alt="pixel">',
        "![Grafiek][g]\n\n[g]: https://elders.example/a.png",
        "![Grafiek](HTTPS://ELDERS.EXAMPLE/A.PNG)",
    ],
)
def test_outside_images_are_found_and_dropped_when_rendered(text):
    assert outside_images(text)
    assert "elders.example" not in str(render_markdown(text)).lower()


def test_own_images_and_outside_links_are_fine():
    text = "![Twee ondernemers](/afbeeldingen/abc.png) en [een artikel](https://www.example.org/a)"
    assert outside_images(text) == []
    html = str(render_markdown(text))
    assert 'src="/afbeeldingen/abc.png"' in html
    assert 'href="https://www.example.org/a"' in html


def test_the_editor_refuses_an_outside_image_with_a_clear_message(client, trainer, slide_factory):
    slide = slide_factory(body="Oude tekst.")
    client.force_login(trainer)
    url = reverse("admin:sections_slide_change", args=[slide.pk])
    data = form_data(client.get(url), "slide_form")
    data["body"] = "Tekst ![Logo van de partner](https://elders.example/track.gif)"
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Afbeeldingen van een andere website kunnen hier niet" in html
    assert "sleep haar in de editor" in html
    slide.refresh_from_db()
    assert slide.body == "Oude tekst."


def test_the_editor_refuses_an_outside_image_in_a_module_introduction(client, site_staff, module_factory):
    module = module_factory()
    client.force_login(site_staff)
    url = reverse("admin:courses_module_change", args=[module.pk])
    data = form_data(client.get(url), "module_form")
    data["introduction"] = '<img src="//elders.example/p.gif" alt="x">'
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Afbeeldingen van een andere website kunnen hier niet" in response.content.decode()


def _markdown_texts(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _markdown_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _markdown_texts(value)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("name", sorted(p.name for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.yaml")))
def test_the_content_we_ship_has_no_outside_images(name):
    data = yaml.safe_load((Path(settings.BASE_DIR) / "fixtures" / name).read_text(encoding="utf-8"))
    found = [src for text in _markdown_texts(data) for src in outside_images(text)]
    assert found == []


def test_the_content_in_the_database_has_no_outside_images(module6):
    """Existing content as the site holds it: every Markdown field of every content model."""
    from courses.models import Module
    from sections.models import Section, Slide

    found = []
    for model, fields in [(Module, ["introduction"]), (Section, ["introduction"]), (Slide, ["body"])]:
        for obj in model.objects.all():
            for field in fields:
                found += [(str(obj), src) for src in outside_images(getattr(obj, field))]
    assert Slide.objects.count() > 40
    assert found == []
