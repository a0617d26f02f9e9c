"""A learner's whole journey through Module 6 in Chromium, and resuming after logging out.

The journey starts at a cohort's join link, reads every slide of the module,
fails the first quiz, reads the feedback, follows it back to a slide, retakes
and passes all three quizzes, downloads the certificate (its text read back
from the PDF) and opens the public verification page. axe-core checks every
new page on the way, at 360 px and at 1280 px. With SCREENSHOT_DIR set, each
is also captured at both widths for a person to look at.
"""
import io
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import AXE_TAGS, DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]

AXE = Axe()
PASSWORD = "Lang-en-sterk-2026"
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR")


def check_page(page, what):
    """axe-core finds nothing at phone and at desktop width; with SCREENSHOT_DIR, a screenshot of each."""
    size = page.viewport_size
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        results = AXE.run(
            page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        )
        violations = results.response["violations"]
        summary = "\n".join(
            f"- {v['id']}: {v['help']} — {' | '.join(' '.join(n['target']) for n in v['nodes'][:4])}"
            for v in violations
        )
        assert violations == [], f"axe on {what} at {viewport['width']}px:\n{summary}"
        if SCREENSHOT_DIR:
            folder = Path(SCREENSHOT_DIR)
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{slug(what)}-{name}.png"), full_page=True)
    page.set_viewport_size(size)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.fixture
def course(live_module):
    call_command("loaddata", "module6_quizzes", verbosity=0)
    return live_module


@pytest.fixture
def cohort(course, centre_factory, cohort_factory):
    centre = centre_factory(name="Ondernemerscentrum Rivierenland", city="Tiel")
    return cohort_factory(centre=centre, module=course, name="Voorjaar 2026")


@pytest.fixture
def lotte(user_factory):
    return user_factory(email="lotte@fietsen.nl", password=PASSWORD, name="Lotte van der Berg")


def log_in(page, base, email):
    page.goto(base + "/account/login/")
    page.get_by_label("E-mail").first.fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def next_slide(page):
    """The next slide; at a section's end, where the quiz is the main way on, the link past it."""
    skip = page.locator(".pager-skip a")
    if skip.count():
        skip.click()
    else:
        page.locator(".pager a[rel='next']").click()


def answer_quiz(page, *, right: bool):
    """Tick answers as a learner who knows them (or gets them all wrong), then hand in."""
    from quizzes.models import Question

    fieldsets = page.locator(".questions fieldset")
    count = fieldsets.count()
    assert count >= 6
    for i in range(count):
        fieldset = fieldsets.nth(i)
        question = Question.objects.prefetch_related("choices").get(pk=int(fieldset.get_attribute("id").split("-")[1]))
        picks = [c for c in question.choices.all() if c.is_correct == right]
        for choice in picks if right else picks[:1]:
            fieldset.get_by_label(choice.text, exact=True).check()
    page.get_by_role("button", name="Lever je antwoorden in").click()


