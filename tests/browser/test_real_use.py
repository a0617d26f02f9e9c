"""Issue 9 in Chromium, at 1280 px and 360 px: the quiz is the main way on at a section's end
(also for the → key), completion is one figure with its parts in words wherever it is shown,
and the position in the module reads as a position. axe-core checks each page."""
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .test_join_flow import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]
PASSWORD = "Lang-en-sterk-2026"


@pytest.fixture
def course(live_module):
    call_command("loaddata", "module6_quizzes", verbosity=0)
    return live_module


@pytest.fixture
def enrolled(course, user_factory, cohort_factory, enrollment_factory):
    user = user_factory(email="lotte@fietsen.nl", password=PASSWORD, name="Lotte van der Berg")
    enrollment_factory(cohort=cohort_factory(module=course, name="Voorjaar 2026"), user=user)
    return user


def log_in(page, base, email="lotte@fietsen.nl"):
    page.goto(base + "/account/login/")
    page.get_by_label("E-mail").first.fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def shot(page, name):
    """With SCREENSHOT_DIR set, keep a full-page screenshot for a person to look at."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def slide_url(module, number, position):
    return reverse("sections:slide", kwargs={"module_slug": module.slug, "number": number, "position": position})


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_quiz_is_the_main_way_on_at_a_sections_end(page, live_server, course, enrolled, viewport):
    page.set_viewport_size(viewport)
    base = live_server.url
    log_in(page, base)
    last = course.sections.get(number=1).slides.filter(is_published=True).count()
    page.goto(base + slide_url(course, 1, last))
    main = page.locator(".pager a[rel='next']")
    expect(main).to_contain_text("Naar de quiz")
    expect(main).to_have_class(re.compile(r"\bpager__next--quiz\b"))
    skip = page.get_by_role("link", name="Quiz later maken: verder met sectie 2")
    expect(skip).to_be_visible()
    # The main action is a filled button; the skip link a plain link in smaller type.
    size = "el => parseFloat(getComputedStyle(el).fontSize)"
    assert main.locator(".pager__label").evaluate(size) > skip.evaluate(size)
    background = "el => getComputedStyle(el).backgroundColor"
    assert main.evaluate(background) not in ("rgba(0, 0, 0, 0)", "transparent")
    assert skip.evaluate(background) in ("rgba(0, 0, 0, 0)", "transparent")
    shot(page, f"last-slide-quiz-{viewport['width']}")
    assert_no_axe_violations(page, "the last slide of section 1")
    if viewport is DESKTOP:  # the → key follows the main action: the quiz, not the next section
        page.keyboard.press("ArrowRight")
        expect(page).to_have_url(base + course.sections.get(number=1).quiz.get_absolute_url())
        page.go_back()
    skip.click()
    expect(page).to_have_url(base + slide_url(course, 2, 1))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_one_completion_figure_everywhere_and_the_position_as_a_position(page, live_server, course, enrolled, viewport):
    page.set_viewport_size(viewport)
    base = live_server.url
    log_in(page, base)
    for position in (1, 2, 3):
        page.goto(base + slide_url(course, 1, position))
    status = page.locator(".slide-status")
    expect(status).to_contain_text("slide 3 van 48 in de module")
    expect(status.locator("progress")).to_have_count(0)
    total_items = 48 + 3
    figure = f"{100 * 3 // total_items}% afgerond"
    parts = "3 van 48 slides gelezen · 0 van 3 quizzen gehaald"
    meter = page.locator(".slide-contents .meter")
    if viewport is PHONE:
        page.locator(".slide-contents summary").click()
    expect(meter).to_contain_text(figure)
    expect(meter).to_contain_text(parts)
    assert_no_axe_violations(page, "a slide with the completion meter")
    shot(page, f"slide-completion-{viewport['width']}")
    for url in (course.get_absolute_url(), reverse("dashboard")):
        page.goto(base + url)
        expect(page.locator(".meter").first).to_contain_text(figure)
        expect(page.locator(".meter").first).to_contain_text(parts)
        assert_no_axe_violations(page, url)
        shot(page, f"completion-{url.strip('/').replace('/', '-')}-{viewport['width']}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_step_diagram_marks_the_stage_and_has_no_kind_badge_for_plain_content(page, live_server, course, viewport):
    page.set_viewport_size(viewport)
    page.goto(live_server.url + slide_url(course, 3, 7))
    diagram = page.get_by_role("navigation", name="De vijf fasen van ecosysteembouw")
    expect(diagram.locator("[aria-current='step']")).to_contain_text("Convergentie")
    expect(diagram.get_by_role("link")).to_have_count(4)
    expect(page.locator(".slide__kind")).to_have_count(0)  # plain content: no "INHOUD" badge
    assert_no_axe_violations(page, "a slide with a step diagram")
    shot(page, f"step-diagram-{viewport['width']}")
    diagram.get_by_role("link", name=re.compile("Divergentie")).click()
    expect(page).to_have_url(live_server.url + slide_url(course, 3, 9))


@pytest.fixture
def demo(course):
    """The demo world `make run` builds: accounts, the cohort "Voorjaar 2026" and its twelve learners' activity."""
    call_command("loaddata", "demo", verbosity=0)
    call_command("load_demo_activity", verbosity=0)
    from accounts.models import User
    from centres.models import Cohort

    trainer = User.objects.get(email="trainer@example.org")  # the tests hash passwords another way than the fixture
    trainer.set_password("Trainer-demo-2026")
    trainer.save()

    return Cohort.objects.get(join_code="DEMO2026")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_trainer_lands_on_the_centre_page_and_follows_up_a_stuck_learner(page, live_server, demo, viewport):
    from django.core import mail

    page.set_viewport_size(viewport)
    base = live_server.url
    page.goto(base + "/account/login/")
    page.get_by_label("E-mail").first.fill("trainer@example.org")
    page.get_by_label("Wachtwoord").fill("Trainer-demo-2026")
    page.get_by_role("button", name="Inloggen").click()
    # Point 10: the trainer lands on their work, not on a learner page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorten")
    page.get_by_role("link", name="Voorjaar 2026", exact=True).click()
    page.get_by_role("link", name="Voortgang en quizresultaten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voortgang van Voorjaar 2026")
    stuck = page.locator("a.dash-stuck")
    expect(stuck).to_contain_text("4 deelnemers vastgelopen")
    totals = page.locator("details.dash-summary")
    if viewport is PHONE:  # on a phone the learners come first: the totals are folded away
        assert not totals.evaluate("d => d.open")
        grid_top = page.locator(".dash-table").bounding_box()["y"]
        assert grid_top < 2.2 * viewport["height"]
    else:
        assert totals.evaluate("d => d.open")
    assert_no_axe_violations(page, "the dashboard with its stuck count")
    shot(page, f"dashboard-{viewport['width']}")
    stuck.click()
    expect(page.locator(".filter [aria-current='page']")).to_contain_text("Vastgelopen")
    names = page.locator(".dash-table tbody th[scope=row] a:not(.dash-attempts-link)")
    expect(names).to_have_count(4)
    page.get_by_role("link", name="Pieter de Jong").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pieter de Jong")
    expect(page.locator(".learner-stats")).to_contain_text("Vastgelopen")
    expect(page.get_by_role("heading", name="Gelezen slides")).to_be_visible()
    assert_no_axe_violations(page, "a learner page for the trainer")
    shot(page, f"learner-page-{viewport['width']}")
    page.get_by_role("button", name="Stuur herinnering").click()
    expect(page.locator(".messages")).to_contain_text("Herinnering verstuurd aan Pieter de Jong")
    expect(page.get_by_role("button", name="Stuur herinnering")).to_have_count(0)
    assert mail.outbox[-1].to == ["pieter@example.org"]  # (the demo reminded Fatima before, in memory)
