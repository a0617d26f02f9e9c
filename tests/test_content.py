"""The Module 6 course content (fixtures/module6.yaml) loads completely and cleanly.

The fixture is the Dutch deck "Samenwerken voor duurzaam succes" made into
sections, slides and resources; these tests pin what a learner must get: every
page and every link of the deck, no PDF-extraction artefacts, and a fixture
that can be loaded again without duplicating anything.
"""
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from courses.models import Module
from sections.models import Resource, Section, Slide

MODULE_SLUG = "samenwerken-voor-duurzaam-succes"
FIXTURE_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "module6.yaml"

SECTION_TITLES = [
    "Samenwerken voor duurzaam succes",
    "Cultuur van samenwerking",
    "De kracht van clusters en ecosystemen",
]
SLIDES_PER_SECTION = {1: 20, 2: 16, 3: 12}
SLIDE_COUNT = 48
RESOURCE_COUNT = 42  # 41 distinct addresses; the Interface article is on two slides

DECK_URLS = [
    "http://www.tourismpartnership.org/what-we-do/products-programmes/hotel-carbon-measurement-initiative",
    "https://collectively.org/en/",
    "http://www.edie.net/blog/Better-together-Why-collaboration-is-more-important-than-ever/6097774",
    "http://www.edie.net/news/5/Value-networks-hold-key-to-enabling-circular-economy/",
    "http://www.edie.net/search/search.asp?x=0&y=0&keywords=collaboration&category=0&channel=0",
    "http://www.edie.net/news/5/How-Interface-is-turning-windscreens-into-carpets/",
    "https://www.interface.com/US/en-US/sustainability/sustainability-overview.html",
    "http://www.edie.net/news/6/Supermarket-fridges-kept-cool-by-Formula-One/",
    "https://www.aerofoil-energy.co.uk/",
    "http://www.edie.net/news/5/Timberland-and-Omni-United-create-sustainable-road-to-shoe-recycled-tyres/",
    "https://www.omni-united.com/",
    "https://missionpossiblepartnership.org/",
    "https://www.edie.net/news/6/Mission-Possible-Partnership--Hundreds-of-transport-and-industrial-businesses-form-climate-coalition/",
    "https://www.edie.net/race-to-zero-retailers-forge-new-climate-focused-collaboration/",
    "https://www.edie.net/cop26-president-launches-challenge-to-deliver-net-zero-tipping-points-in-every-sector/",
    "https://www.greenbiz.com/blog/2013/02/19/5-steps-successful-collaboration",
    "https://www.bsr.org/en/about",
    "http://www.bsr.org/en/our-insights/blog-view/five-new-collaborative-initiatives-for-bsr-members",
    "https://www.bsr.org/en/our-insights/blog-view/six-things-i-have-learned-about-collaboration-for-sustainability",
    "http://www.eiccoalition.org/",
    "https://www.greenbiz.com/blog/2014/02/13/tech-companies-fail-track-conflict-minerals",
    "https://www.greenbiz.com/blog/2013/04/29/how-collaboration-creates-value-and-accelerates-change",
    "https://www.greenbiz.com/blog/2014/04/24/have-supply-chains-changed-rana-plaza-tragedy",
    "https://www.greenbiz.com/article/6-ways-collaboration-can-boost-sustainability",
    "https://www.theguardian.com/sustainable-business/2014/nov/17/10-things-we-learned-about-collaborating-for-sustainability",
    "https://eismea.ec.europa.eu/funding-opportunities/calls-proposals/sustainability-partnerships-smes-adopting-more-sustainable-practices-smp-cosme-2021-spp_en",
    "https://hbr.org/2016/03/innovation-springs-from-the-unexpected-meeting-of-minds",
    "https://www.forbes.com/sites/adigaskell/2017/06/22/new-study-finds-that-collaboration-drives-workplace-performance/#316dfe0f3d02",
    "https://www.atlassian.com/work-management/project-collaboration/collaborative-culture#:~:text=A%20collaborative%20culture%20is%20one%20where%20collaboration%20is,into%20the%20attitudes%20they%20take%20about%20that%20work.",
    "https://medium.com/@jasonkeath/partners-in-crime-the-power-of-finding-your-creative-collaborator-7d8aaf7af07b",
    "https://www.atlassian.com/work-management/project-collaboration/brainstorming",
    "https://www.thesprintbook.com/",
    "https://medium.com/upskilling/ideation-play-isnt-just-for-kids-and-games-it-s-also-used-in-business-e545aeedfffc",
    "https://www.tastewales.com/zones/clusters/sustainability/#:~:text=A%20well%20facilitated%20and%20productive%20Sustainability%20Cluster%20will,adopted%20by%20other%20Welsh%20Food%20and%20Drink%20Clusters.",
    "https://ssci.se/en/news/facts-about-stockholm-uppsala-life-science-cluster",
    "https://routledgehandbooks.com/doi/10.4324/9781003021339#:~:text=The%20Routledge%20Handbook%20of%20Research%20Methods%20for%20Social-Ecological,can%20be%20employed%20in%20social-ecological%20systems%20%28SES%29%20research",
    "https://reospartners.com/sustainable-fashion-lab-addressing-working-conditions-and-inequalities-in-the-fashion-supply-chain-in-brazil/",
    "https://amsterdam.impacthub.net/",
    "https://amsterdam.impacthub.net/ecosystems/food/",
    "http://www.rediscoverycentre.ie/",
    "http://www.rediscoverycentre.ie/about-us/funders-and-supporters/",
]

