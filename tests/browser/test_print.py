"""The hand-out on paper: no navigation, link addresses printed, one slide per page."""
import re

import pytest
from playwright.sync_api import expect

from sections.models import Resource, Slide

from .conftest import reading_pages

pytestmark = pytest.mark.browser


def pdf_page_count(pdf: bytes) -> int:
    # Every page of a PDF is a dictionary with "/Type /Page" (the page tree is "/Type /Pages").
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_printed_handout_hides_navigation_and_prints_link_addresses(page, live_server, live_module):
    page.goto(live_server.url + reading_pages(live_module)["handout"])
    page.emulate_media(media="print")
    for selector in [".site-header", ".site-nav", ".skip-link", ".lang-switch", ".site-footer", ".no-print"]:
        expect(page.locator(selector).first).to_be_hidden()
    resource = Resource.objects.filter(slide__section__module=live_module).order_by("id").first()
    link = page.locator(f".handout-slide a[href='{resource.url}']").first
    expect(link).to_be_visible()
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert resource.url in after, f"the printed link should show its address, ::after is {after!r}"
    # On screen the address is not repeated.
    page.emulate_media(media="screen")
    assert resource.url not in link.evaluate("a => getComputedStyle(a, '::after').content")


def test_handout_pdf_puts_each_slide_on_its_own_page(page, live_server, live_module):
    page.goto(live_server.url + reading_pages(live_module)["handout"])
    page.emulate_media(media="print")
    # A slide starts a page, or is the first of its section and follows the section's heading onto a new page.
    starts = page.locator(".handout-slide").evaluate_all(
        """els => els.map(e => getComputedStyle(e).breakBefore === "page"
            || (e === e.parentElement.querySelector(".handout-slide")
                && getComputedStyle(e.parentElement).breakBefore === "page"))"""
    )
    slides = Slide.objects.filter(section__module=live_module).count()
    assert len(starts) == slides
    assert all(starts), f"slides that do not start a page: {[i for i, s in enumerate(starts, 1) if not s]}"
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    pages = pdf_page_count(pdf)
    sections = live_module.sections.count()
    assert pages > sections
    assert pages >= slides, f"{pages} PDF pages for {slides} slides: some slides share a page"
