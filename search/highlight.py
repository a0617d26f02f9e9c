"""Highlighting that cannot inject: sentinels → escape → ``<mark>``.

The databases mark hits (``ts_headline``, FTS5's ``snippet``) with two
private-use characters instead of tags; neither escapes the text around them.
Here the Markdown syntax is dropped, every character is escaped, and only then
do the sentinels become ``<mark>``/``</mark>``, always balanced, whatever the
text or the query contained.
"""
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .query import SENTINEL_START, SENTINEL_STOP

_MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)?"), r"\1"),  # [text](url), ![alt](src) → text
    (re.compile(r"\]\([^)\s]*\)?"), ""),  # the tail of a link cut by a snippet
    (re.compile(r"https?://\S+"), ""),  # bare addresses
    (re.compile(r"(?m)^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$"), r"\1 —"),  # a heading runs into its text: "Kop — tekst"
    (re.compile(r"(?m)^\s{0,3}(>|[-*+]|\d+[.)])\s+"), ""),  # quotes, list markers
    (re.compile(r"(\*\*|__|\*|`|~~)"), ""),  # emphasis, code
    (re.compile(r"[\[\]]"), ""),
]


def plain(text: str) -> str:
    """Markdown as plain words (what a snippet should read like)."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def mark(text: str, *, markdown: bool = True) -> SafeString:
    """``text`` with sentinel pairs as ``<mark>``: escaped, balanced, safe to print."""
    if markdown:
        text = plain(text)
    out = []
    open_ = False
    for piece in re.split(f"([{SENTINEL_START}{SENTINEL_STOP}])", text):
        if piece == SENTINEL_START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif piece == SENTINEL_STOP:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(escape(piece))
    if open_:
        out.append("</mark>")
    html = "".join(out).replace("<mark></mark>", "")
    return mark_safe(html)  # nosec B308 B703  # every piece of text above went through escape()