QUOTES = {
    "Als je snel wilt gaan, ga dan alleen. Als je ver wilt gaan, ga dan samen.": "Afrikaans spreekwoord",
    "We kunnen onze problemen niet oplossen met dezelfde denkwijze die we gebruikten toen we ze creëerden.": "Albert Einstein",
    "Nooit is het delen van ideeën belangrijker geweest": "Claudine Blamey",
}

# Artefacts of the PDF extraction that must never reach a learner.
ARTEFACTS = [
    re.compile(r"SUSTAINABLE\s+FUTURES", re.IGNORECASE),
    re.compile(r"S U S T A I N", re.IGNORECASE),
    re.compile(r"DEFINEERONDERWERP", re.IGNORECASE),
    re.compile(r"PROTOTYPEIDEAAT", re.IGNORECASE),
    re.compile(r"KLIK OP HET PICTOGRAM", re.IGNORECASE),
    re.compile(r"^\s*[A-Z]{1,2}\s*$", re.MULTILINE),  # a lone watermark letter (or pair) on a line
    re.compile(r"„"),  # low quote used as closing quote
    re.compile(r"”\.”"),
    re.compile(r"(?<!\.)\.\.(?!\.)"),  # doubled full stop ("tapijten..")
    re.compile(r"!!"),
    re.compile(r"\b(Begrijpen01|Definieer02|Idee03|Prototype04)\b"),
    re.compile(r"[a-zà-ÿ]-\n[a-zà-ÿ]"),  # hyphenation break across lines
    re.compile(r"\s\S*https?://"),  # no bare addresses in the text: links are resources
    re.compile(r"\bT\s*$"),  # stray "T" closing a paragraph
]

RESOURCE_KINDS = {"article", "video", "website", "funding_call", "book"}
SLIDE_KINDS = {"content", "quote", "example", "spotlight", "activity", "further_reading", "closing"}
DUTCH_WORDS = {
    "de", "het", "een", "van", "en", "over", "voor", "in", "op", "bij", "naar", "hoe", "die", "zijn",
    "artikel", "blogartikel", "boek", "financieringsoproep", "engelstalig", "nieuwe",
}


def load():
    call_command("loaddata", "module6", verbosity=0)


def counts():
    return (
        Module.objects.count(),
        Section.objects.count(),
        Slide.objects.count(),
        Resource.objects.count(),
    )


