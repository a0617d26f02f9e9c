"""One stylesheet per page, combined from the sources in static/css when static files are found.

The sources stay separate files (each area of the site keeps its own, and engineers edit them
without conflicts); a page links exactly one bundle, so the browser makes one request and no
second stylesheet blocks rendering. ``BundleFinder`` writes each bundle into build/static
(ignored by git) from its sources, in the same cascade order the pages used to link them in,
and hands it to ``collectstatic`` (which hashes and pre-compresses it, WhiteNoise's manifest
storage) and to ``runserver``. A stylesheet for print only is wrapped in ``@media print``.

A new stylesheet: add it to the bundles of the pages that need it, not a ``<link>`` in a
template (a test checks that only base.html links a stylesheet).

Scripts the same way where a page needs more than the site's own: the slide viewer's keys come
with site.js in one file (``{% block site_script %}`` in base.html), so a first visit to a slide
makes one request for scripts, not two (each a connection of its own to a sync worker).
"""
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import (
    AppDirectoriesFinder,
    BaseFinder,
    FileSystemFinder,
)
from django.core.files.storage import FileSystemStorage

READING = ["css/site.css", "css/learning.css", ("css/print.css", "print")]
BUNDLES = {
    # The module's pages, the home page and everything that extends base.html alone.
    "css/reading.bundle.css": READING,
    # The learner's own pages, the account pages and the centre pages (layouts/*.html).
    "css/learner.bundle.css": [*READING, "css/centres.css"],
    # The idea wall (layouts/ideas.html).
    "css/ideas.bundle.css": [*READING, "css/centres.css", "css/ideas.css"],
    # The cohort dashboard and the reminder form.
    "css/dashboard.bundle.css": [*READING, "css/centres.css", "css/dashboard.css"],
    # The centre and programme reports.
    "css/reports.bundle.css": [*READING, "css/centres.css", "css/reports.css"],
    # The slide viewer: the site's script and the slide's keys and contents scrolling.
    "js/slide.bundle.js": ["js/site.js", "js/slide-nav.js"],
}


def build_dir() -> Path:
    return Path(settings.BASE_DIR) / "build" / "static"


def _source(path: str) -> Path:
    for finder in (FileSystemFinder(), AppDirectoriesFinder()):
        found = finder.find(path)
        if found:
            return Path(found)
    raise FileNotFoundError(f"Stylesheet {path} of a bundle is not in the static files.")


def bundle_text(name: str) -> str:
    parts = []
    for entry in BUNDLES[name]:
        path, media = entry if isinstance(entry, tuple) else (entry, None)
        text = _source(path).read_text(encoding="utf-8")
        parts.append(f"/* {path} */\n" + (f"@media {media} {{\n{text}\n}}\n" if media else text))
    return "\n".join(parts)


def build(name: str) -> Path:
    target = build_dir() / name
    text = bundle_text(name)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return target


class BundleFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(build_dir()))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        if path not in BUNDLES:
            return [] if find_all else None
        found = str(build(path))
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for name in BUNDLES:
            build(name)
            yield name, self.storage
