"""The search documents, kept current by the database: triggers on slides, resources and compounds.

Why triggers: every write path (admin save, django-reversion restore, the import
of the transfer app, ``loaddata``, a data migration, a shell) goes through the
database, so the documents can never lag behind the content and no other app
needs to call into search. The SQL lives here, frozen with the migration; a
later change to a document's recipe is a new migration.

PostgreSQL
  Extensions ``unaccent`` and ``pg_trgm``; two text search configurations:
  ``search_dutch`` (Dutch stemming, stop words) and ``search_simple`` (every word
  as written: names, "BSR", "Interface"), both with ``unaccent`` in front, so
  "creeren" finds "creëren". A slide's document is both configurations of its
  title (weight A), Markdown headings (B), text, quote attribution, link titles
  and compound parts (C); a resource's document is its title (A) and host (B).
  ``words`` (plain ``simple``, accents kept) feeds "Bedoelde je …?".
  A GIN index on ``document``.

SQLite
  An FTS5 table ``search_fts`` (unicode61 tokenizer, diacritics removed) when the
  SQLite build has FTS5; rowid = 2 × slide id for a slide, 2 × resource id + 1 for
  a resource. Without FTS5 nothing is created and search uses ``icontains``.
"""
import sqlite3

from django.db import migrations

PG_FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TEXT SEARCH CONFIGURATION search_dutch (COPY = pg_catalog.dutch);
ALTER TEXT SEARCH CONFIGURATION search_dutch ALTER MAPPING FOR word, hword, hword_part WITH unaccent, dutch_stem;
CREATE TEXT SEARCH CONFIGURATION search_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION search_simple ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple;

CREATE INDEX search_document_gin ON search_searchdocument USING gin (document);

