"""A learner walks Module 6 in Chromium: by keyboard, across a section boundary, and back.

Each step checks what the learner sees ("slide N van M", the slide's title, the
progress bar) and where they are (the deep-link URL), so a pager that skipped,
repeated or dead-ended a slide would fail here.
"""
import re

import pytest
from playwright.sync_api import expect

from sections.models import Slide

pytestmark = pytest.mark.browser


def outline(module):
    """(section number, position, title) of every slide, in reading order."""
    return list(Slide.objects.filter(section__module=module).in_module_order().values_list(
        "section__number", "position", "title"))


def slide_path(module, number, position):
    return f"/module/{module.slug}/sectie/{number}/slide/{position}/"


def tab_to(page, locator, limit=80):
    """Press Tab until ``locator`` has the keyboard focus; fail if it is never reached."""
    handle = locator.element_handle()
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", handle):
            return presses
    raise AssertionError(f"{locator} was not reached with {limit} presses of Tab")


def expect_slide(page, live_server, module, slides, index):
    """The page shows slide ``index`` (0-based in the module) with its place and progress."""
    number, position, title = slides[index]
    in_section = [s for s in slides if s[0] == number]
    expect(page).to_have_url(live_server.url + slide_path(module, number, position))
    # The slide's script is deferred: it has run, and its arrow keys listen, once the document has
    # loaded. The slide's text is visible before that, so an arrow key pressed right after the text
    # appeared could reach a page that did not listen yet (seen once in CI).
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".slide-status__count")).to_have_text(f"slide {position} van {len(in_section)}")
    # The place in the module is said as a position, in words (issue 9.3).
    expect(page.locator(".slide-status__position")).to_have_text(f"slide {index + 1} van {len(slides)} in de module")
    expect(page.locator(".toc a[aria-current='page']")).to_contain_text(title)


def test_learner_reads_section_one_by_keyboard_into_section_two_and_back(page, live_server, live_module):
    module = live_module
    slides = outline(module)
    first_section = [s for s in slides if s[0] == 1]
    assert len(first_section) == 20

    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text(module.title)
    begin = page.get_by_role("link", name=re.compile(r"^Begin\b"))
    tab_to(page, begin)
    page.keyboard.press("Enter")
    expect_slide(page, live_server, module, slides, 0)

    # Through the whole of section 1 and over its edge, by keyboard only: the arrow
    # key (slide-nav.js) and the "Volgende" link reached with Tab and followed with Enter, in turn.
    for index in range(1, len(first_section) + 1):
        if index % 2:
            page.keyboard.press("ArrowRight")
        else:
            tab_to(page, page.locator(".pager a[rel='next']"))
            page.keyboard.press("Enter")
        expect_slide(page, live_server, module, slides, index)
    assert slides[len(first_section)][:2] == (2, 1)
    expect(page.locator(".slide-status__section")).to_contain_text("Sectie 2")

    # Back over the edge with ←, then one more with the "Vorige" link.
    page.keyboard.press("ArrowLeft")
    expect_slide(page, live_server, module, slides, len(first_section) - 1)
    tab_to(page, page.locator(".pager a[rel='prev']"))
    page.keyboard.press("Enter")
    expect_slide(page, live_server, module, slides, len(first_section) - 2)


def test_arrow_keys_never_leave_the_first_or_last_slide_at_a_dead_end(page, live_server, live_module):
    module = live_module
    slides = outline(module)
    page.goto(live_server.url + slide_path(module, 1, 1))
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(live_server.url + module.get_absolute_url())
    expect(page.locator("h1")).to_have_text(module.title)

    number, position, _title = slides[-1]
    page.goto(live_server.url + slide_path(module, number, position))
    expect(page.locator(".slide-status__count")).to_have_text(f"slide {position} van {position}")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(live_server.url + module.get_absolute_url())


def test_arrow_keys_leave_form_fields_and_modified_keys_alone(page, live_server, live_module):
    module = live_module
    url = live_server.url + slide_path(module, 1, 2)
    page.goto(url)
    # The reading pages have no form field of their own any more (the language switcher is links):
    # one is added, as a page with a form (the idea wall's invitation, a search box) has.
    page.evaluate("() => { const i = document.createElement('input'); i.id = 'veld'; document.body.append(i); }")
    # slide-nav.js calls preventDefault() on every key it follows, before it navigates; a listener on
    # the window (it runs after the script's listener on the document) records whether it did.
    page.evaluate("""() => {
        window.arrowKeysTaken = [];
        window.addEventListener("keydown", (event) => {
            if (event.key.startsWith("Arrow")) window.arrowKeysTaken.push(event.defaultPrevented);
        });
    }""")
    page.locator("#veld").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.locator("body").focus()
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("() => window.arrowKeysTaken") == [False, False, False]
    expect(page).to_have_url(url)


def test_previous_and_next_work_with_javascript_off(browser, live_server, live_module):
    module = live_module
    slides = outline(module)
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(live_server.url + slide_path(module, 1, 20))
        # Without the script the arrow keys do nothing, but the links do, across the section boundary
        # and back. (← then "Volgende": had ← gone back a slide, before or after the click, the page
        # would not show slide 2.1 now.)
        page.keyboard.press("ArrowLeft")
        page.locator(".pager a[rel='next']").click()
        expect_slide(page, live_server, module, slides, 20)
        page.locator(".pager a[rel='prev']").click()
        expect_slide(page, live_server, module, slides, 19)
        page.locator(".pager a[rel='prev']").click()
        expect_slide(page, live_server, module, slides, 18)
        # The header's menu and the table of contents stand open on a desktop without the script too.
        expect(page.locator(".site-nav").get_by_role("link", name="Module", exact=True)).to_be_visible()
        page.locator(".toc").get_by_role("link", name=re.compile(re.escape(slides[2][2]))).click()
        expect_slide(page, live_server, module, slides, 2)
    finally:
        context.close()


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, live_server, live_module):
    page.goto(live_server.url + slide_path(live_module, 1, 1))
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#inhoud")).to_be_focused()
