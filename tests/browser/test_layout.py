"""The reading pages on a 360 px phone and on a desktop: no sideways scrolling, the contents where they belong."""
import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PAGE_NAMES, PHONE, reading_pages

pytestmark = pytest.mark.browser


def test_no_page_scrolls_sideways_on_a_360px_phone(page, live_server, live_module):
    page.set_viewport_size(PHONE)
    too_wide = {}
    for name, path in reading_pages(live_module).items():
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width
    assert set(reading_pages(live_module)) == set(PAGE_NAMES)
    assert too_wide == {}, f"pages wider than {PHONE['width']}px (scrollWidth): {too_wide}"


def test_contents_sit_beside_the_slide_on_a_desktop(page, live_server, live_module):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + reading_pages(live_module)["slide-content"])
    slide = page.locator("article.slide").bounding_box()
    current = page.locator(".toc a[aria-current='page']")
    expect(current).to_be_visible()
    toc = page.locator(".slide-contents").bounding_box()
    assert toc["x"] >= slide["x"] + slide["width"], "the table of contents should be to the right of the slide"
    assert toc["y"] < slide["y"] + slide["height"], "the table of contents should start beside the slide, not below it"


def test_contents_fold_away_below_the_slide_on_a_phone(page, live_server, live_module):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reading_pages(live_module)["slide-quote"])
    current = page.locator(".toc a[aria-current='page']")
    expect(current).to_be_hidden()
    summary = page.locator(".slide-contents summary")
    expect(summary).to_be_visible()
    assert summary.bounding_box()["y"] > page.locator(".pager").bounding_box()["y"], "the contents come after the pager"
    # The learner opens it by keyboard (a <details>, no script needed) and finds their place.
    summary.focus()
    page.keyboard.press("Enter")
    expect(current).to_be_visible()


def test_pager_buttons_share_one_row_on_a_phone(page, live_server, live_module):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reading_pages(live_module)["slide-example"])
    prev_box = page.locator(".pager a[rel='prev']").bounding_box()
    next_box = page.locator(".pager a[rel='next']").bounding_box()
    assert abs(prev_box["y"] - next_box["y"]) < 2, "previous and next should sit side by side"
    for box in (prev_box, next_box):
        assert box["height"] >= 44, "touch targets are at least 44px high"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_current_slide_is_in_view_in_the_contents_beside_a_late_slide(page, live_server, live_module):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + f"/module/{live_module.slug}/sectie/1/slide/20/")
    aside = page.locator(".slide-contents")
    # The script scrolls the contents just before the first frame (slide-nav.js): wait for it, bounded.
    assert aside.evaluate("a => a.scrollHeight > a.clientHeight"), "the contents should scroll on their own here"
    page.wait_for_function("""() => {
        const a = document.querySelector('.slide-contents').getBoundingClientRect();
        const c = document.querySelector(".toc a[aria-current='page']").getBoundingClientRect();
        return c.top >= a.top && c.bottom <= a.bottom;
    }""", timeout=5000)
    box, current = aside.bounding_box(), page.locator(".toc a[aria-current='page']").bounding_box()
    assert current["y"] >= box["y"] and current["y"] + current["height"] <= box["y"] + box["height"], (
        "the last slide of a long section should be visible in the contents beside it"
    )
    assert page.evaluate("window.scrollY") == 0, "bringing it into view must not scroll the page"


def test_header_menu_folds_on_a_phone_and_opens_by_keyboard(page, live_server, live_module):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reading_pages(live_module)["overview"])
    nav_link = page.locator(".site-nav").get_by_role("link", name="Module", exact=True)
    expect(nav_link).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 80, f"the folded header takes {header['height']}px of a 740px phone screen"
    toggle = page.locator(".site-menu__toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(nav_link).to_be_visible()
    expect(page.locator(".lang-switch")).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav_link).to_be_focused()


def test_header_menu_stands_open_on_a_desktop(page, live_server, live_module):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + reading_pages(live_module)["overview"])
    expect(page.locator(".site-menu__toggle")).to_be_hidden()
    expect(page.locator(".site-nav").get_by_role("link", name="Module", exact=True)).to_be_visible()
    expect(page.locator(".lang-switch")).to_be_visible()
    assert page.locator("details.site-menu").evaluate("d => d.open"), "opened for assistive technology too"
