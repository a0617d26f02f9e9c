"""Search (issue 15): golden queries on every backend, highlighting that cannot inject, odd input, the log.

Every search goes through the page a learner uses (``/zoeken/?q=…``) and the
results are read from its HTML. On SQLite the suite runs twice per query: with
the FTS5 table (the default where SQLite has FTS5) and with the ``icontains``
fallback; on PostgreSQL (``DATABASE_URL=postgres://…``) with the tsvector
documents. Expectations that need stemming or accent folding are skipped for
``icontains`` only, and say so.
"""
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from search.highlight import mark, plain
from search.models import Compound, ZeroResultQuery
from search.query import MAX_LENGTH, parse

pytestmark = pytest.mark.usefixtures("clear_cache")

MODULE = "samenwerken-voor-duurzaam-succes"
STEMMING = {"postgresql", "fts5"}  # backends that fold accents and match word forms (fts5: by prefix)


def _backends():
    """The backends of this database: PostgreSQL's own; on SQLite FTS5 (where built in) and the fallback."""
    if connection.vendor == "postgresql":
        return ["postgresql"]
    from importlib import import_module

    has_fts5 = import_module("search.migrations.0002_create_search_documents").sqlite_has_fts5()
    return ["fts5", "icontains"] if has_fts5 else ["icontains"]


@pytest.fixture(params=_backends())
def backend(request, db, settings):
    settings.SEARCH_BACKEND = request.param
    return request.param


@pytest.fixture(scope="module")
def _module6_for_this_file(django_db_setup, django_db_blocker):
    """Module 6 and its compounds, loaded once for this file (each test still rolls back its own writes)."""
    from courses.models import Module

    with django_db_blocker.unblock():
        call_command("loaddata", "module6", "module6_compounds", verbosity=0)
    yield
    with django_db_blocker.unblock():
        Module.objects.filter(slug=MODULE).delete()
        Compound.objects.all().delete()


@pytest.fixture
def module(_module6_for_this_file, db):
    from courses.models import Module

    return Module.objects.get(slug=MODULE)


def _search(client, q, **params):
    response = client.get(reverse("search:search"), {"q": q, **params})
    assert response.status_code == 200, (q, response.status_code)
    return response


def _slide_links(response):
    html = response.content.decode()
    return re.findall(r'class="search-result__title"><a href="([^"]+)"', html)


def _url(slug):
    from sections.models import Slide

    return Slide.objects.get(section__module__slug=MODULE, slug=slug).get_absolute_url()


# (query, slugs that must all be among the first five results, needs stemming/accent folding)
GOLDEN = [
    ("samenwerkingscultuur", ["wat-is-een-samenwerkingscultuur"], False),
    ("Collectively", ["samenwerkingsmodellen"], False),
    ("BSR", ["bsr-stap-1-geen-sjabloon", "bsr-stap-2-goed-bestuur", "bsr-stap-3-4-externe-druk-lange-termijn",
             "bsr-stap-5-6-verder-gaan-informeel"], False),
    ("wilde ideeën", ["basisregels-3-4"], False),
    ("conflicten", ["notendop-conflicten-benutten"], False),
    ("conflict", ["notendop-conflicten-benutten"], False),
    ("Interface", ["interface-autoruiten-tapijt", "interface-het-verhaal"], False),
    ("Timberland banden", ["timberland-gerecyclede-banden"], False),
    ("Formule 1 supermarkten", ["formule-1-supermarkten"], False),
    ("Mission Possible", ["mission-possible-partnership"], False),
    ("race naar nul", ["race-naar-nul"], False),
    ("ontwerpsprint organiseren", ["ontwerpsprint-organiseren"], False),
    ("ijsbreker", ["korte-activiteit-spel"], False),
    ("prototype", ["sprint-04-prototype"], False),
    ("Welsh cluster", ["spotlight-welsh-duurzaamheidscluster"], False),
    ("Zweedse cluster", ["spotlight-zweeds-duurzaamheidscluster"], False),
    ("ecosysteembouwer", ["ecosysteembouwer"], False),
    ("convergentie", ["ecosysteem-fase-02-convergentie"], False),
    ("divergentie", ["ecosysteem-fase-04-divergentie"], False),
    ("Impact Hub voedsel", ["impact-hub-voedselecosysteem"], False),
    ("Rediscovery Centre Ierland", ["rediscovery-centre"], False),
    ("Einstein", ["citaat-albert-einstein"], False),
    ("Afrikaans spreekwoord", ["citaat-afrikaans-spreekwoord"], False),
    ("Claudine Blamey", ["citaat-claudine-blamey"], False),
    ("waardenetwerken", ["waardenetwerken"], False),
    ("lidmaatschap bijdragen", ["inzichten-lidmaatschap"], False),
    ("basisregels", ["basisregels-1-2", "basisregels-3-4"], False),
    ("externe druk", ["bsr-stap-3-4-externe-druk-lange-termijn"], False),
    # Word forms and accents: the Dutch stemmer (PostgreSQL) or prefixes and diacritics folding (FTS5).
    ("ideeen", ["basisregels-3-4", "korte-activiteit-spel"], True),
    ("Zweeds duurzaamheidscluster", ["spotlight-zweeds-duurzaamheidscluster"], True),
]