CREATE FUNCTION search_refresh_slide(p_slide bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_searchdocument WHERE slide_id = p_slide AND resource_id IS NULL;
  INSERT INTO search_searchdocument (slide_id, resource_id, document, words)
  SELECT s.id, NULL,
         setweight(to_tsvector('search_dutch', s.title), 'A') || setweight(to_tsvector('search_simple', s.title), 'A')
      || setweight(to_tsvector('search_dutch', h.text), 'B') || setweight(to_tsvector('search_simple', h.text), 'B')
      || setweight(to_tsvector('search_dutch', rest.text), 'C') || setweight(to_tsvector('search_simple', rest.text), 'C'),
         to_tsvector('simple', s.title || ' ' || s.body || ' ' || r.text)
    FROM sections_slide s
    CROSS JOIN LATERAL (
      SELECT coalesce(string_agg(m[1], ' '), '') AS text FROM regexp_matches(s.body, '^#{1,6}[ \t]+(.+)$', 'gn') AS m
    ) h
    CROSS JOIN LATERAL (
      SELECT coalesce(string_agg(res.title, ' '), '') AS text FROM sections_resource res WHERE res.slide_id = s.id
    ) r
    CROSS JOIN LATERAL (SELECT lower(unaccent(s.title || ' ' || s.body || ' ' || r.text)) AS text) haystack
    CROSS JOIN LATERAL (
      SELECT coalesce(string_agg(c.parts, ' '), '') AS text FROM search_compound c
       WHERE strpos(haystack.text, lower(unaccent(c.word))) > 0
    ) comp
    CROSS JOIN LATERAL (SELECT s.body || ' ' || s.attribution || ' ' || r.text || ' ' || comp.text AS text) rest
   WHERE s.id = p_slide;
END $$;

CREATE FUNCTION search_refresh_resource(p_resource bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_searchdocument WHERE resource_id = p_resource;
  INSERT INTO search_searchdocument (slide_id, resource_id, document, words)
  SELECT r.slide_id, r.id,
         setweight(to_tsvector('search_dutch', r.title), 'A') || setweight(to_tsvector('search_simple', r.title), 'A')
      || setweight(to_tsvector('search_simple', h.host), 'B'),
         to_tsvector('simple', r.title)
    FROM sections_resource r
    CROSS JOIN LATERAL (
      SELECT translate(coalesce(substring(r.url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:www\.)?([^/:?#]+)'), ''), '.', ' ') AS host
    ) h
   WHERE r.id = p_resource;
END $$;

CREATE FUNCTION search_slide_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_refresh_slide(NEW.id);
  RETURN NULL;
END $$;

CREATE FUNCTION search_slide_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_searchdocument WHERE slide_id = OLD.id;
  RETURN NULL;
END $$;

CREATE FUNCTION search_resource_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_refresh_resource(NEW.id);
  PERFORM search_refresh_slide(NEW.slide_id);
  IF TG_OP = 'UPDATE' AND OLD.slide_id <> NEW.slide_id THEN
    PERFORM search_refresh_slide(OLD.slide_id);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION search_resource_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_searchdocument WHERE resource_id = OLD.id;
  PERFORM search_refresh_slide(OLD.slide_id);
  RETURN NULL;
END $$;

CREATE FUNCTION search_compounds_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_refresh_slide(id) FROM sections_slide;
  RETURN NULL;
END $$;

CREATE TRIGGER search_slide_inserted AFTER INSERT ON sections_slide
  FOR EACH ROW EXECUTE FUNCTION search_slide_written();
CREATE TRIGGER search_slide_updated AFTER UPDATE ON sections_slide
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body
                     OR OLD.attribution IS DISTINCT FROM NEW.attribution)
  EXECUTE FUNCTION search_slide_written();
CREATE TRIGGER search_slide_deleted AFTER DELETE ON sections_slide
  FOR EACH ROW EXECUTE FUNCTION search_slide_deleted();
CREATE TRIGGER search_resource_inserted AFTER INSERT ON sections_resource
  FOR EACH ROW EXECUTE FUNCTION search_resource_written();
CREATE TRIGGER search_resource_updated AFTER UPDATE ON sections_resource
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.url IS DISTINCT FROM NEW.url
                     OR OLD.slide_id IS DISTINCT FROM NEW.slide_id)
  EXECUTE FUNCTION search_resource_written();
CREATE TRIGGER search_resource_deleted AFTER DELETE ON sections_resource
  FOR EACH ROW EXECUTE FUNCTION search_resource_deleted();
CREATE TRIGGER search_compounds_written AFTER INSERT OR UPDATE OR DELETE ON search_compound
  FOR EACH STATEMENT EXECUTE FUNCTION search_compounds_written();

SELECT search_refresh_slide(id) FROM sections_slide;
SELECT search_refresh_resource(id) FROM sections_resource;
"""

PG_BACKWARD = r"""
DROP TRIGGER IF EXISTS search_compounds_written ON search_compound;
DROP TRIGGER IF EXISTS search_resource_deleted ON sections_resource;
DROP TRIGGER IF EXISTS search_resource_updated ON sections_resource;
DROP TRIGGER IF EXISTS search_resource_inserted ON sections_resource;
DROP TRIGGER IF EXISTS search_slide_deleted ON sections_slide;
DROP TRIGGER IF EXISTS search_slide_updated ON sections_slide;
DROP TRIGGER IF EXISTS search_slide_inserted ON sections_slide;
DROP FUNCTION IF EXISTS search_compounds_written();
DROP FUNCTION IF EXISTS search_resource_deleted();
DROP FUNCTION IF EXISTS search_resource_written();
DROP FUNCTION IF EXISTS search_slide_deleted();
DROP FUNCTION IF EXISTS search_slide_written();
DROP FUNCTION IF EXISTS search_refresh_resource(bigint);
DROP FUNCTION IF EXISTS search_refresh_slide(bigint);
DROP INDEX IF EXISTS search_document_gin;
DELETE FROM search_searchdocument;
DROP TEXT SEARCH CONFIGURATION IF EXISTS search_simple;
DROP TEXT SEARCH CONFIGURATION IF EXISTS search_dutch;
"""

# SQLite: one INSERT ... SELECT for a slide's row and one for a resource's, used by every trigger.
_LINK_TITLES = "coalesce((SELECT group_concat(res.title, ' ') FROM sections_resource res WHERE res.slide_id = s.id), '')"
_SLIDE_ROWS = f"""
INSERT INTO search_fts (rowid, title, body, extra, kind, slide_id, resource_id)
SELECT s.id * 2, s.title, s.body || ' ' || s.attribution,
       {_LINK_TITLES} || ' ' ||
       coalesce((SELECT group_concat(c.parts, ' ') FROM search_compound c
                  WHERE instr(lower(s.title || ' ' || s.body || ' ' || {_LINK_TITLES}), lower(c.word)) > 0), ''),
       'slide', s.id, NULL
  FROM sections_slide s WHERE {{where}};"""

_URL_REST = "replace(replace(replace(lower(r.url), 'https://', ''), 'http://', ''), 'www.', '')"
_RESOURCE_ROWS = f"""
INSERT INTO search_fts (rowid, title, body, extra, kind, slide_id, resource_id)
SELECT r.id * 2 + 1, r.title, '',
       replace(substr({_URL_REST}, 1, instr({_URL_REST} || '/', '/') - 1), '.', ' '),
       'resource', r.slide_id, r.id
  FROM sections_resource r WHERE {{where}};"""


def _sqlite_forward_statements():
    slide = lambda where: _SLIDE_ROWS.format(where=where)  # noqa: E731
    resource = lambda where: _RESOURCE_ROWS.format(where=where)  # noqa: E731
    return [
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "title, body, extra, kind UNINDEXED, slide_id UNINDEXED, resource_id UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2')",
        f"""CREATE TRIGGER search_slide_inserted AFTER INSERT ON sections_slide BEGIN
              {slide('s.id = NEW.id')}
            END""",
        f"""CREATE TRIGGER search_slide_updated AFTER UPDATE OF title, body, attribution ON sections_slide BEGIN
              DELETE FROM search_fts WHERE rowid = OLD.id * 2;
              {slide('s.id = NEW.id')}
            END""",
        """CREATE TRIGGER search_slide_deleted AFTER DELETE ON sections_slide BEGIN
              DELETE FROM search_fts WHERE rowid = OLD.id * 2;
            END""",
        f"""CREATE TRIGGER search_resource_inserted AFTER INSERT ON sections_resource BEGIN
              {resource('r.id = NEW.id')}
              DELETE FROM search_fts WHERE rowid = NEW.slide_id * 2;
              {slide('s.id = NEW.slide_id')}
            END""",
        f"""CREATE TRIGGER search_resource_updated AFTER UPDATE OF title, url, slide_id ON sections_resource BEGIN
              DELETE FROM search_fts WHERE rowid = OLD.id * 2 + 1;
              {resource('r.id = NEW.id')}
              DELETE FROM search_fts WHERE rowid IN (OLD.slide_id * 2, NEW.slide_id * 2);
              {slide('s.id IN (OLD.slide_id, NEW.slide_id)')}
            END""",
        f"""CREATE TRIGGER search_resource_deleted AFTER DELETE ON sections_resource BEGIN
              DELETE FROM search_fts WHERE rowid = OLD.id * 2 + 1;
              DELETE FROM search_fts WHERE rowid = OLD.slide_id * 2;
              {slide('s.id = OLD.slide_id')}
            END""",
        *[
            f"""CREATE TRIGGER search_compound_{event.lower()} AFTER {event} ON search_compound BEGIN
                  DELETE FROM search_fts WHERE rowid IN (SELECT id * 2 FROM sections_slide);
                  {slide('1 = 1')}
                END"""
            for event in ("INSERT", "UPDATE", "DELETE")
        ],
        slide("1 = 1"),
        resource("1 = 1"),
    ]


SQLITE_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS search_compound_{event}" for event in ("insert", "update", "delete")],
    "DROP TRIGGER IF EXISTS search_resource_deleted",
    "DROP TRIGGER IF EXISTS search_resource_updated",
    "DROP TRIGGER IF EXISTS search_resource_inserted",
    "DROP TRIGGER IF EXISTS search_slide_deleted",
    "DROP TRIGGER IF EXISTS search_slide_updated",
    "DROP TRIGGER IF EXISTS search_slide_inserted",
    "DROP TABLE IF EXISTS search_fts",
]


def sqlite_has_fts5() -> bool:
    """Whether this Python's SQLite library (the one Django uses) was built with FTS5."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite" and sqlite_has_fts5():
        for statement in _sqlite_forward_statements():
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_create_documents_compounds_and_zero_result_log"),
        ("sections", "0003_grant_trainers_images_links_and_history"),
    ]

    operations = [migrations.RunPython(forward, backward)]
