"""Three ways to answer a parsed query, one result shape: PostgreSQL, SQLite FTS5, ``icontains``.

Each backend returns the same :class:`Results`; the view and template never
know which one answered. Query counts (pinned in tests/test_search.py):
PostgreSQL and FTS5 do one query for the slides (with their total) and one for
the resources, plus one for a suggestion when little is found; ``icontains``
one more (its count).

Drafts are filtered out in every query (``is_published``); quiz questions are
never part of a document.
"""
import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse

from sections.models import Resource, Slide, learner_number_of

from .highlight import mark, plain
from .query import SENTINEL_START, SENTINEL_STOP, Clause, ParsedQuery

SUGGEST_BELOW = 3  # fewer slides than this: look for a better spelling
SUGGEST_MIN_LENGTH = 4


@dataclass

class SlideHit:
    title: str
    snippet: str
    kind: str
    section_number: int
    section_title: str
    url: str

    @property
    def kind_label(self):
        return Slide.Kind(self.kind).label if self.kind in Slide.Kind.values else ""


@dataclass
class ResourceHit:
    title: str
    url: str
    host: str
    slide_title: str
    section_number: int
    slide_position: int
    slide_url: str


@dataclass
class Results:
    backend: str
    slides: list[SlideHit] = field(default_factory=list)
    slide_total: int = 0
    resources: list[ResourceHit] = field(default_factory=list)
    resource_total: int = 0
    suggestion: str = ""


def _slide_url(module_slug, section_number, position):
    return reverse("sections:slide", kwargs={"module_slug": module_slug, "number": section_number, "position": position})


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").removeprefix("www.")


# The number learners see for slide ``s`` (its rank among the published slides of its section).
_LEARNER_POSITION = (
    "(SELECT count(*) FROM sections_slide s2 "
    "WHERE s2.section_id = s.section_id AND s2.is_published AND s2.position <= s.position)"
)


def _suggest_from(parsed: ParsedQuery, closest) -> str:
    """The query with each unknown word replaced by ``closest(word)`` (or "" if nothing changes)."""
    changed = False
    parts = []
    for i, group in enumerate(parsed.groups):
        if i:
            parts.append("OR")
        for c in group:
            words = []
            for w in c.words:
                better = closest(w) if not c.negated and len(w) >= SUGGEST_MIN_LENGTH else None
                if better and better != w:
                    changed = True
                    words.append(better)
                else:
                    words.append(w)
            text = " ".join(words)
            text = f'"{text}"' if c.phrase else text
            parts.append(f"-{text}" if c.negated else text)
    return " ".join(parts) if changed else ""



def _add_resource_hits(results, rows, mark) -> None:
    """The link rows of a search (both database backends select the same columns) as ``ResourceHit``s."""
    for title, url, slide_title, number, module_slug, position, total in rows:
        results.resource_total = total
        results.resources.append(
            ResourceHit(
                title=mark(title, markdown=False),
                url=url,
                host=_host(url),
                slide_title=slide_title,
                section_number=number,
                slide_position=position,
                slide_url=_slide_url(module_slug, number, position),
            )
        )


