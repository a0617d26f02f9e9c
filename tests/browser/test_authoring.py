"""A trainer at work in a real browser: log in to the admin, edit a slide with the live preview,
drop an image in, reorder two slides, restore an earlier version, and see each change on the site.
"""
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .conftest import AXE_TAGS, DESKTOP, PHONE

pytestmark = pytest.mark.browser

PASSWORD = "Trainer-in-de-browser-1"


@pytest.fixture
def trainer_in_browser(live_module, django_user_model, settings, tmp_path):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    settings.MEDIA_ROOT = tmp_path / "media"
    user = django_user_model.objects.create_user(email="trainer@example.org", password=PASSWORD, name="Tessa")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Trainers"))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    # History starts with the module as loaded, so its original text can be restored.
    call_command("createinitialrevisions", "sections.slide", comment="Eerste versie", verbosity=0)
    return user


def log_in(page, base):
    page.goto(f"{base}/beheer/")
    page.fill("#id_login", "trainer@example.org")
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_login) button[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()


def learner_page(browser):
    """A fresh, logged-out browser tab of a Dutch-speaking learner."""
    return browser.new_context(locale="nl-NL").new_page()


def learner_text(browser, url) -> str:
    """What a learner (not logged in) sees at ``url``."""
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(url)
    text = page.locator("main").inner_text()
    context.close()
    return text


def drop_file(page, selector, name, mime, data: bytes):
    page.evaluate(
        """([selector, name, mime, bytes]) => {
            const target = document.querySelector(selector);
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: mime}));
            target.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        [selector, name, mime, list(data)],
    )


def png_bytes():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (40, 130, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_trainer_edits_previews_uploads_reorders_and_restores(page, browser, live_server, trainer_in_browser,
                                                               live_module):
    from sections.models import Slide

    base = live_server.url
    section = live_module.sections.get(number=1)
    slide = section.slides.get(position=2)
    original_title = slide.title
    learner_url = f"{base}/module/{live_module.slug}/sectie/1/slide/2/"
    log_in(page, base)

    # 1. Edit the body and watch the preview render it with the site's renderer.
    page.goto(f"{base}/beheer/sections/slide/{slide.pk}/change/")
    editor = page.locator("#id_body")
    editor.fill("Bijgewerkt in de browser: **samen sterker**.\n\n- eerste punt\n- tweede punt")
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("strong")).to_have_text("samen sterker")
    expect(preview.locator("li")).to_have_count(2)

    # 2. Drop a file that is no image: a clear message, nothing inserted.
    drop_file(page, "#id_body", "nep.png", "image/png", b"<html><script>alert(1)</script></html>")
    status = page.locator(".authoring-upload-status")
    expect(status).to_contain_text("geen PNG-, JPEG-, GIF- of WebP-afbeelding")
    assert "Invalid response" not in editor.input_value()

    # 3. Drop a real image, type its description over the selected placeholder.
    editor.press("End")
    drop_file(page, "#id_body", "foto.png", "image/png", png_bytes())
    expect(status).to_contain_text("Afbeelding toegevoegd")
    expect(editor).to_have_value(re.compile(r"/afbeeldingen/[0-9a-f]{32}\.png"))
    page.keyboard.type("Ondernemers rond een tafel")
    expect(editor).to_have_value(re.compile(r"!\[Ondernemers rond een tafel\]\(/afbeeldingen/"))
    expect(preview.locator("img[alt='Ondernemers rond een tafel']")).to_be_visible()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("gewijzigd")

    text = learner_text(browser, learner_url)
    assert "Bijgewerkt in de browser: samen sterker." in text
    learner = learner_page(browser)
    learner.goto(learner_url)
    image = learner.locator("main img[alt='Ondernemers rond een tafel']")
    expect(image).to_be_visible()
    assert learner.evaluate("img => img.naturalWidth", image.element_handle()) == 120
    learner.close()

    # 4. Reorder: slides 1 and 2 of section 1 swap places.
    page.goto(f"{base}/beheer/sections/section/{section.pk}/change/")
    first_title = section.slides.get(position=1).title
    page.fill("#id_slides-0-position", "2")
    page.fill("#id_slides-1-position", "1")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("gewijzigd")
    assert list(section.slides.order_by("position").values_list("pk", flat=True))[:1] == [slide.pk]
    assert original_title in learner_text(browser, f"{base}/module/{live_module.slug}/sectie/1/slide/1/")
    assert first_title in learner_text(browser, learner_url)

    # 5. Restore the first version (the module as loaded), compare first: the slide goes back to
    #    its text and its place then (2), and the slide that was first is first again.
    page.goto(f"{base}/beheer/sections/slide/{slide.pk}/history/")
    page.get_by_role("link").filter(has_text=re.compile(r"\d")).last.click()
    expect(page.locator(".version-diff")).to_contain_text("Bijgewerkt in de browser")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    slide.refresh_from_db()
    assert "Bijgewerkt in de browser" not in slide.body
    assert slide.position == 2
    restored = learner_text(browser, learner_url)
    assert "Bijgewerkt in de browser" not in restored and original_title in restored
    assert first_title in learner_text(browser, f"{base}/module/{live_module.slug}/sectie/1/slide/1/")
    positions = list(Slide.objects.filter(section=section).order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))


def test_restoring_the_first_version_keeps_the_slide_at_its_place(page, browser, live_server, trainer_in_browser,
                                                                  live_module):
    """Issue 8: edit slide 1.2, restore "Eerste versie": the learner's address …/sectie/1/slide/2/ shows
    the same slide as before the edit (it used to become slide 1)."""
    base = live_server.url
    section = live_module.sections.get(number=1)
    slide = section.slides.get(position=2)
    learner_url = f"{base}/module/{live_module.slug}/sectie/1/slide/2/"
    before = learner_page(browser)
    before.goto(learner_url)
    heading_before = before.locator("h1").inner_text()
    before.close()
    assert heading_before == slide.title

    log_in(page, base)
    page.goto(f"{base}/beheer/sections/slide/{slide.pk}/change/")
    page.locator("#id_body").fill("Tijdelijk herschreven.")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("gewijzigd")

    page.goto(f"{base}/beheer/sections/slide/{slide.pk}/history/")
    page.locator("tr", has_text="Eerste versie").get_by_role("link").first.click()
    expect(page.locator("#id_position")).to_have_value("2")  # the restore page shows the version's place
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()

    after = learner_page(browser)
    after.goto(learner_url)
    expect(after.locator("h1")).to_have_text(heading_before)
    expect(after.locator("main")).not_to_contain_text("Tijdelijk herschreven.")
    after.goto(f"{base}/module/{live_module.slug}/sectie/1/slide/1/")
    expect(after.locator("h1")).not_to_have_text(heading_before)
    after.close()
    assert list(section.slides.order_by("position").values_list("position", flat=True)) == list(
        range(1, section.slides.count() + 1)
    )


def test_trainer_prepares_a_draft_and_previews_it(page, browser, live_server, trainer_in_browser, live_module):
    base = live_server.url
    section = live_module.sections.get(number=2)
    slide = section.slides.get(position=3)
    log_in(page, base)
    page.goto(f"{base}/beheer/sections/slide/{slide.pk}/change/")
    page.locator("#id_is_published").uncheck()
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Voorbeeld op de site (concept)").click()
    preview = popup.value
    expect(preview.locator(".preview-banner")).to_contain_text("Voorbeeld van een concept")
    expect(preview.locator("h1")).to_have_text(slide.title)
    # Learners do not see it, and the numbers close up.
    learner = learner_page(browser)
    learner.goto(f"{base}/module/{live_module.slug}/sectie/2/slide/3/")
    expect(learner.locator("h1")).not_to_have_text(slide.title)
    total = section.slides.count() - 1
    expect(learner.locator(".slide-status__count")).to_have_text(f"slide 3 van {total}")
    response = learner.goto(preview.url)
    assert response.status == 404
    learner.close()


def test_admin_slide_page_on_a_phone(page, live_server, trainer_in_browser, live_module):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url)
    slide = live_module.sections.get(number=1).slides.get(position=1)
    page.goto(f"{live_server.url}/beheer/sections/slide/{slide.pk}/change/")
    editor = page.locator("#id_body")
    expect(editor).to_be_visible()
    box = editor.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_link_health_note_and_draft_preview_pass_axe(page, live_server, trainer_in_browser, live_module, viewport):
    from axe_playwright_python.sync_playwright import Axe
    from django.utils import timezone

    from sections.models import Resource, Slide

    from .test_accessibility import describe

    slide = Slide.objects.filter(section__module=live_module, resources__isnull=False).in_module_order().first()
    dead, *others = list(slide.resources.all())
    Resource.objects.filter(pk=dead.pk).update(health="broken", status_code=404, checked_at=timezone.now())
    Resource.objects.filter(pk__in=[r.pk for r in others]).update(health="ok", status_code=200,
                                                                   checked_at=timezone.now())
    draft = Slide.objects.filter(section__module=live_module).in_module_order()[5]
    Slide.objects.filter(pk=draft.pk).update(is_published=False)
    draft.refresh_from_db()
    page.set_viewport_size(viewport)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    page.goto(live_server.url + slide.get_absolute_url())
    expect(page.locator(".resource__dead")).to_contain_text("webarchief")
    violations = axe.run(page, options=options).response["violations"]
    assert violations == [], describe(violations)
    log_in(page, live_server.url)
    page.goto(live_server.url + draft.get_absolute_url())
    expect(page.locator(".preview-banner")).to_be_visible()
    violations = axe.run(page, options=options).response["violations"]
    assert violations == [], describe(violations)
