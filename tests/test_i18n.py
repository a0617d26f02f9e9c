"""The interface speaks English when the learner chooses it; the module itself stays Dutch.

The catalogue is compiled by `make messages` (Babel), which `make test` runs first.
"""
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def test_overview_in_english(english, module6):
    html = english.get(module6.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html
    for text in ["Skip to content", "Start", "Hand-out to print", "The sections", "3 sections", "48 slides",
                 "about 28 minutes of reading", "Section 1", "Language"]:
        assert text in html, text
    for dutch in ["Naar de inhoud", "De secties", "Hand-out om te printen", "minuten lezen"]:
        assert dutch not in html, dutch
    # The module's own content is Dutch, and marked as such for screen readers.
    assert f'<h1 id="module-titel" lang="nl">{module6.title}</h1>' in html


def test_slide_in_english(english, module6):
    slide = module6.sections.get(number=1).slides.get(position=3)
    html = english.get(slide.get_absolute_url()).content.decode()
    for text in ["slide 3 of 20", "slide 3 of 48 in the module", "Quote", "Previous", "Next", "Contents of section 1",
                 "Previous and next slide", "Whole module as a hand-out"]:
        assert text in html, text
    for dutch in ["slide 3 van 20", "Vorige", "Volgende", "Citaat"]:
        assert dutch not in html, dutch
    assert f'lang="nl">{slide.title}</h1>' in html


def test_handout_in_english(english, module6):
    html = english.get(reverse("courses:handout", args=[module6.slug])).content.decode()
    for text in [f"Hand-out: {module6.title}", "Back to the overview", "Print this page",
                 "Section 1: Samenwerken voor duurzaam succes", "Read more on the web",
                 "external link, opens in a new tab", "Collaboration in action", "Going deeper"]:
        assert text in html, text
    for dutch in ["Terug naar het overzicht", "Lees verder op het web", "Samenwerking in actie</span>"]:
        assert dutch not in html, dutch


def test_dutch_stays_the_default(client, module6):
    html = client.get(module6.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="nl">' in html
    assert "Naar de inhoud" in html and "Begin" in html


def test_english_catalogue_translates_every_string():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    untranslated = [m.id for m in catalogue if m.id and not (all(m.string) if isinstance(m.id, tuple) else m.string)]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [], f"{len(untranslated)} string(s) without English: {untranslated[:10]}"
    assert fuzzy == [], f"fuzzy (unchecked) translations: {fuzzy[:10]}"
