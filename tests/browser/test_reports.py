"""Centre staff in Chromium: from the centre page to the report, a period of their choice, the charts
and their tables by keyboard, the XLSX download; axe-core finds nothing at 1280 and 360 px."""
import datetime
import io
import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .test_join_flow import PASSWORD, assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]


@pytest.fixture
def centre(live_module, centre_factory, centre_staff_factory, cohort_factory):
    from dashboards.testing import build_cohort_progress

    call_command("loaddata", "module6_quizzes", verbosity=0)
    centre = centre_factory(name="Ondernemerscentrum Rivierenland", city="Tiel")
    centre_staff_factory(role="manager", centre=centre, email="mila@example.org", password=PASSWORD, name="Mila Manager")
    for name, n, seed in [("Voorjaar 2026", 30, 1), ("Najaar 2026", 12, 2)]:
        build_cohort_progress(cohort=cohort_factory(centre=centre, module=live_module, name=name), n=n, seed=seed)
    return centre


def shoot(page, name):
    """With SCREENSHOT_DIR set, keep a full-page screenshot for a person to look at."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}-{page.viewport_size['width']}.png", full_page=True)
        if page.viewport_size["width"] > 1000:
            page.pdf(path=f"{folder}/{name}.pdf", format="A4")


def log_in(page, base, email):
    page.goto(base + "/account/login/")
    page.get_by_label("E-mail").first.fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_manager_reads_the_report_and_downloads_it(page, live_server, centre, viewport):
    from openpyxl import load_workbook

    page.set_viewport_size(viewport)
    log_in(page, live_server.url, "mila@example.org")
    page.goto(live_server.url + "/centrum/")
    page.get_by_role("link", name="Rapportage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportage")
    # Everyone in the demo cohorts enrolled in the last few weeks; choose the last 365 days.
    today = datetime.date.today()
    page.locator("#id_periode").select_option("aangepast")
    page.locator("#id_van").fill((today - datetime.timedelta(days=365)).isoformat())
    page.locator("#id_tot").fill(today.isoformat())
    page.get_by_role("button", name="Toon rapport").click()
    expect(page.locator(".report-key .stat").first).to_contain_text("42")
    expect(page.locator("figure.chart")).to_have_count(5)
    assert_no_axe_violations(page, "the centre report")
    shoot(page, "centre-report")
    # The table behind a chart opens by keyboard.
    summary = page.locator(".chart__table summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".chart__table table").first).to_be_visible()
    assert_no_axe_violations(page, "the centre report with a table open")
    if viewport == DESKTOP:
        with page.expect_download() as download:
            page.get_by_role("link", name="Download als Excel").click()
        book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
        summary_rows = {row[0]: row[1] for row in book["Samenvatting"].iter_rows(min_row=2, values_only=True)}
        assert summary_rows["Unieke deelnemers"] == 42


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_site_staff_compare_centres(page, live_server, centre, viewport, user_factory):
    user_factory(email="beheer@example.org", password=PASSWORD, is_staff=True, is_superuser=True)
    page.set_viewport_size(viewport)
    log_in(page, live_server.url, "beheer@example.org")
    page.goto(live_server.url + "/centrum/programma/?periode=jaar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmarapportage")
    expect(page.get_by_role("row", name="Ondernemerscentrum Rivierenland")).to_be_visible()
    shoot(page, "programme-report")
    assert_no_axe_violations(page, "the programme report")