class PostgresBackend:
    name = "postgresql"
    HEADLINE = (
        f"StartSel={SENTINEL_START}, StopSel={SENTINEL_STOP}, MaxWords=35, MinWords=15"
    )
    HEADLINE_ALL = f"HighlightAll=true, StartSel={SENTINEL_START}, StopSel={SENTINEL_STOP}"

    @staticmethod
    def _clause(c: Clause):
        if c.phrase:
            sql = "(phraseto_tsquery('search_dutch', %s) || phraseto_tsquery('search_simple', %s))"
            params = [c.text, c.text]
        elif c.prefix:
            # Dutch stem of the word, or any word starting with it (accents removed by the configuration).
            sql = "(plainto_tsquery('search_dutch', %s) || to_tsquery('search_simple', %s))"
            params = [c.text, f"'{c.words[0]}':*"]  # the word is \w+ only: no quote can be in it
        else:
            sql = "(plainto_tsquery('search_dutch', %s) || plainto_tsquery('search_simple', %s))"
            params = [c.text, c.text]
        if c.negated:
            sql = f"(!!{sql})"
        return sql, params

    def tsquery(self, parsed: ParsedQuery):
        group_sql, params = [], []
        for group in parsed.groups:
            parts = []
            for c in group:
                sql, p = self._clause(c)
                parts.append(sql)
                params += p
            group_sql.append("(" + " && ".join(parts) + ")")
        return " || ".join(group_sql), params

    def search(self, parsed: ParsedQuery, *, offset: int, limit: int, resource_limit: int) -> Results:
        tsq, tsq_params = self.tsquery(parsed)
        results = Results(backend=self.name)
        with connection.cursor() as cursor:
            # The tsquery is a subquery, not a CTE: the planner pulls it up and folds it into a
            # constant (the functions are immutable), so the GIN index can serve the @@.
            cursor.execute(
                f"""
                SELECT ts_headline('search_dutch', s.title, q.query, %s),
                       ts_headline('search_dutch', regexp_replace(s.body, '\\]\\([^)]*\\)', ']', 'g'), q.query, %s),
                       s.kind, sec.number, sec.title, m.slug, {_LEARNER_POSITION}, hits.total
                  FROM (
                    SELECT d.slide_id, ts_rank(d.document, q.query) AS rank, count(*) OVER () AS total,
                           sec.module_id, sec.number, s.position
                      FROM search_searchdocument d
                      CROSS JOIN (SELECT {tsq} AS query) q
                      JOIN sections_slide s ON s.id = d.slide_id
                      JOIN sections_section sec ON sec.id = s.section_id
                     WHERE d.resource_id IS NULL AND s.is_published AND d.document @@ q.query
                     ORDER BY rank DESC, sec.module_id, sec.number, s.position
                     LIMIT %s OFFSET %s
                  ) hits
                  CROSS JOIN (SELECT {tsq} AS query) q
                  JOIN sections_slide s ON s.id = hits.slide_id
                  JOIN sections_section sec ON sec.id = s.section_id
                  JOIN courses_module m ON m.id = sec.module_id
                 ORDER BY hits.rank DESC, hits.module_id, hits.number, hits.position
                """,  # nosec B608  # constant SQL; the tsquery is built from bound parameters
                [self.HEADLINE_ALL, self.HEADLINE, *tsq_params, limit, offset, *tsq_params],
            )
            for title, snippet, kind, number, section_title, module_slug, position, total in cursor.fetchall():
                results.slide_total = total
                results.slides.append(
                    SlideHit(
                        title=mark(title, markdown=False),
                        snippet=mark(snippet),
                        kind=kind,
                        section_number=number,
                        section_title=section_title,
                        url=_slide_url(module_slug, number, position),
                    )
                )
            if not results.slides and offset:
                cursor.execute(
                    f"""SELECT count(*) FROM search_searchdocument d JOIN sections_slide s ON s.id = d.slide_id
                         WHERE d.resource_id IS NULL AND s.is_published AND d.document @@ ({tsq})""",  # nosec B608  # constant SQL; the tsquery is built from bound parameters
                    tsq_params,
                )
                results.slide_total = cursor.fetchone()[0]
            cursor.execute(
                f"""
                SELECT ts_headline('search_dutch', r.title, q.query, %s), r.url,
                       s.title, sec.number, m.slug, {_LEARNER_POSITION}, count(*) OVER ()
                  FROM search_searchdocument d
                  CROSS JOIN (SELECT {tsq} AS query) q
                  JOIN sections_resource r ON r.id = d.resource_id
                  JOIN sections_slide s ON s.id = d.slide_id
                  JOIN sections_section sec ON sec.id = s.section_id
                  JOIN courses_module m ON m.id = sec.module_id
                 WHERE d.resource_id IS NOT NULL AND s.is_published AND d.document @@ q.query
                 ORDER BY ts_rank(d.document, q.query) DESC, sec.module_id, sec.number, s.position, r.position
                 LIMIT %s
                """,  # nosec B608  # constant SQL; the tsquery is built from bound parameters
                [self.HEADLINE_ALL, *tsq_params, resource_limit],
            )
            _add_resource_hits(results, cursor.fetchall(), mark)
        return results

    def suggest(self, parsed: ParsedQuery) -> str:
        """pg_trgm over the words of the published slides: the closest known word for each unknown one."""
        words = sorted({w for w in parsed.positive_words if len(w) >= SUGGEST_MIN_LENGTH})
        if not words:
            return ""
        with connection.cursor() as cursor:
            # A word is known when it finds a published slide (stemmed, unaccented or as a prefix);
            # an unknown one gets the most similar word of the published slides (trigrams).
            cursor.execute(
                """
                WITH lexicon AS MATERIALIZED (
                  SELECT word, ndoc, unaccent(word) AS plain
                    FROM ts_stat('SELECT d.words FROM search_searchdocument d JOIN sections_slide s
                                   ON s.id = d.slide_id WHERE s.is_published')
                   WHERE length(word) >= 3
                )
                SELECT input.w,
                       EXISTS (
                         SELECT 1 FROM search_searchdocument d JOIN sections_slide s ON s.id = d.slide_id
                          WHERE s.is_published
                            AND d.document @@ (plainto_tsquery('search_dutch', input.w)
                                               || to_tsquery('search_simple', quote_literal(input.w) || ':*'))
                       ),
                       ARRAY(SELECT word FROM lexicon WHERE similarity(lexicon.plain, unaccent(input.w)) >= 0.4
                              ORDER BY similarity(lexicon.plain, unaccent(input.w)) DESC, ndoc DESC, word
                              LIMIT 8)
                  FROM unnest(%s::text[]) AS input(w)
                """,
                [words],
            )
            # Trigrams shortlist; the closest spelling (difflib's ratio) of the shortlist wins.
            closest = {w: (None if known else _best_match(w, candidates)) for w, known, candidates in cursor.fetchall()}
        return _suggest_from(parsed, lambda w: closest.get(w))


