"""Front end: one stylesheet per page (bundled, hashed, pre-compressed with gzip and Brotli), scripts deferred
(the slide's in one bundle)."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from config import staticbundle

TEMPLATES = Path(settings.BASE_DIR)


def test_every_bundle_holds_its_sources_in_order_with_print_rules_for_print_only():
    for name, sources in staticbundle.BUNDLES.items():
        text = staticbundle.bundle_text(name)
        offsets = []
        for entry in sources:
            path = entry[0] if isinstance(entry, tuple) else entry
            offsets.append(text.index(f"/* {path} */"))
        assert offsets == sorted(offsets), name
    reading = staticbundle.bundle_text("css/reading.bundle.css")
    print_part = reading[reading.index("/* css/print.css */"):]
    assert print_part.split("\n", 2)[1] == "@media print {"


def test_only_base_html_links_a_stylesheet():
    """Pages choose a bundle ({% block stylesheet %}); a second <link> would block rendering again."""
    offenders = []
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or path.match("templates/base.html") and path.parent.name == "templates":
            continue
        if re.search(r'rel="stylesheet"', path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == [], f"add these stylesheets to config/staticbundle.BUNDLES instead: {offenders}"


@pytest.mark.parametrize("url_name", ["sections:slide", "dashboard", "dashboards:cohort"])
def test_a_page_links_one_stylesheet_and_defers_its_scripts(client, url_name, build_course, learner, cohort_factory,
                                                            enrollment_factory, trainer):
    module = build_course(sections=1, slides=2, questions=1)
    if url_name == "sections:slide":
        url = reverse(url_name, args=[module.slug, 1, 1])
    elif url_name == "dashboard":
        client.force_login(learner)
        url = reverse("dashboard")
    else:
        cohort = cohort_factory(module=module, trainers=[trainer])
        client.force_login(trainer)
        url = reverse(url_name, args=[cohort.pk])
    html = client.get(url).content.decode()
    assert len(re.findall(r'<link rel="stylesheet"', html)) == 1, url
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(" defer" in tag or 'type="module"' in tag for tag in scripts), scripts
    if url_name == "sections:slide":  # the site's script and the slide's in one file: one request
        assert len(scripts) == 1 and "js/slide.bundle.js" in scripts[0], scripts


def test_collectstatic_hashes_and_compresses_the_bundles(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", "--noinput", verbosity=0)
    for name in staticbundle.BUNDLES:
        stem, extension = name.rsplit(".", 1)
        hashed = [p for p in tmp_path.glob(f"{stem}.*.{extension}")]
        assert hashed, name
        assert Path(f"{hashed[0]}.br").exists() and Path(f"{hashed[0]}.gz").exists()
        # A stylesheet of tens of KB shrinks to under a third; the slide's 2 KB script to under a half.
        assert Path(f"{hashed[0]}.br").stat().st_size < hashed[0].stat().st_size / (3 if extension == "css" else 2)
