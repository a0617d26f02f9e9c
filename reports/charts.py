"""Bar charts as plain numbers for the report templates: no chart library, no script, no style attribute.

Every chart is horizontal bars, one row per item: the label and the figure are HTML text
(they wrap and keep their size on a 360 px phone and on paper), the bar between them is a
small inline SVG whose ``rect`` width is the share of the longest bar, in a 0–100 viewBox
that stretches to the row. A Content-Security-Policy without ``unsafe-inline`` allows this:
SVG presentation attributes are not inline styles. Colours come from the stylesheet, with a
print rule that keeps bars dark on a black-and-white printer.
"""
from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    display: str
    width: float  # 0–100: the share of the longest possible bar


@dataclass
class Chart:
    bars: list[Bar]


def bar_chart(items: list[tuple[str, float, str]], *, scale_to: float | None = None) -> Chart:
    """``items``: (label, value, what to print beside the bar). ``scale_to``: the value of a full bar
    (100 for percentages; the largest value by default)."""
    top = scale_to if scale_to is not None else max((value for _, value, _ in items), default=0)
    return Chart(bars=[
        Bar(label=label, display=display, width=(max(round(100 * value / top, 1), 0.5) if value and top else 0))
        for label, value, display in items
    ])
