"""The enforced Content-Security-Policy in Chromium (issue 13).

Every browser test fails on a ``securitypolicyviolation`` event (tests/browser/conftest.py);
this file proves that the listener hears one, and visits the page shapes no other browser
test reaches: the admin's lists, forms and history, the Markdown editor with its live
preview, error pages and the centre pages of a manager.
"""
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_listener_hears_a_violation(page, live_server, csp_violations):
    """An inline style and an outside image on a page under our policy are reported."""
    url = live_server.url + "/csp-probe/"

    def fulfil(route):
        route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "default-src 'self'; img-src 'self'"},
            body='<!DOCTYPE html><p style="color:red">x</p><img src="https://elders.example/t.gif" alt="">',
        )

    page.route(url, fulfil)
    page.goto(url)
    page.wait_for_timeout(300)
    directives = {v["directive"] for v in csp_violations}
    assert {"style-src-attr", "img-src"} <= directives, csp_violations
    csp_violations.clear()


def _login(page, live_server, email, password):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


@pytest.fixture
def staff_in_browser(live_module, transactional_db):
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.create_superuser(email="beheer@example.org", password="Beheer-wachtwoord-1", name="Beheer")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_admin_and_markdown_editor_under_the_enforced_csp(page, live_server, staff_in_browser, live_module):
    from sections.models import Slide

    _login(page, live_server, "beheer@example.org", "Beheer-wachtwoord-1")
    slide = Slide.objects.filter(section__module=live_module).order_by("pk").first()
    pages = [
        reverse("admin:index"),
        reverse("admin:sections_slide_changelist"),
        reverse("admin:sections_slide_changelist") + "?q=samen",
        reverse("admin:sections_slide_add"),
        reverse("admin:sections_slide_history", args=[slide.pk]),
        reverse("admin:sections_section_change", args=[slide.section_id]),
        reverse("admin:courses_module_change", args=[live_module.pk]),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[staff_in_browser.pk]),
        reverse("admin:centres_cohort_add"),
        reverse("admin:quizzes_quiz_changelist"),
        reverse("admin:password_change"),
    ]
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status < 400, path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")

    # The editor: type, see the live preview (markdownx's XHR under connect-src 'self').
    page.goto(live_server.url + reverse("admin:sections_slide_change", args=[slide.pk]))
    editor = page.locator("textarea.markdownx-editor")
    editor.fill("Een **vette** test met een [link](https://www.example.org/).")
    expect(page.locator(".markdownx-preview strong")).to_have_text("vette")
    # An outside image is refused with a message, and the preview shows no outside image.
    editor.fill("![Pixel](https://elders.example/t.gif)")
    page.wait_for_timeout(800)
    assert page.locator(".markdownx-preview img[src^='https']").count() == 0
    page.get_by_role("button", name=re.compile("^Opslaan$")).first.click()
    expect(page.locator(".errorlist").first).to_contain_text("Afbeeldingen van een andere website")


def test_error_pages_under_the_enforced_csp(page, live_server, live_module):
    assert page.goto(live_server.url + "/bestaat-niet/").status == 404
    assert page.goto(live_server.url + "/deelnemen/%00/").status == 400
    expect(page.locator("h1")).to_have_text("Dit verzoek kunnen we niet lezen")