@pytest.mark.parametrize("query, slugs, needs_stemming", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_query_finds_its_slide_among_the_first_five(client, module, backend, query, slugs, needs_stemming):
    if needs_stemming and backend not in STEMMING:
        pytest.skip("icontains has no stemming or accent folding")
    found = _slide_links(_search(client, query))[:5]
    for slug in slugs:
        assert _url(slug) in found, f"{query!r} on {backend}: {slug} not among {found}"


def test_golden_list_is_long_enough():
    assert len(GOLDEN) >= 20


def test_accents_are_ignored_both_ways(client, module, backend):
    if backend not in STEMMING:
        pytest.skip("SQLite's LIKE folds ASCII case only, not accents")
    without = _slide_links(_search(client, "creeren"))
    with_accent = _slide_links(_search(client, "creëren"))
    assert _url("waardenetwerken") in without
    assert sorted(without) == sorted(with_accent)


def test_a_typo_gets_a_suggestion_that_finds_the_slide(client, module, backend):
    response = _search(client, "ecosysteembouwr")
    html = response.content.decode()
    assert _slide_links(response) == []
    match = re.search(r'Bedoelde je <a href="([^"]+)"[^>]*>([^<]+)</a>\?', html)
    assert match, html
    assert match.group(2) == "ecosysteembouwer"
    followed = client.get(reverse("search:search") + match.group(1).replace("&amp;", "&"))
    assert _url("ecosysteembouwer") in _slide_links(followed)[:5]


def test_no_suggestion_when_the_words_are_known(client, module, backend):
    html = _search(client, "Welsh cluster").content.decode()
    assert "Bedoelde je" not in html


def test_a_quoted_phrase_keeps_its_words_together_and_in_order(client, module, backend):
    in_order = _slide_links(_search(client, '"zes stappen"'))
    assert _url("bsr-stap-1-geen-sjabloon") in in_order[:5]
    assert _slide_links(_search(client, '"stappen zes"')) == []


def test_an_exclusion_removes_slides(client, module, backend):
    everything = _search(client, "samenwerking", pagina=1)
    without = _search(client, "samenwerking -Interface")
    interface = {_url("interface-autoruiten-tapijt"), _url("interface-het-verhaal")}

    def total(response):
        return int(re.search(r"(\d+) slides gevonden", response.content.decode()).group(1))

    assert total(without) < total(everything)
    pages = [without]
    for n in range(2, 10):
        pages.append(_search(client, "samenwerking -Interface", pagina=n))
    assert not interface & {link for page in pages for link in _slide_links(page)}


def test_a_compound_in_a_link_title_counts_for_its_slide(client, module, backend):
    """"mineralen" is only in a link's title ("conflictmineralen"): the link and its slide are found."""
    from sections.models import Resource

    slide = Resource.objects.get(title__icontains="conflictmineralen").slide
    response = _search(client, "mineralen")
    assert slide.get_absolute_url() in _slide_links(response)


def test_a_part_of_a_compound_finds_the_whole(client, module, backend):
    """"verband" is not a word of the module, only part of "samenwerkingsverband(en)"."""
    from sections.models import Slide

    found = _slide_links(_search(client, "verband"))
    with_compound = {s.get_absolute_url() for s in Slide.objects.filter(body__icontains="samenwerkingsverband")}
    assert found and set(found[:5]) <= with_compound


def test_compounds_list_edited_in_the_admin_reindexes_the_slides(client, module, backend, trainer):
    if backend == "icontains":
        pytest.skip("icontains finds parts of words by itself")
    assert _slide_links(_search(client, "aangevende")) == []
    admin = type(client)()
    admin.force_login(trainer)
    response = admin.post(reverse("admin:search_compound_add"), {"word": "toonaangevende", "parts": "toon aangevende"})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert _slide_links(_search(client, "aangevende"))


def test_resources_are_found_with_host_and_slide(client, module, backend):
    html = _search(client, "Collectively").content.decode()
    assert 'href="https://www.collectively.org' in html or "collectively.org" in html
    section = re.search(r'<section aria-labelledby="resultaten-bronnen">(.*?)</section>', html, re.S)
    assert section, "no resources section"
    assert "collectively.org" in section.group(1)
    assert _url("samenwerkingsmodellen") in section.group(1)


def test_results_have_title_section_snippet_and_mark(client, module, backend):
    html = _search(client, "ijsbreker").content.decode()
    first = re.search(r'<li class="search-result">(.*?)</li>', html, re.S).group(1)
    assert "Sectie 2" in first
    assert "<mark>" in first


# --- content writes: the documents follow every write path (triggers) --------------------


def test_documents_follow_saves_updates_and_deletes(client, db, backend, build_module):
    from sections.models import Resource, Slide

    mod = build_module(sections=1, slides=2, resources=0)
    slide = Slide.objects.filter(section__module=mod).first()
    slide.title = "Over de kwartiermaker"
    slide.save()
    assert slide.get_absolute_url() in _slide_links(_search(client, "kwartiermaker"))
    # A queryset update bypasses save() and signals: only a trigger sees it.
    Slide.objects.filter(pk=slide.pk).update(body="Het woord hefboomwerking staat hier.")
    assert slide.get_absolute_url() in _slide_links(_search(client, "hefboomwerking"))
    Resource.objects.create(slide=slide, url="https://voorbeeld.nl/x", title="Lees over klimaatcoalities")
    html = _search(client, "klimaatcoalities").content.decode()
    assert "voorbeeld.nl" in html
    assert slide.get_absolute_url() in _slide_links(_search(client, "klimaatcoalities"))
    Resource.objects.filter(slide=slide).delete()
    assert "voorbeeld.nl" not in _search(client, "klimaatcoalities").content.decode()
    slide.delete()
    assert _slide_links(_search(client, "hefboomwerking")) == []


def test_drafts_and_quiz_questions_are_never_found(client, db, backend, build_module, slide_factory, quiz_factory):
    mod = build_module(sections=1, slides=1, resources=0)
    section = mod.sections.get()
    draft = slide_factory(section=section, title="Concept over zeepbellen", body="zeepbellen", is_published=False)
    quiz = quiz_factory(section=section, questions=1)
    question = quiz.questions.first()
    question.text = "Wat weet je over walvisvaart?"
    question.save()
    assert _slide_links(_search(client, "zeepbellen")) == []
    assert _slide_links(_search(client, "walvisvaart")) == []
    draft.is_published = True
    draft.save()
    assert _slide_links(_search(client, "zeepbellen")) == [draft.get_absolute_url()]


# --- odd input: never a 5xx, always a helpful page -----------------------------------------


def test_slide_text_with_html_is_shown_escaped(client, db, backend, build_module, slide_factory):
    mod = build_module(sections=1, slides=0, resources=0)
    slide_factory(
        section=mod.sections.get(),
        title="Code <b>vet</b> in de titel",
        body="Een tekst met <script>alert('x')</script> en het woord zeppelinhangaar erin.",
    )
    html = _search(client, "zeppelinhangaar").content.decode()
    assert "<script>alert" not in html
    assert "<b>vet</b>" not in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html
    assert "<mark>zeppelinhangaar</mark>" in html


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "samen\x00werking",
        "\x00",
        "x" * 2000,
        "-",
        '"""',
        "OR OR",
        "-samenwerking",
        "a & b | !c :* ''",
        "\ue000\ue001",
        "🙂 samenwerking",
        "%00",
    ],
)
def test_odd_input_gets_a_page_not_an_error(client, module, backend, query):
    response = client.get(reverse("search:search"), {"q": query})
    assert response.status_code in {200, 400}
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html


