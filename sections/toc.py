"""The table of contents of a section, rendered once per content version and marked per learner.

Rendering the list is half of a slide page's template time, yet it changes only when the
content does. So it is rendered once (per content version, language and current slide) with
a marker where a "read" tick may go, and each request only swaps the markers of the
learner's read slides for the tick: a string substitution instead of a template loop.
"""
import re

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

TICK_SLOT = re.compile(r"<!--tick:(\d+)-->")
_ticks: dict[str, str] = {}


def toc_html(*, slides, current, module, variant: str | None = None) -> str:
    """The list with a tick slot per slide; put ticks in with ``with_ticks``."""
    return render_to_string(
        "includes/_toc.html",
        {"slides": slides, "current": current, "module": module, "variant": variant, "tick_slots": True},
    )


def _tick() -> str:
    language = get_language() or ""
    if language not in _ticks:
        _ticks[language] = render_to_string("includes/_toc_tick.html")
    return _ticks[language]


def with_ticks(html: str, read_ids) -> SafeString:
    """``html`` from ``toc_html`` with a tick on every slide in ``read_ids`` (which may be empty)."""
    read_ids = read_ids or ()
    tick = _tick() if read_ids else ""
    # The list was rendered by our template from escaped values; only markers are replaced.
    return mark_safe(TICK_SLOT.sub(lambda m: tick if int(m[1]) in read_ids else "", html))  # nosec B308 B703  # our escaped template output; only markers are replaced


def with_slots(html: str) -> SafeString:
    """``html`` from ``toc_html`` with its tick markers kept, for a page shared by every learner
    (courses.page_cache.learner_page): each request puts in its own ticks with ``with_ticks``."""
    return mark_safe(html)  # nosec B308 B703  # our escaped template output
