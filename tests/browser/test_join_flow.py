"""A newcomer follows a cohort's join link in Chromium: signs up, verifies the e-mail
address (the link read from the test mail outbox), joins, lands in the module, logs
out and logs back in. axe-core checks every new page on the way."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from .conftest import AXE_TAGS, DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]

AXE = Axe()
PASSWORD = "Lang-en-sterk-2026"


def assert_no_axe_violations(page, what):
    """axe-core finds nothing, and on a phone nothing sticks out sideways.

    A page reached by a click may still be loading its stylesheet when its heading is already
    in the DOM; measured then, an unstyled wide table sticks out (a CI run saw 1424 px).
    Wait for the load event, as `page.goto` does, before measuring."""
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    if width <= PHONE["width"]:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{what} is {scroll_width}px wide on a {width}px screen"
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    summary = "\n".join(
        f"- {v['id']}: {v['help']} — {' | '.join(' '.join(n['target']) for n in v['nodes'][:4])}" for v in violations
    )
    assert violations == [], f"axe on {what} at {page.viewport_size['width']}px:\n{summary}"


def menu(page):
    """The header menu, unfolded first on a phone (it folds into a <details> there).

    site.js (deferred) sets the <details> open or closed for the screen's width: wait for it to have
    run (DOMContentLoaded comes after deferred scripts), or the menu is judged, or opened, before the
    script sets it (a CI run clicked the phone's toggle on a desktop page that had just arrived)."""
    page.wait_for_load_state("domcontentloaded")
    details = page.locator("details.site-menu")
    if details.count() and not details.evaluate("d => d.open"):
        page.locator(".site-menu__toggle").click()
    return page.locator(".site-nav")


@pytest.fixture
def cohort(live_module, centre_factory, cohort_factory):
    centre = centre_factory(name="Ondernemerscentrum Rivierenland", city="Tiel", contact_email="info@example.org")
    return cohort_factory(centre=centre, module=live_module, name="Voorjaar 2026")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_newcomer_joins_by_link_signs_up_verifies_and_lands_in_the_module(page, live_server, cohort, viewport):
    from centres.models import Enrollment

    page.set_viewport_size(viewport)
    base = live_server.url
    page.goto(base + cohort.get_join_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorjaar 2026")
    assert_no_axe_violations(page, "the join page")

    page.get_by_role("link", name="Account aanmaken").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account aanmaken")
    expect(page.locator(".notice--join")).to_contain_text("Voorjaar 2026")
    assert_no_axe_violations(page, "the sign-up page")
    page.get_by_label("E-mailadres").fill("nina@bakkerij.nl")
    page.get_by_label("Naam").fill("Nina Nieuw")
    page.get_by_label("Bedrijf (optioneel):", exact=True).fill("Bakkerij Nieuw")
    page.get_by_label("Sector").select_option("retail")
    page.get_by_label("Grootte van het bedrijf").select_option("micro")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig je e-mailadres")
    assert_no_axe_violations(page, "the 'check your e-mail' page")
    [message] = mail.outbox
    assert "Voorjaar 2026 van Ondernemerscentrum Rivierenland" in message.body  # the mail names cohort and centre
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mailadres bevestigen")
    assert_no_axe_violations(page, "the confirm-e-mail page")
    page.get_by_role("button", name="Bevestigen").click()

    # Confirming finished the job: logged in and enrolled, no second "Schrijf me in" (issue 9.1).
    expect(page.locator(".messages")).to_contain_text("Je bent ingeschreven voor Voorjaar 2026")
    expect(page.get_by_role("button", name="Schrijf me in")).to_have_count(0)
    assert_no_axe_violations(page, "the enrolment page")
    enrollment = Enrollment.objects.get(cohort=cohort)
    assert enrollment.user.email == "nina@bakkerij.nl" and enrollment.user.company_name == "Bakkerij Nieuw"

    page.get_by_role("link", name="Begin met de module").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cohort.module.title)

    # Log out (a POST form in the header) and back in.
    menu(page).get_by_role("button", name="Uitloggen").click()
    expect(menu(page).get_by_role("link", name="Inloggen")).to_be_visible()
    menu(page).get_by_role("link", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    assert_no_axe_violations(page, "the log-in page")
    page.get_by_label("E-mail").first.fill("nina@bakkerij.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn leeromgeving")
    expect(page.locator(".module-card")).to_contain_text(cohort.module.title)
    expect(page.locator(".module-card")).to_contain_text("Voorjaar 2026")
    assert_no_axe_violations(page, "Mijn leeromgeving")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_confirming_on_another_device_enrolls_and_the_first_log_in_opens_the_enrollment(
    browser, page, live_server, cohort, viewport
):
    """Signed up on the desktop, the e-mail opened on a phone (another browser, no shared session)."""
    from centres.models import Enrollment

    page.set_viewport_size(viewport)
    base = live_server.url
    page.goto(base + cohort.get_join_url())
    page.get_by_role("link", name="Account aanmaken").last.click()
    expect(page.locator(".notice--join")).to_contain_text("Zodra je je e-mailadres hebt bevestigd")
    page.get_by_label("E-mailadres").fill("piet@fietsen.nl")
    page.get_by_label("Naam").fill("Piet Peeters")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig je e-mailadres")
    [message] = mail.outbox
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)

    other = browser.new_context(locale="nl-NL", viewport=PHONE)
    try:
        phone = other.new_page()
        phone.goto(link)
        phone.get_by_role("button", name="Bevestigen").click()
        expect(phone.locator(".messages")).to_contain_text(
            "Je e-mailadres is bevestigd en je bent ingeschreven voor Voorjaar 2026")
        assert_no_axe_violations(phone, "the log-in page after confirming on another device")
    finally:
        other.close()
    assert Enrollment.objects.filter(cohort=cohort, user__email="piet@fietsen.nl").exists()

    # Back on the first device: the first log-in lands on the enrolment, nothing to click again.
    page.goto(base + "/account/login/")
    page.get_by_label("E-mail").first.fill("piet@fietsen.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".messages")).to_contain_text("Je bent ingeschreven voor Voorjaar 2026")
    expect(page.get_by_role("button", name="Schrijf me in")).to_have_count(0)
    assert_no_axe_violations(page, "the enrolment page after the first log-in")


def test_closed_and_unknown_links_explain_themselves(page, live_server, cohort):
    cohort.is_open = False
    cohort.save()
    page.goto(live_server.url + cohort.get_join_url())
    expect(page.get_by_role("alert")).to_contain_text("Dit cohort is gesloten")
    expect(page.get_by_role("button", name="Schrijf me in")).to_have_count(0)
    assert_no_axe_violations(page, "a closed cohort's join page")
    response = page.goto(live_server.url + "/deelnemen/BESTAATNIET/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze deelnamelink werkt niet")
    assert_no_axe_violations(page, "an unknown join link")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_profile_and_account_pages_pass_axe(page, live_server, user_factory, viewport):
    user_factory(email="lotte@example.org", password=PASSWORD, name="Lotte", company_name="Fietsen Lotte")
    page.set_viewport_size(viewport)
    base = live_server.url
    page.goto(base + "/account/login/")
    page.get_by_label("E-mail").first.fill("lotte@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn leeromgeving")
    assert_no_axe_violations(page, "an empty Mijn leeromgeving")
    for path in ["/account/profiel/", "/account/password/change/", "/account/email/", "/account/logout/"]:
        page.goto(base + path)
        assert_no_axe_violations(page, path)
    page.goto(base + "/account/profiel/")
    page.get_by_label("Bedrijf:", exact=True).fill("Fietsen Lotte & Zn")
    page.get_by_role("button", name="Bewaren").click()
    expect(page.locator(".messages")).to_contain_text("Je profiel is bewaard")
    page.context.clear_cookies()
    for path in ["/account/password/reset/", "/account/signup/"]:
        page.goto(base + path)
        assert_no_axe_violations(page, path)