def test_too_long_query_is_capped_with_a_message(client, module, backend):
    html = _search(client, "samenwerking " * 200).content.decode()
    assert f"hoogstens {MAX_LENGTH} tekens" in html
    assert _slide_links(client.get(reverse("search:search"), {"q": "samenwerking " * 200})) == []


def test_empty_and_wordless_queries_explain_themselves(client, module, backend):
    assert "Zoek in alle slides" in _search(client, "").content.decode()
    assert "geen woord om naar te zoeken" in _search(client, "-samenwerking").content.decode()


def test_a_bad_page_number_is_page_one(client, module, backend):
    for page in ["abc", "-1", "0", "99999999999999999999"]:
        assert _slide_links(_search(client, "samenwerking", pagina=page)) == _slide_links(_search(client, "samenwerking"))
    second = _slide_links(_search(client, "samenwerking", pagina=2))
    assert second and not set(second) & set(_slide_links(_search(client, "samenwerking")))


# --- the zero-result log ---------------------------------------------------------------------


def test_zero_result_queries_are_counted_per_week_without_identity(client, module, backend, user_factory):
    client.force_login(user_factory())
    _search(client, "Kwantumfysica")
    _search(client, "kwantumfysica")
    _search(client, "samenwerking")  # found something: not logged
    rows = list(ZeroResultQuery.objects.values("query", "count"))
    assert rows == [{"query": "kwantumfysica", "count": 2}]
    assert {f.name for f in ZeroResultQuery._meta.get_fields()} == {"id", "week", "query", "count"}