def test_learner_journey_from_join_link_to_verified_certificate(page, live_server, cohort, lotte):
    from progress.models import Certificate
    from sections.models import Slide

    base = live_server.url
    page.set_viewport_size(DESKTOP)

    # The join link: log in, and that enrols (no second "Schrijf me in"); begin.
    page.goto(base + cohort.get_join_url())
    page.get_by_role("link", name="Inloggen").last.click()
    expect(page.locator(".notice--join")).to_contain_text("Na het inloggen ben je ingeschreven voor Voorjaar 2026")
    page.get_by_label("E-mail").first.fill(lotte.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorjaar 2026")
    expect(page.locator(".messages")).to_contain_text("Je bent ingeschreven voor Voorjaar 2026")
    expect(page.get_by_role("button", name="Schrijf me in")).to_have_count(0)
    page.get_by_role("link", name="Begin met de module").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cohort.module.title)
    expect(page.locator("#mijn-voortgang")).to_have_text("Jouw voortgang")
    check_page(page, "overview before reading")
    page.get_by_role("link", name="Begin", exact=False).first.click()

    sections = list(cohort.module.sections.order_by("number"))
    for section in sections:
        slides = list(Slide.objects.filter(section=section).for_learners().order_by("position"))
        for index, slide in enumerate(slides, 1):
            expect(page.locator("#slide-titel")).to_have_text(slide.title)
            if index < len(slides):
                next_slide(page)
        # The last slide of the section: every slide ticked, and the way to the quiz.
        expect(page.locator(".toc .toc__tick")).to_have_count(len(slides))
        expect(page.locator("section.quiz-callout")).to_be_visible()
        if section.number == 1:
            check_page(page, "slide with quiz call-out")
        page.get_by_role("link", name="Naar de quiz").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Test je kennis: {section.title}")
        expect(page.locator(".scoring-rule")).to_contain_text("Half goed telt als fout")
        if section.number == 1:
            check_page(page, "quiz start page")
        page.get_by_role("button", name="Start de quiz").click()
        if section.number == 1:
            check_page(page, "quiz form")
            # Fail, read why (without the key), follow the feedback back to its slide.
            answer_quiz(page, right=False)
            expect(page.locator(".verdict-box__title")).to_have_text("Nog niet geslaagd")
            expect(page.locator(".wrong-list")).to_contain_text("10 vragen fout beantwoord")
            expect(page.locator(".wrong-list")).to_contain_text("De juiste antwoorden zie je zodra je geslaagd bent")
            expect(page.locator(".retry-later").first).to_contain_text("Opnieuw proberen kan vanaf")
            check_page(page, "quiz result failed")
            first_item = page.locator(".review-item").first
            chosen = first_item.locator(".review-choice--chosen")
            expect(chosen.locator(".tag--chosen")).to_have_text("Jouw antwoord")
            expect(chosen.locator(".review-choice__feedback")).to_contain_text("Onjuist.")
            expect(page.locator(".tag--correct")).to_have_count(0)
            page.locator(".wrong-list a").first.click()
            expect(page).to_have_url(re.compile(r"#vraag-1$"))
            first_item.locator(".review-item__slide a").first.click()
            expect(page.locator("#slide-titel")).to_be_visible()
            page.go_back()
            # Ten minutes later (the pause after a failed attempt), the learner tries again.
            from django.db.models import F
            from django.utils import timezone

            from quizzes.models import Attempt

            Attempt.objects.filter(user=lotte).update(
                started_at=F("started_at") - timezone.timedelta(minutes=11),
                submitted_at=F("submitted_at") - timezone.timedelta(minutes=11),
            )
            page.reload()
            page.get_by_role("button", name="Opnieuw proberen").first.click()
        answer_quiz(page, right=True)
        expect(page.locator(".verdict-box__title")).to_have_text("Geslaagd!")
        if section.number < len(sections):
            page.get_by_role("link", name=f"Verder met sectie {section.number + 1}").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(sections[section.number].title)
            if section.number == 1:
                expect(page.locator(".section-list__tick")).to_have_count(1)
                check_page(page, "section page with progress")
            page.get_by_role("link", name="Begin met deze sectie").click()

    # Module complete: the result page leads to the completion page, which has the certificate.
    check_page(page, "quiz result passed with certificate")
    certificate = Certificate.objects.get(user=lotte)
    page.get_by_role("link", name="Naar je certificaat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gefeliciteerd: je hebt de module afgerond")
    expect(page.get_by_role("link", name="Zet het op je LinkedIn-profiel")).to_have_attribute(
        "href", re.compile(r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME&"))
    check_page(page, "completion page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download je certificaat (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"certificaat-{certificate.display_code}.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(download.path()).read_bytes())).pages)
    flat = re.sub(r"\s+", " ", text)
    for expected in ("CERTIFICAAT", "Lotte van der Berg", "Module 6: Samenwerken voor duurzaam succes",
                     "bij Ondernemerscentrum Rivierenland, groep Voorjaar 2026",
                     f"CERTIFICAATCODE {certificate.display_code}"):
        assert expected in flat, expected
    verify_url = re.search(r"https?://\S+/certificaat/[A-Z0-9-]+/", flat).group(0)

    # The overview says it all; the dashboard too.
    page.goto(base + cohort.module.get_absolute_url())
    expect(page.locator("#mijn-voortgang")).to_have_text("Je hebt de module afgerond")
    expect(page.locator("#voortgang-module")).to_have_attribute("value", "100")
    # A finished learner is not sent "further where you left off" but to the certificate.
    expect(page.get_by_role("link", name="Verder waar je gebleven was")).to_have_count(0)
    expect(page.get_by_role("link", name="Je certificaat en wat nu")).to_be_visible()
    check_page(page, "overview complete")
    page.goto(base + "/mijn-leeromgeving/")
    expect(page.locator(".module-card .certificate-box")).to_contain_text(certificate.display_code)
    check_page(page, "dashboard complete")

    # Anyone can check it, without logging in.
    page.context.clear_cookies()
    page.goto(verify_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificaat controleren")
    expect(page.locator(".verdict-box__title")).to_have_text("Dit certificaat is geldig")
    expect(page.locator(".cert-facts")).to_contain_text("Lotte van der Berg")
    expect(page.locator("main")).not_to_contain_text(lotte.email)
    check_page(page, "certificate verification")


def test_resume_on_the_last_slide_after_logging_out_and_in(page, live_server, course, lotte, cohort, enrollment_factory):
    from sections.models import Slide

    enrollment_factory(cohort=cohort, user=lotte)
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, lotte.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn leeromgeving")
    page.goto(base + course.get_absolute_url())
    page.get_by_role("link", name="Begin", exact=False).first.click()
    for _ in range(22):  # across the end of section 1 into section 2
        next_slide(page)
    last = Slide.objects.filter(section__module=course, section__number=2).for_learners().order_by("position")[2]
    expect(page.locator("#slide-titel")).to_have_text(last.title)
    check_page(page, "slide with ticks and progress")

    page.wait_for_load_state("domcontentloaded")  # site.js has set the menu for the width (test_join_flow.menu)
    menu = page.locator("summary.site-menu__toggle")  # on a phone the header menu may be folded
    if menu.count() and menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.locator(".messages")).to_contain_text("Je bent afgemeld")

    log_in(page, base, lotte.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn leeromgeving")
    expect(page.locator(".module-card")).to_contain_text("23 van 48 slides gelezen")
    check_page(page, "dashboard with progress")
    page.get_by_role("link", name=re.compile("Verder waar je gebleven was")).click()
    expect(page.locator("#slide-titel")).to_have_text(last.title)
    assert page.url.endswith("/sectie/2/slide/3/")

    page.goto(base + course.get_absolute_url())
    expect(page.get_by_role("link", name=re.compile("Verder waar je gebleven was"))).to_contain_text(
        f"Sectie 2, slide 3: {last.title}"
    )
    check_page(page, "overview with resume")


def test_quiz_pages_work_by_keyboard_alone(page, live_server, course, lotte):
    base = live_server.url
    log_in(page, base, lotte.email)
    page.goto(base + "/module/samenwerken-voor-duurzaam-succes/sectie/3/quiz/")
    start = page.get_by_role("button", name="Start de quiz")
    start.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".questions fieldset")).to_have_count(10)  # an attempt draws 10 from the bank
    # Tab to the first option and choose it with the space bar.
    first_option = page.locator(".questions fieldset").first.locator("input").first
    first_option.focus()
    page.keyboard.press("Space")
    expect(first_option).to_be_checked()
    # Handing in with a question left open: the error summary names what is missing, nothing is saved.
    page.get_by_role("button", name="Lever je antwoorden in").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary li")).to_have_count(9)
    expect(first_option).to_be_checked()
    check_page(page, "quiz form with errors")