class Fts5Backend:
    """SQLite with FTS5: no stemming, so every word of four letters or more is also a prefix ("conflict*")."""

    name = "fts5"

    @staticmethod
    def _term(c: Clause) -> str:
        # Words are \w+ only, so a double-quoted FTS5 string can hold them safely.
        if c.phrase:
            return '"' + " ".join(c.words) + '"'
        word = c.words[0]
        return f'"{word}"*' if c.prefix or len(word) >= 4 else f'"{word}"'

    def match(self, parsed: ParsedQuery) -> str:
        groups = []
        for group in parsed.groups:
            positive = [self._term(c) for c in group if not c.negated]
            negative = [self._term(c) for c in group if c.negated]
            if not positive:
                continue
            expr = "(" + " AND ".join(positive) + ")"
            if negative:
                expr = f"({expr} NOT ({' OR '.join(negative)}))"
            groups.append(expr)
        return " OR ".join(groups)

    def search(self, parsed: ParsedQuery, *, offset: int, limit: int, resource_limit: int) -> Results:
        expr = self.match(parsed)
        results = Results(backend=self.name)
        with connection.cursor() as cursor:
            # FTS5's functions (highlight, snippet, bm25) only work in the query that does the MATCH.
            cursor.execute(
                f"""
                SELECT h.title, h.snippet, s.kind, sec.number, sec.title, m.slug, {_LEARNER_POSITION}, count(*) OVER ()
                  FROM (SELECT slide_id, highlight(search_fts, 0, %s, %s) AS title,
                               snippet(search_fts, 1, %s, %s, '…', 28) AS snippet,
                               bm25(search_fts, 10.0, 1.0, 0.5) AS rank
                          FROM search_fts WHERE search_fts MATCH %s AND kind = 'slide') h
                  JOIN sections_slide s ON s.id = h.slide_id
                  JOIN sections_section sec ON sec.id = s.section_id
                  JOIN courses_module m ON m.id = sec.module_id
                 WHERE s.is_published
                 ORDER BY h.rank, sec.module_id, sec.number, s.position
                 LIMIT %s OFFSET %s
                """,  # nosec B608  # constant SQL; the tsquery is built from bound parameters
                [SENTINEL_START, SENTINEL_STOP, SENTINEL_START, SENTINEL_STOP, expr, limit, offset],
            )
            for title, snippet, kind, number, section_title, module_slug, position, total in cursor.fetchall():
                results.slide_total = total
                results.slides.append(
                    SlideHit(
                        title=mark(title, markdown=False),
                        snippet=mark(snippet),
                        kind=kind,
                        section_number=number,
                        section_title=section_title,
                        url=_slide_url(module_slug, number, position),
                    )
                )
            if not results.slides and offset:
                cursor.execute(
                    """SELECT count(*) FROM search_fts JOIN sections_slide s ON s.id = search_fts.slide_id
                        WHERE search_fts MATCH %s AND search_fts.kind = 'slide' AND s.is_published""",
                    [expr],
                )
                results.slide_total = cursor.fetchone()[0]
            cursor.execute(
                f"""
                SELECT h.title, r.url, s.title, sec.number, m.slug, {_LEARNER_POSITION}, count(*) OVER ()
                  FROM (SELECT resource_id, highlight(search_fts, 0, %s, %s) AS title,
                               bm25(search_fts, 10.0, 1.0, 0.5) AS rank
                          FROM search_fts WHERE search_fts MATCH %s AND kind = 'resource') h
                  JOIN sections_resource r ON r.id = h.resource_id
                  JOIN sections_slide s ON s.id = r.slide_id
                  JOIN sections_section sec ON sec.id = s.section_id
                  JOIN courses_module m ON m.id = sec.module_id
                 WHERE s.is_published
                 ORDER BY h.rank, sec.module_id, sec.number, s.position, r.position
                 LIMIT %s
                """,  # nosec B608  # constant SQL; the tsquery is built from bound parameters
                [SENTINEL_START, SENTINEL_STOP, expr, resource_limit],
            )
            _add_resource_hits(results, cursor.fetchall(), mark)
        return results

    def suggest(self, parsed: ParsedQuery) -> str:
        """difflib over FTS5's own vocabulary (``fts5vocab``; its words have no accents)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fts_vocab USING fts5vocab(main, search_fts, 'row')"
            )
            cursor.execute("SELECT term FROM temp.search_fts_vocab WHERE length(term) >= 3")
            vocabulary = [row[0] for row in cursor.fetchall()]
        return _suggest_from(parsed, _closest_in(vocabulary, known_as="prefix"))


def _best_match(word, candidates, cutoff=0.0):
    best, best_ratio = None, cutoff
    for candidate in candidates:
        ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best


def _unaccent(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


def _closest_in(vocabulary, *, known_as: str):
    """For SQLite: a word is known when the backend would find it.

    ``known_as``: "prefix" (FTS5 matches words of four letters or more as a prefix) or
    "substring" (``icontains`` finds any part of a word).
    """
    vocabulary = sorted(vocabulary)
    known = set(vocabulary)
    everything = "\n".join(vocabulary) if known_as == "substring" else ""

    def closest(word):
        plain_word = _unaccent(word)
        if word in known or plain_word in known:
            return None
        if known_as == "prefix" and len(word) >= 4:
            i = bisect.bisect_left(vocabulary, plain_word)
            if i < len(vocabulary) and vocabulary[i].startswith(plain_word):
                return None
        if known_as == "substring" and word in everything:
            return None
        return _best_match(plain_word, difflib.get_close_matches(plain_word, vocabulary, n=5, cutoff=0.75))

    return closest


def _wrap_hits(text: str, words: list[str]) -> str:
    """Sentinels around every occurrence of ``words`` in ``text`` (case-insensitive), for ``mark``."""
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)), re.IGNORECASE)
    return pattern.sub(lambda m: f"{SENTINEL_START}{m.group(0)}{SENTINEL_STOP}", text)


def _excerpt(text: str, words: list[str], width: int = 220) -> str:
    lower = text.lower()
    starts = [i for i in (lower.find(w) for w in words) if i >= 0]
    start = max(0, min(starts) - 60) if starts else 0
    excerpt = text[start : start + width]
    return ("…" if start else "") + excerpt + ("…" if start + width < len(text) else "")


def _own_learner_number():
    return Subquery(
        Slide.objects.filter(section_id=OuterRef("section_id"), is_published=True, position__lte=OuterRef("position"))
        .order_by()
        .values("section_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


class LikeBackend:
    """Where SQLite has no FTS5: ``icontains`` on title, text, quote attribution and link titles.

    Looser than the others: no stemming, no accent folding (SQLite's LIKE folds
    ASCII only), title hits first, then module order. Substrings make compounds
    work for free ("cultuur" is in "samenwerkingscultuur").
    """

    name = "icontains"

    @staticmethod
    def _slide_q(c: Clause) -> Q:
        text = c.text
        q = (
            Q(title__icontains=text)
            | Q(body__icontains=text)
            | Q(attribution__icontains=text)
            | Exists(Resource.objects.filter(slide=OuterRef("pk"), title__icontains=text))
        )
        return ~q if c.negated else q

    @staticmethod
    def _resource_q(c: Clause) -> Q:
        q = Q(title__icontains=c.text) | Q(url__icontains=c.text)
        return ~q if c.negated else q

    def _combine(self, parsed, make):
        combined = Q(pk__in=[])
        for group in parsed.groups:
            if not any(not c.negated for c in group):
                continue
            g = Q()
            for c in group:
                g &= make(c)
            combined |= g
        return combined

    def search(self, parsed: ParsedQuery, *, offset: int, limit: int, resource_limit: int) -> Results:
        words = parsed.positive_words
        title_hit = Q(pk__in=[])
        for w in words:
            title_hit |= Q(title__icontains=w)
        slides = (
            Slide.objects.published()
            .filter(self._combine(parsed, self._slide_q))
            .select_related("section__module")
            .annotate(title_hit=Case(When(title_hit, then=Value(1)), default=Value(0), output_field=IntegerField()))
            .order_by("-title_hit", "section__module_id", "section__number", "position")
        )
        results = Results(backend=self.name, slide_total=slides.count())
        for slide in slides.annotate(learner_position=_own_learner_number())[offset : offset + limit]:
            section = slide.section
            results.slides.append(
                SlideHit(
                    title=mark(_wrap_hits(slide.title, words), markdown=False),
                    snippet=mark(_wrap_hits(_excerpt(plain(slide.body), words), words), markdown=False),
                    kind=slide.kind,
                    section_number=section.number,
                    section_title=section.title,
                    url=slide.get_absolute_url(),
                )
            )
        resources = list(
            Resource.objects.filter(slide__is_published=True)
            .filter(self._combine(parsed, self._resource_q))
            .select_related("slide__section__module")
            .annotate(slide_number=learner_number_of("slide"))
            .order_by("slide__section__module_id", "slide__section__number", "slide__position", "position")
        )
        results.resource_total = len(resources)
        for r in resources[:resource_limit]:
            slide = r.slide
            results.resources.append(
                ResourceHit(
                    title=mark(_wrap_hits(r.title, words), markdown=False),
                    url=r.url,
                    host=r.host,
                    slide_title=slide.title,
                    section_number=slide.section.number,
                    slide_position=r.slide_number,
                    slide_url=_slide_url(slide.section.module.slug, slide.section.number, r.slide_number),
                )
            )
        return results

    def suggest(self, parsed: ParsedQuery) -> str:
        vocabulary = set()
        for title, body in Slide.objects.published().values_list("title", "body"):
            vocabulary.update(w.lower() for w in re.findall(r"\w{3,}", f"{title} {body}"))
        return _suggest_from(parsed, _closest_in(vocabulary, known_as="substring"))


_FTS5_TABLES: dict[str, bool] = {}


def get_backend():
    """The backend for this database: settings.SEARCH_BACKEND ("postgresql", "fts5", "icontains") decides if set."""
    chosen = getattr(settings, "SEARCH_BACKEND", "")
    if chosen:
        return {"postgresql": PostgresBackend, "fts5": Fts5Backend, "icontains": LikeBackend}[chosen]()
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name not in _FTS5_TABLES:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_fts'")
                _FTS5_TABLES[name] = cursor.fetchone() is not None
        if _FTS5_TABLES[name]:
            return Fts5Backend()
    return LikeBackend()
