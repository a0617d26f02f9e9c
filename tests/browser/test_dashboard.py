"""A trainer in Chromium: logs in, opens the cohort dashboard from the centre pages, filters
the stuck learners, sorts, exports the CSV and reads it back, and sends a reminder after
reading it. axe-core finds nothing on the dashboard at 1280 and at 360 px."""
import csv
import io

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .test_join_flow import PASSWORD, assert_no_axe_violations, menu

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]


@pytest.fixture
def cohort(live_module, centre_factory, centre_staff_factory, cohort_factory):
    """Module 6 with its quizzes; a cohort of 40 learners with a realistic mix of progress."""
    from dashboards.testing import build_cohort_progress

    call_command("loaddata", "module6_quizzes", verbosity=0)
    centre = centre_factory(name="Ondernemerscentrum Rivierenland", city="Tiel")
    trainer = centre_staff_factory(
        role="trainer", centre=centre, email="tessa@example.org", password=PASSWORD, name="Tessa Trainer"
    )
    cohort = cohort_factory(centre=centre, module=live_module, name="Voorjaar 2026", trainers=[trainer])
    build_cohort_progress(cohort=cohort, n=40, seed=5)
    return cohort


def stuck_names(cohort):
    from dashboards import selectors

    rows = selectors.cohort_dashboard(cohort=cohort).rows_for(show="vastgelopen")
    return [row.user.name for row in rows]


def log_in(page, base):
    page.goto(base + "/account/login/")
    page.get_by_label("E-mail").first.fill("tessa@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorten")  # staff land on their work (issue 9.10)


def grid_names(page):
    return page.locator(".dash-table tbody th[scope=row]").evaluate_all(
        "cells => cells.map(c => c.firstChild.textContent.trim())"
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_trainer_filters_the_stuck_learners_and_exports_them(page, live_server, cohort, viewport):
    page.set_viewport_size(viewport)
    base = live_server.url
    expected = stuck_names(cohort)
    assert len(expected) >= 3, "the built cohort should have stuck learners"

    log_in(page, base)
    menu(page).get_by_role("link", name="Centrum").click()
    page.get_by_role("link", name="Voorjaar 2026", exact=True).click()
    page.get_by_role("link", name="Voortgang en quizresultaten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voortgang van Voorjaar 2026")
    expect(page.locator(".dash-totals")).to_contain_text("Ingeschreven")
    assert len(grid_names(page)) == 40
    assert_no_axe_violations(page, "the cohort dashboard")

    filters = page.get_by_role("navigation", name="Toon deelnemers")
    filters.get_by_role("link", name="Vastgelopen").click()
    expect(filters.get_by_role("link", name="Vastgelopen")).to_have_attribute("aria-current", "page")
    assert grid_names(page) == expected
    expect(page.locator(".dash-table tbody .dash-badge--stuck")).to_have_count(len(expected))
    assert_no_axe_violations(page, "the dashboard, stuck learners only")

    # Sort by last activity: the column says so to screen readers, the filter stays.
    page.get_by_role("link", name="Laatst actief", exact=True).click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("th[aria-sort]")).to_contain_text("Laatst actief")
    by_activity = grid_names(page)
    assert sorted(by_activity) == sorted(expected)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download als CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("voortgang-voorjaar-2026-")
    raw = open(download.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Naam", "E-mailadres", "Bedrijf", "Status"]
    assert [row[0] for row in rows[1:]] == by_activity
    assert {row[3] for row in rows[1:]} == {"vastgelopen"}


def test_the_wide_grid_scrolls_inside_its_region_on_a_phone_by_keyboard(page, live_server, cohort):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url)
    page.goto(live_server.url + f"/centrum/cohorten/{cohort.pk}/voortgang/")
    region = page.get_by_role("region", name="Alle deelnemers (40)")
    region.focus()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    before = region.evaluate("r => r.scrollLeft")
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    # Chromium may scroll smoothly: wait (bounded) for the keys' effect instead of reading it at once.
    page.wait_for_function("([r, x]) => r.scrollLeft > x", arg=[region.element_handle(), before], timeout=5000)
    assert region.evaluate("r => r.scrollLeft") > before
    # The learner's name stays in view while the columns move under it.
    name = page.locator(".dash-table tbody th[scope=row]").first
    assert name.bounding_box()["x"] >= 0


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_trainer_reads_the_reminder_then_sends_it(page, live_server, cohort, viewport):
    from dashboards.models import Reminder

    page.set_viewport_size(viewport)
    log_in(page, live_server.url)
    page.goto(live_server.url + f"/centrum/cohorten/{cohort.pk}/voortgang/")
    page.get_by_role("link", name="Stuur herinnering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stuur herinnering")
    page.get_by_label("Niet actief sinds (dagen)").fill("14")
    page.get_by_role("button", name="Toon wie een herinnering krijgt").click()
    expect(page.get_by_role("heading", name="Deze e-mail gaat eruit")).to_be_visible()
    expect(page.locator(".dash-mail__body").first).to_contain_text("Met vriendelijke groet,")
    assert_no_axe_violations(page, "the reminder preview")
    count = page.locator(".dash-recipients tbody tr").count()
    assert count > 0 and mail.outbox == []
    page.get_by_role("button", name=f"Verstuur {count} herinneringen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voortgang van Voorjaar 2026")
    expect(page.locator(".messages")).to_contain_text(f"{count} herinneringen verstuurd.")
    assert len(mail.outbox) == count == Reminder.objects.count()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_trainer_resets_a_learners_quiz_attempts(page, live_server, cohort, viewport):
    """Issue 10: from a learner's row to their quiz attempts, and "Pogingen herstellen"."""
    from quizzes.models import Attempt, AttemptReset

    page.set_viewport_size(viewport)
    learner_id = Attempt.objects.filter(user__enrollments__cohort=cohort).values_list("user_id", flat=True).first()
    log_in(page, live_server.url)
    page.goto(live_server.url + f"/centrum/cohorten/{cohort.pk}/voortgang/")
    page.locator(f"a.dash-attempts-link[href$='/deelnemers/{learner_id}/pogingen/']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quizpogingen van")
    assert_no_axe_violations(page, "a learner's quiz attempts")
    page.get_by_role("button", name="Pogingen herstellen").first.click()
    expect(page.locator(".messages")).to_contain_text("zijn hersteld")
    assert AttemptReset.objects.filter(user_id=learner_id).count() == 1
    assert_no_axe_violations(page, "a learner's quiz attempts after a reset")
