"""Step diagrams for slides that belong to a series of stages (issue 9.7).

The deck draws the five stages of the design sprint and the five phases of
ecosystem building as diagrams; on the site each slide of such a series shows
the series as an ordered list (HTML and CSS, no image of text) with its own
stage marked ``aria-current="step"`` and every other stage a link to its slide.

A series is recognised by the slides' slugs (stable names that survive import,
export and renumbering), so moving a slide never breaks its diagram.
"""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    labels: tuple[str, ...]
    stage_slugs: tuple[str, ...]  # the slide that explains each stage, in order
    also: dict  # other slides of the series: slug -> the stage they belong to (0 = none, the overview)


SERIES = (
    Series(
        key="ontwerpsprint",
        title=_("De vijf fasen van de ontwerpsprint"),
        labels=(_("Begrijpen"), _("Definiëren"), pgettext_lazy("ontwerpsprint", "Idee"), _("Prototype"), _("Test")),
        stage_slugs=("sprint-01-begrijpen", "sprint-02-definieer", "sprint-03-idee", "sprint-04-prototype",
                     "sprint-05-test"),
        also={"ontwerpsprint-organiseren": 0, "korte-activiteit-spel": 3},
    ),
    Series(
        key="ecosysteem",
        title=_("De vijf fasen van ecosysteembouw"),
        labels=(_("Bijeenroepen"), _("Convergentie"), _("Verzorgen en laten groeien"), _("Divergentie"),
                _("Belichamen")),
        stage_slugs=("ecosysteem-fase-01-bijeenroepen", "ecosysteem-fase-02-convergentie",
                     "ecosysteem-fase-03-verzorgen", "ecosysteem-fase-04-divergentie",
                     "ecosysteem-fase-05-belichaming"),
        also={},
    ),
)


@dataclass(frozen=True)
class Step:
    number: int
    label: str
    url: str | None
    current: bool
    done: bool


@dataclass(frozen=True)
class StepDiagram:
    key: str
    title: str
    steps: list[Step]

    @property
    def current(self) -> Step | None:
        return next((s for s in self.steps if s.current), None)


def step_diagram(*, slide, section_slides) -> StepDiagram | None:
    """The diagram for ``slide``, linking the stages among ``section_slides`` (no query), or ``None``."""
    for series in SERIES:
        if slide.slug in series.stage_slugs:
            current = series.stage_slugs.index(slide.slug) + 1
        elif slide.slug in series.also:
            current = series.also[slide.slug]
        else:
            continue
        by_slug = {s.slug: s for s in section_slides}
        steps = []
        for number, (label, slug) in enumerate(zip(series.labels, series.stage_slugs, strict=True), 1):
            target = by_slug.get(slug)
            steps.append(Step(
                number=number,
                label=str(label),
                url=target.get_absolute_url() if target is not None and target.pk != slide.pk else None,
                current=number == current,
                done=number < current,
            ))
        return StepDiagram(key=series.key, title=str(series.title), steps=steps)
    return None