def all_texts():
    """Every learner-facing text of the module, labelled for failure messages."""
    module = Module.objects.get(slug=MODULE_SLUG)
    yield "module.title", module.title
    yield "module.introduction", module.introduction
    for section in Section.objects.filter(module=module):
        yield f"section {section.number} title", section.title
        yield f"section {section.number} introduction", section.introduction
    for slide in Slide.objects.filter(section__module=module).select_related("section"):
        label = f"slide {slide.section.number}/{slide.slug}"
        yield f"{label} title", slide.title
        yield f"{label} body", slide.body
        yield f"{label} attribution", slide.attribution
    for resource in Resource.objects.filter(slide__section__module=module).select_related("slide"):
        yield f"resource {resource.url} title", resource.title


def test_fixture_uses_natural_keys_without_pk():
    data = yaml.safe_load(FIXTURE_FILE.read_text(encoding="utf-8"))
    assert data, "fixture is empty"
    for obj in data:
        assert "pk" not in obj, obj
    models = [obj["model"] for obj in data]
    assert models[0] == "courses.module"
    assert set(models) == {"courses.module", "sections.section", "sections.slide", "sections.resource"}


@pytest.mark.django_db
def test_module_is_loaded():
    load()
    module = Module.objects.get(slug=MODULE_SLUG)
    assert module.number == 6
    assert module.title == "Samenwerken voor duurzaam succes"
    assert module.programme == "Sustainable Futures for Enterprise Centres"
    assert module.language == "nl"
    assert module.introduction.startswith("Onze laatste module onderzoekt hoe kmo's een blijvende impact")  # one word for SMEs (issue 9.9)


@pytest.mark.django_db
def test_three_sections_in_order():
    load()
    sections = Section.objects.filter(module__slug=MODULE_SLUG).order_by("number")
    assert [s.number for s in sections] == [1, 2, 3]
    assert [s.title for s in sections] == SECTION_TITLES
    for section in sections:
        assert section.introduction.strip(), f"section {section.number} has no introduction"


@pytest.mark.django_db
def test_slide_count():
    load()
    assert Slide.objects.filter(section__module__slug=MODULE_SLUG).count() == SLIDE_COUNT
    per_section = Counter(Slide.objects.filter(section__module__slug=MODULE_SLUG).values_list("section__number", flat=True))
    assert dict(per_section) == SLIDES_PER_SECTION


@pytest.mark.django_db
def test_slide_positions_have_no_gaps():
    load()
    for section in Section.objects.filter(module__slug=MODULE_SLUG):
        positions = list(section.slides.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)), f"section {section.number}: {positions}"


@pytest.mark.django_db
def test_slide_slugs_are_lowercase_ascii():
    load()
    for slug in Slide.objects.values_list("slug", flat=True):
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug


@pytest.mark.django_db
def test_every_deck_url_is_a_resource():
    load()
    urls = set(Resource.objects.filter(slide__section__module__slug=MODULE_SLUG).values_list("url", flat=True))
    missing = [u for u in DECK_URLS if u not in urls]
    assert not missing, missing
    assert urls == set(DECK_URLS), urls - set(DECK_URLS)
    assert Resource.objects.count() == RESOURCE_COUNT


@pytest.mark.django_db
def test_urls_are_exact():
    """Dots inside #:~:text= fragments are kept; the deck's stray trailing " ." is not."""
    load()
    urls = set(Resource.objects.values_list("url", flat=True))
    assert any(u.endswith("Drink%20Clusters.") for u in urls)
    assert any(u.endswith("about%20that%20work.") for u in urls)
    routledge = [u for u in urls if "routledgehandbooks" in u]
    assert len(routledge) == 1 and routledge[0].endswith("%20research")
    for url in urls:
        assert url.startswith(("http://", "https://")) and not re.search(r"\s", url), url


@pytest.mark.django_db
def test_resource_positions_have_no_gaps():
    load()
    for slide in Slide.objects.filter(section__module__slug=MODULE_SLUG):
        positions = list(slide.resources.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)), f"{slide.slug}: {positions}"


