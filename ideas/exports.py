"""The idea wall as a table for the CSV export: one row per idea, with its thread, cluster and dots.

Only the rows are built here; the file itself (semicolons, BOM, formula cells
neutralised) is written by the dashboard's CSV writer in the view, so that every
export of the site opens the same way in Excel. Header in Dutch, whoever exports.
"""
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Idea


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def wall_rows(wall) -> list[list]:
    with translation.override(settings.LANGUAGE_CODE):
        header = [
            _("Nummer"), _("Idee"), _("Schrijver"), _("Anoniem voor de groep"), _("Wild idee"), _("Soort"),
            _("Reageert op nummer"), _("Cluster"), _("Stippen"), _("Gekozen"), _("Verborgen (reden)"),
            _("Samengevoegd met nummer"), _("Geplaatst op"),
        ]
        clusters = {cluster.pk: cluster.name for cluster, _cards in wall.clusters if cluster is not None}
        relation = dict(Idea.Relation.choices)
        rows = [header]
        for card in sorted(wall.all_cards.values(), key=lambda c: c.number):
            idea = card.idea
            merged = wall.all_cards.get(idea.merged_into_id)
            rows.append([
                card.number,
                idea.text,
                card.author_real,
                _("ja") if idea.is_anonymous else _("nee"),
                _("ja") if idea.is_wild else _("nee"),
                str(relation[idea.relation]),
                card.parent_card.number if card.parent_card else "",
                clusters.get(idea.cluster_id, ""),
                card.dots,
                _("ja") if idea.is_chosen else _("nee"),
                idea.hidden_reason if idea.is_hidden else "",
                merged.number if merged else "",
                _when(idea.created_at),
            ])
    return rows
