"""The one place where Markdown becomes HTML.

Everything a trainer types (slide bodies, introductions) passes through
``render_markdown``: Python-Markdown for the syntax, then nh3 (Ammonia) on a
strict allowlist, so that no script, event handler, ``style`` attribute or
``javascript:`` link can reach a learner's browser. The admin's live preview
(django-markdownx) calls the same function, so trainers see what learners see.

Rendering is cached per distinct text: a page view costs a dictionary look-up,
and an edited text is rendered once, on its first view after the change.
"""
import re
from functools import lru_cache

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p",
    "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["extra", "sane_lists", "smarty"]
EXTENSION_CONFIGS = {
    # Dutch typography: „…” would be wrong on screen; keep “…” and ‘…’ as smarty makes them.
    "smarty": {"smart_angled_quotes": False},
}


def is_outside_address(src: str) -> bool:
    """An address on another site (``https://…``, ``//…``): an image from there would tell that
    site every reader's IP address and reading time. The editor refuses such images
    (sections.forms.validate_local_images) and the Content-Security-Policy blocks them."""
    value = (src or "").strip().lower()
    return value.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", value) is not None


def _drop_outside_images(tag: str, attribute: str, value: str) -> str | None:
    # Text saved before the editor checked (or loaded from elsewhere) still shows no outside image.
    if tag == "img" and attribute == "src" and is_outside_address(value):
        return None
    return value


def sanitise_html(html: str) -> str:
    """Clean HTML on the allowlist; links get ``rel="noopener noreferrer"``; images only from this site."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_drop_outside_images,
    )


# Dutch elisions ('s werelds, 't, 'n, zo'n is mid-word and fine): an apostrophe at the start of
# a word is not an opening quote, but smarty would curl it into ‘. Give it the apostrophe ’ first.
_DUTCH_ELISION = re.compile(r"(?<![\w'’])'(?=(?:s|t|n|k|m|r)\b)")


def markdown_to_unsafe_html(text: str) -> str:
    """Markdown → HTML *before* sanitising: only for checks of what a trainer wrote, never for a page."""
    text = _DUTCH_ELISION.sub("’", text)
    return md.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    return sanitise_html(markdown_to_unsafe_html(text))


_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")


@lru_cache(maxsize=4096)
def _render_at(text: str, top_level: int) -> str:
    """``_render`` with the body's headings moved so that its highest one is ``top_level``,
    the others keeping their distance below it (never deeper than h6)."""
    html = _render(text)
    levels = [int(level) for _slash, level in _HEADING_TAG.findall(html)]
    if not levels:
        return html
    shift = top_level - min(levels)
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)


def render_markdown(text: str | None, *, top_level: int | None = None) -> SafeString:
    """Markdown → sanitised HTML, safe to put in a template as it is.

    ``top_level``: the heading level the body's highest heading gets, so that a body's
    headings follow the page's own (h2 under a slide page's h1, h4 under the hand-out's
    h3 slide titles) whatever level the trainer typed (``###`` is common). Without it,
    headings stay as typed (the editor's preview).
    """
    # The output went through nh3 on the allowlist above: that is what makes it safe.
    if top_level is None:
        return mark_safe(_render(text or ""))  # nosec B308 B703  # reviewed: sanitised by nh3
    return mark_safe(_render_at(text or "", max(2, min(6, top_level))))  # nosec B308 B703  # reviewed: sanitised by nh3


def cache_info():
    """How often the cache answered; tests use it to prove a render happens once."""
    return _render.cache_info()
