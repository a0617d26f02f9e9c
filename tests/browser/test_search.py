"""The search page in Chromium: no axe violations, usable by keyboard from the header, on a phone too."""
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from .conftest import AXE_TAGS, DESKTOP, PHONE
from .test_accessibility import describe

pytestmark = pytest.mark.browser

AXE = Axe()
# Set SEARCH_SCREENSHOTS=<dir> to keep the screenshots these tests take (for a person to look at).
SHOTS = os.environ.get("SEARCH_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def searchable(live_module):
    call_command("loaddata", "module6_compounds", verbosity=0)
    return live_module


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "name, query",
    [("results", "conflict samenwerking"), ("suggestion", "ecosysteembouwr"), ("empty", ""), ("too-long", "x" * 300)],
)
def test_search_page_has_no_axe_violations(page, live_server, searchable, name, query, viewport):
    page.set_viewport_size(viewport)
    page.goto(live_server.url + reverse("search:search") + (f"?q={query}" if query else ""))
    _shot(page, f"search-{name}-{viewport['width']}")
    results = AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    assert violations == [], f"axe on search {name} at {viewport['width']}px:\n" + describe(violations)


def test_search_from_the_header_by_keyboard(page, live_server, searchable):
    page.goto(live_server.url + "/")
    for _ in range(15):  # skip link, brand, menu, language: the field comes last in the header, as it is shown
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "zoekveld-kop":
            break
    assert page.evaluate("document.activeElement.id") == "zoekveld-kop"
    page.keyboard.type("wilde ideeën")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zoeken/?q=*")
    first = page.locator(".search-result__title a").first
    assert "basisregels" in first.inner_text().lower()
    assert page.locator(".search-result mark").count() >= 1
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/sectie/2/slide/**")


def test_search_field_in_the_phone_menu(page, live_server, searchable):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    assert not page.locator("#zoekveld-kop").is_visible()
    page.locator(".site-menu__toggle").click()
    field = page.locator("#zoekveld-kop")
    assert field.is_visible()
    _shot(page, "menu-with-search-360")
    field.fill("BSR")
    field.press("Enter")
    page.wait_for_url("**/zoeken/?q=BSR")
    assert page.locator(".search-result").count() == 4
    _shot(page, "search-bsr-360")


def test_zero_result_page_for_staff(page, live_server, searchable, context):
    from accounts.models import User
    from search.services import zero_result_record

    for q in ["kwantumfysica", "kwantumfysica", "subsidie aanvragen"]:
        zero_result_record(query=q)
    staff = User.objects.create_superuser(email="zoekbeheer@example.org", password="x")
    client = Client()
    client.force_login(staff)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + reverse("search:zero_results"))
        assert page.locator("td", has_text="kwantumfysica").count() == 1
        _shot(page, f"zero-results-{viewport['width']}")
        results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
        assert results.response["violations"] == [], describe(results.response["violations"])
