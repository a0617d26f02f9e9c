"""Search: the documents the database keeps per slide and per link, the compounds list, the zero-result log.

The documents are written by the database itself (triggers made by migration
``0002_create_search_documents``), never by Python: every way content is written
(admin save, history restore, import, ``loaddata``, a shell) keeps them current
without any other app knowing that search exists.

- PostgreSQL: ``SearchDocument`` rows (one per slide, one per external resource)
  with a weighted ``tsvector`` under a GIN index.
- SQLite: an FTS5 virtual table ``search_fts`` (where the build has FTS5); the
  ``search_document`` table exists there too but stays empty.
"""
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """What PostgreSQL searches: filled by triggers only (read-only for Python).

    No database foreign keys (``db_constraint=False``): the triggers delete a
    slide's documents when the slide goes, and a flush truncates this table with
    the others. ``DO_NOTHING`` keeps Django's deletion collector out of it.
    """

    slide = models.ForeignKey(
        "sections.Slide", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("slide")
    )
    resource = models.ForeignKey(
        "sections.Resource",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("externe bron"),
    )
    document = SearchVectorField(_("zoekdocument"), null=True)
    words = SearchVectorField(_("woorden"), null=True)

    class Meta:
        verbose_name = _("zoekdocument")
        verbose_name_plural = _("zoekdocumenten")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["slide"], condition=models.Q(resource__isnull=True), name="searchdocument_one_per_slide"
            ),
            models.UniqueConstraint(fields=["resource"], name="searchdocument_one_per_resource"),
        ]

    def __str__(self):
        return f"{self.slide_id}/{self.resource_id or '-'}"


class CompoundQuerySet(models.QuerySet):
    def get_by_natural_key(self, word):
        return self.get(word=word)


class Compound(models.Model):
    """A Dutch compound of the module and its parts, so that searching a part finds the whole.

    Prefix matching already finds "samenwerkingsverband" for "samenwerking"; this
    list covers the other parts ("verband", "cultuur", "bouwer"). A slide whose
    title or text contains ``word`` (case and accents ignored) gets ``parts`` in
    its search document; saving the list re-indexes the slides (a trigger).
    """

    word = models.CharField(
        _("samengesteld woord"),
        max_length=100,
        unique=True,
        help_text=_("In kleine letters, zoals het in de tekst staat, bijvoorbeeld ‘samenwerkingsverband’."),
    )
    parts = models.CharField(
        _("delen"),
        max_length=300,
        help_text=_("De delen, gescheiden door spaties, bijvoorbeeld ‘samenwerking verband’."),
    )

    objects = CompoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("samengesteld woord")
        verbose_name_plural = _("samengestelde woorden")
        ordering = ["word"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(word=""), name="compound_word_not_empty"),
        ]

    def __str__(self):
        return self.word

    def natural_key(self):
        return (self.word,)


class ZeroResultQuery(models.Model):
    """How often a query found nothing in a week: no user, no time, no address — only the words and a count."""

    week = models.DateField(_("week (maandag)"))
    query = models.CharField(_("zoekopdracht"), max_length=100)
    count = models.PositiveIntegerField(_("aantal"), default=0)

    class Meta:
        verbose_name = _("zoekopdracht zonder resultaat")
        verbose_name_plural = _("zoekopdrachten zonder resultaat")
        ordering = ["-week", "-count", "query"]
        constraints = [
            models.UniqueConstraint(fields=["week", "query"], name="zeroresultquery_unique_per_week"),
        ]

    def __str__(self):
        return f"{self.week}: {self.query} ({self.count})"