def test_staff_see_the_zero_result_queries(client, module, backend, trainer, user_factory):
    from search.services import zero_result_record

    for _ in range(3):
        zero_result_record(query="kwantumfysica")
    zero_result_record(query="<b>x</b>")
    client.force_login(user_factory())
    assert client.get(reverse("search:zero_results")).status_code == 403
    client.force_login(trainer)
    html = client.get(reverse("search:zero_results")).content.decode()
    assert "kwantumfysica" in html and ">3<" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("query, at_most", [("samenwerking", 3), ("ecosysteembouwr", 6), ("", 0)])
def test_search_page_query_count(client, module, backend, django_assert_max_num_queries, query, at_most):
    # icontains also counts its slides (one more), and a search that finds nothing counts itself (+2).
    extra = (1 if backend == "icontains" else 0) + (3 if query == "ecosysteembouwr" else 0)
    with django_assert_max_num_queries(at_most + extra):
        _search(client, query)


# --- the parts ------------------------------------------------------------------------------


def test_parse_reads_web_search_syntax():
    parsed = parse('"wilde ideeën" -Interface samenwerk')
    (group,) = parsed.groups
    assert [(c.words, c.phrase, c.negated, c.prefix) for c in group] == [
        (("wilde", "ideeën"), True, False, False),
        (("interface",), False, True, False),
        (("samenwerk",), False, False, True),
    ]
    assert len(parse("a OR b").groups) == 2
    assert parse("-alleen -uitsluiten").is_empty
    assert parse("„zes stappen”").groups[0][0].phrase  # a phone's typographic quotes
    assert parse("w " * 50).truncated


def test_mark_escapes_and_balances():
    s, e = "\ue000", "\ue001"
    assert mark(f"<b>{s}x{e}</b>", markdown=False) == "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"
    assert mark(f"{s}open", markdown=False) == "<mark>open</mark>"
    assert mark(f"dicht{e}{e}", markdown=False) == "dicht"
    assert mark(f"{s}{s}a{e}", markdown=False) == "<mark>a</mark>"
    assert plain("## Kop\n- een [link](https://x.org) met **vet**") == "Kop — een link met vet"


def test_search_page_in_english(client, module, backend):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _search(client, "ecosysteembouwr").content.decode()
    for text in ["Search the module", "What are you looking for?", "Did you mean", "No slides found for"]:
        assert text in html, text
    for dutch in ["Bedoelde je", "Zoeken in de module", "Geen slides gevonden"]:
        assert dutch not in html, dutch
    assert "slides found for ‘BSR’" in _search(client, "BSR").content.decode()
