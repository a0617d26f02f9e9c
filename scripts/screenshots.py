#!/usr/bin/env python
"""Screenshots of the learner's pages at phone and desktop width, for a person to look at.

Not a test: it captures the overview, a section page, one slide of every kind and
the hand-out at 360 px and 1280 px (and the phone's opened menu) into
``screenshots/`` (git-ignored), in Debian's Chromium through Playwright.

    .venv/bin/python scripts/screenshots.py                          # starts its own server
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000   # a running one

Without ``--base-url`` the script starts ``manage.py runserver`` on a free loopback
port against the configured database (``DATABASE_URL``, default ``db.sqlite3``) and
stops it afterwards. Either way Module 6 must be loaded there (``make load``): the
slides to capture are looked up in that database, one of each kind.
"""
import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
MODULE_SLUG = "samenwerken-voor-duurzaam-succes"


def pages_to_capture(language: str) -> list[tuple[str, str]]:
    """(name, path) for the overview, section 1, one slide of each kind and the hand-out."""
    import django

    django.setup()
    from django.urls import reverse
    from django.utils import translation

    from courses.models import Module
    from sections.models import Slide

    module = Module.objects.filter(slug=MODULE_SLUG).first() or Module.objects.order_by("number").first()
    if module is None:
        sys.exit("No module in the database: run `make load` first.")
    with translation.override(language):
        pages = [("overview", module.get_absolute_url()), ("section", module.sections.order_by("number")[0].get_absolute_url())]
        for kind, _label in Slide.Kind.choices:
            slide = (
                Slide.objects.filter(section__module=module, kind=kind)
                .select_related("section__module")
                .in_module_order()
                .first()
            )
            if slide:
                pages.append((f"slide-{kind}", slide.get_absolute_url()))
        pages.append(("handout", reverse("courses:handout", args=[module.slug])))
        pages.append(("search", reverse("search:search") + "?q=conflict+samenwerking"))
        pages.append(("search-suggestion", reverse("search:search") + "?q=ecosysteembouwr"))
    return pages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"The server at {url} did not answer within {seconds:.0f} s.")


def capture(base_url: str, out: Path, language: str, full_page: bool) -> list[Path]:
    from playwright.sync_api import sync_playwright

    # Look the pages up before Playwright starts its event loop (the ORM refuses to run inside one).
    pages = pages_to_capture(language)

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for device, viewport in VIEWPORTS.items():
            context = browser.new_context(
                viewport=viewport,
                device_scale_factor=1,
                is_mobile=device == "phone",
                has_touch=device == "phone",
                locale=language,
            )
            if language != "nl":
                context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
            page = context.new_page()
            for name, path in pages:
                page.goto(base_url.rstrip("/") + path)
                target = out / f"{name}-{device}{'' if language == 'nl' else '-' + language}.png"
                page.screenshot(path=str(target), full_page=full_page)
                written.append(target)
                if name == "overview" and device == "phone":
                    # The header's menu, folded on a phone: open it the way a learner would.
                    page.locator(".site-menu__toggle").click()
                    target = out / f"menu-open-{device}{'' if language == 'nl' else '-' + language}.png"
                    page.screenshot(path=str(target))
                    written.append(target)
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="a running server; without it one is started on a free port")
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="directory for the PNG files")
    parser.add_argument("--language", default="nl", choices=["nl", "en"], help="interface language")
    parser.add_argument("--viewport-only", action="store_true", help="capture the first screen, not the full page")
    args = parser.parse_args()

    server = None
    base_url = args.base_url
    if not base_url:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        wait_for(base_url + "/")
        for path in capture(base_url, Path(args.out), args.language, full_page=not args.viewport_only):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