@pytest.mark.django_db
def test_no_extraction_artefacts():
    load()
    problems = []
    for label, text in all_texts():
        for pattern in ARTEFACTS:
            match = pattern.search(text or "")
            if match:
                problems.append(f"{label}: {pattern.pattern!r} matched {match.group(0)!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_slide_has_title_and_body():
    load()
    for slide in Slide.objects.all():
        assert slide.title.strip(), slide.slug
        assert slide.body.strip(), slide.slug
        assert slide.kind in SLIDE_KINDS, (slide.slug, slide.kind)


@pytest.mark.django_db
def test_quote_slides():
    load()
    quotes = Slide.objects.filter(kind="quote")
    assert quotes.count() == len(QUOTES)
    for slide in quotes:
        assert slide.attribution.strip(), slide.slug
    for text, who in QUOTES.items():
        matches = [s for s in quotes if text in s.body]
        assert len(matches) == 1, f"quote not found: {text}"
        assert who in matches[0].attribution, (text, matches[0].attribution)
    for slide in Slide.objects.exclude(kind="quote"):
        assert not slide.attribution, f"{slide.slug} is not a quote but has an attribution"


@pytest.mark.django_db
def test_every_slide_kind_is_used():
    load()
    used = set(Slide.objects.values_list("kind", flat=True))
    assert used == SLIDE_KINDS


@pytest.mark.django_db
def test_resources_have_dutch_titles_and_valid_kinds():
    load()
    for resource in Resource.objects.all():
        title = resource.title.strip()
        assert title, resource.url
        assert "http" not in title, title
        words = set(re.findall(r"[a-zà-ÿ]+", title.lower()))
        assert words & DUTCH_WORDS, f"not a Dutch title: {title}"
        assert resource.kind in RESOURCE_KINDS, (resource.url, resource.kind)
    assert not Resource.objects.filter(kind="video").exists()
    assert Resource.objects.get(url__contains="eismea.ec.europa.eu").kind == "funding_call"
    assert Resource.objects.get(url__contains="routledgehandbooks").kind == "book"
    assert Resource.objects.get(url="https://www.thesprintbook.com/").kind == "book"


@pytest.mark.django_db
def test_video_page_points_to_the_article():
    load()
    slide = Slide.objects.get(section__number=1, slug="interface-het-verhaal")
    assert "video" in slide.body
    assert "artikel" in slide.body
    [resource] = slide.resources.all()
    assert resource.kind == "article"
    assert resource.url == "http://www.edie.net/news/5/How-Interface-is-turning-windscreens-into-carpets/"


@pytest.mark.django_db
def test_design_sprint_is_a_numbered_five_step_sequence():
    load()
    slide = Slide.objects.get(section__number=2, slug="ontwerpsprint-organiseren")
    assert slide.title == "Een ontwerpsprint organiseren voor samenwerking"
    steps = re.findall(r"^(\d)\. \*\*(\w+)\*\*", slide.body, re.MULTILINE)
    assert steps == [("1", "Begrijpen"), ("2", "Definieer"), ("3", "Idee"), ("4", "Prototype"), ("5", "Test")]


@pytest.mark.django_db
def test_english_sentences_have_a_dutch_rendering():
    load()
    ecosystems = Slide.objects.get(section__number=3, slug="kracht-van-ecosystemen")
    assert "diverse partners vinden die dezelfde waarden delen" in ecosystems.body
    assert "parallel leren, experimenteren" in ecosystems.body
    assert "netwerken van vertrouwen" in ecosystems.body
    encourage = Slide.objects.get(section__number=2, slug="notendop-elkaar-aanmoedigen")
    assert "Moedig elkaar aan" in encourage.body
    for _label, text in all_texts():
        assert "DIEP DEEPER" not in text


@pytest.mark.django_db
def test_loading_twice_does_not_duplicate():
    load()
    before = counts()
    assert before == (1, 3, SLIDE_COUNT, RESOURCE_COUNT)
    load()
    assert counts() == before
