"""A centre manager in Chromium: logs in, creates a cohort, uploads a CSV with good and
bad rows and reads the report; then withdraws a learner. axe-core checks each page."""
import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .test_join_flow import PASSWORD, assert_no_axe_violations, menu

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]

CSV = (
    "e-mail;naam;bedrijf\n"
    "an@bakkerij.nl;An de Vries;Bakkerij De Vries\n"
    "nieuw@fietsen.be;Tom Peeters;Fietsen Peeters\n"
    "geen-adres;Fout Persoon;Fout BV\n"
    "AN@bakkerij.nl;An nogmaals;Bakkerij De Vries\n"
)


@pytest.fixture
def manager(live_module, centre_factory, centre_staff_factory, user_factory):
    centre = centre_factory(name="Ondernemerscentrum Rivierenland", city="Tiel")
    user = centre_staff_factory(role="manager", centre=centre, email="marieke@example.org", password=PASSWORD, name="Marieke Manager")
    centre_staff_factory(role="trainer", centre=centre, name="Tom Trainer")
    user_factory(email="an@bakkerij.nl", name="An de Vries", company_name="Bakkerij De Vries")
    return user


def log_in(page, base, email):
    page.goto(base + "/account/login/")
    page.get_by_label("E-mail").first.fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorten")  # staff land on their work (issue 9.10)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_manager_creates_a_cohort_uploads_a_csv_and_reads_the_report(page, live_server, manager, viewport):
    from centres.models import Cohort, Enrollment, Invitation

    page.set_viewport_size(viewport)
    base = live_server.url
    log_in(page, base, "marieke@example.org")
    menu(page).get_by_role("link", name="Centrum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorten")
    assert_no_axe_violations(page, "the centre page without cohorts")

    page.get_by_role("link", name="Nieuw cohort").click()
    assert_no_axe_violations(page, "the new-cohort form")
    page.get_by_label("Naam:").fill("Voorjaar 2026")
    page.get_by_label("Startdatum:").fill("2026-03-02")
    page.get_by_label("Einddatum:").fill("2026-01-31")  # before the start: the form says so
    page.get_by_label("Maximum aantal deelnemers:").fill("25")
    page.get_by_label("Tom Trainer").check()
    page.get_by_role("button", name="Cohort aanmaken").click()
    expect(page.locator(".errorlist")).to_contain_text("De einddatum mag niet vóór de startdatum liggen.")
    assert_no_axe_violations(page, "the new-cohort form with an error")
    page.get_by_label("Einddatum:").fill("2027-06-30")
    page.get_by_role("button", name="Cohort aanmaken").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Voorjaar 2026")
    cohort = Cohort.objects.get(name="Voorjaar 2026")
    expect(page.locator("#join-url")).to_have_value(f"{base}/deelnemen/{cohort.join_code}/")
    assert_no_axe_violations(page, "a new cohort's page")

    page.get_by_role("link", name="Deelnemers inschrijven").click()
    assert_no_axe_violations(page, "the bulk enrolment form")
    page.get_by_label("Of upload een CSV-bestand:").set_input_files(
        files=[{"name": "deelnemers.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8-sig")}]
    )
    page.get_by_role("button", name="Inschrijven en uitnodigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Verslag van de inschrijving")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("uitnodiging verstuurd")  # an existing account: invited too (consent)
    expect(rows.nth(1)).to_contain_text("uitnodiging verstuurd")
    expect(rows.nth(2)).to_contain_text("ongeldig e-mailadres")
    expect(rows.nth(3)).to_contain_text("dubbele regel")
    assert_no_axe_violations(page, "the report")
    assert not Enrollment.objects.filter(cohort=cohort, user__email="an@bakkerij.nl").exists()
    assert Invitation.objects.filter(cohort=cohort, email="an@bakkerij.nl").exists()
    assert Invitation.objects.filter(cohort=cohort, email="nieuw@fietsen.be").exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["an@bakkerij.nl", "nieuw@fietsen.be"]
    # An accepts (she has an account: she logs in and accepts); only then is she on the cohort.
    from centres import services

    services.accept_invitation(invitation=Invitation.objects.get(cohort=cohort, email="an@bakkerij.nl"),
                               user=Enrollment._meta.get_field("user").related_model.objects.get(email="an@bakkerij.nl"))

    # Back on the cohort: the learner is listed and can be withdrawn.
    page.get_by_role("link", name="Terug naar het cohort").click()
    learners = page.locator("#deelnemers").locator("..")
    expect(learners.locator("tbody tr")).to_have_count(1)
    expect(learners).to_contain_text("Bakkerij De Vries")
    page.get_by_role("button", name="Uitschrijven An de Vries").click()
    expect(page.locator(".messages")).to_contain_text("An de Vries is uitgeschreven")
    assert Enrollment.objects.get(cohort=cohort).status == "withdrawn"
    assert_no_axe_violations(page, "a cohort with learners and invitations")


def test_malformed_upload_gets_a_clear_error_in_the_browser(page, live_server, manager, cohort_factory):
    cohort = cohort_factory(centre=manager.centre_roles.get().centre, name="Najaar")
    base = live_server.url
    log_in(page, base, "marieke@example.org")
    page.goto(base + f"/centrum/cohorten/{cohort.pk}/inschrijven/")
    page.get_by_label("Of upload een CSV-bestand:").set_input_files(
        files=[{"name": "foto.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50}]
    )
    page.get_by_role("button", name="Inschrijven en uitnodigen").click()
    expect(page.locator(".errorlist")).to_contain_text("Dit is geen tekstbestand")
    assert_no_axe_violations(page, "the bulk form with a file error")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_invitee_follows_the_e_mailed_link_and_is_enrolled(page, live_server, manager, cohort_factory, viewport):
    import re

    from centres.models import Enrollment

    cohort = cohort_factory(centre=manager.centre_roles.get().centre, name="Najaar")
    page.set_viewport_size(viewport)
    base = live_server.url
    log_in(page, base, "marieke@example.org")
    page.goto(base + f"/centrum/cohorten/{cohort.pk}/inschrijven/")
    page.get_by_label("Plak e-mailadressen:").fill("Sara Smit <sara@smitbouw.nl>")
    page.get_by_role("button", name="Inschrijven en uitnodigen").click()
    expect(page.locator("tbody tr")).to_contain_text("uitnodiging verstuurd")
    menu(page).get_by_role("button", name="Uitloggen").click()

    [invitation] = [m for m in mail.outbox if m.to == ["sara@smitbouw.nl"]]
    link = re.search(r"https?://\S+/uitnodiging/\S+/", invitation.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Najaar")
    expect(page.get_by_label("Naam:")).to_have_value("Sara Smit")
    assert_no_axe_violations(page, "the invitation page")
    page.locator("#id_password1").fill("kort")
    page.locator("#id_password2").fill("kort")
    page.get_by_role("button", name="Account maken en inschrijven").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_no_axe_violations(page, "the invitation page with errors")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Account maken en inschrijven").click()
    expect(page.locator(".messages")).to_contain_text("Je account is klaar en je bent ingeschreven voor Najaar")
    assert Enrollment.objects.filter(cohort=cohort, user__email="sara@smitbouw.nl").exists()
    page.goto(link)  # opened again by its owner: their enrolment
    expect(page.locator(".notice--ok")).to_contain_text("Je doet mee sinds")
    menu(page).get_by_role("button", name="Uitloggen").click()
    page.goto(link)  # by anyone else: it can't be used a second time
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze uitnodiging is al gebruikt")
    assert_no_axe_violations(page, "a used invitation")
