"""Bar charts as plain numbers for an inline SVG template: no chart library, no script, no style attribute.

Every chart is horizontal bars, one row per item with its label above the bar, because
that reads on a 360 px phone as well as on paper: long Dutch labels ("Landbouw, visserij en
voeding") get the whole width, and no label has to be turned or shortened. The geometry is
computed here in viewBox units (the SVG scales to its box); colours come from the stylesheet,
with a print rule that keeps bars dark and text black on a black-and-white printer.
"""
from dataclasses import dataclass

WIDTH = 400  # viewBox width
BAR_SPACE = 320  # the longest bar; the rest is room for its figure
ROW = 40  # label line + bar + gap
BAR_HEIGHT = 14


@dataclass
class Bar:
    label: str
    display: str
    width: float
    label_y: int
    bar_y: int
    value_x: float
    value_y: int


@dataclass
class Chart:
    bars: list[Bar]
    height: int
    summary: str  # the text equivalent, read by screen readers

    @property
    def width(self) -> int:
        return WIDTH


def bar_chart(items: list[tuple[str, float, str]], *, scale_to: float | None = None) -> Chart:
    """``items``: (label, value, what to print beside the bar). ``scale_to``: the value of a full bar
    (100 for percentages; the largest value by default)."""
    top = scale_to if scale_to is not None else max((value for _, value, _ in items), default=0)
    bars = []
    for index, (label, value, display) in enumerate(items):
        width = round(BAR_SPACE * value / top, 1) if top else 0
        y = index * ROW
        bars.append(
            Bar(
                label=label,
                display=display,
                width=max(width, 1.5) if value else 0,
                label_y=y + 13,
                bar_y=y + 18,
                value_x=round(max(width, 0) + 6, 1),
                value_y=y + 30,
            )
        )
    summary = "; ".join(f"{label}: {display}" for label, _, display in items)
    return Chart(bars=bars, height=max(ROW * len(items) - 4, ROW), summary=summary)
