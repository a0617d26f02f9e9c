"""Issue 9, learners (points 2, 3, 7, 8) through the test client: the quiz as the main way on at a
section's end, one completion figure with its parts in words and the position said as a position,
kind badges only where they mean something, step diagrams, and body headings under the page's own."""
import re

import pytest
from django.urls import reverse

from courses.markdown import render_markdown
from quizzes import services as quiz_services

pytestmark = pytest.mark.usefixtures("clear_cache")


def slide_url(module, number, position):
    return reverse("sections:slide", kwargs={"module_slug": module.slug, "number": number, "position": position})


def pass_quiz(user, module, number):
    quiz = module.sections.get(number=number).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=user)
    selections = {q.pk: {c.pk for c in q.choices.all() if c.is_correct} for q in quiz.questions.prefetch_related("choices")}
    return quiz_services.attempt_submit(attempt=attempt, user=user, selections=selections)


def pager(html):
    return re.search(r'<nav class="pager[^"]*".*?</nav>\s*(<p class="pager-skip">.*?</p>)?', html, re.S).group(0)


# --- 2. the quiz can't be skipped by accident -------------------------------------------


def test_last_slide_makes_the_quiz_the_main_action_until_it_is_passed(client, build_course, learner):
    module = build_course(sections=2, slides=2, questions=3)
    quiz_url = module.sections.get(number=1).quiz.get_absolute_url()
    client.force_login(learner)
    html = client.get(slide_url(module, 1, 2)).content.decode()
    nav = pager(html)
    # The big green button (and the → key, which follows rel="next") is the quiz ...
    assert re.search(rf'<a class="button pager__next pager__next--quiz" rel="next" href="{quiz_url}">', nav)
    assert f'<link rel="next" href="{quiz_url}">' in html
    # ... the next section one secondary link away, and no second "Naar de quiz" button above it.
    assert f'<a href="{slide_url(module, 2, 1)}">Quiz later maken: verder met sectie&nbsp;2</a>' in nav
    assert len(re.findall(rf'<a [^>]*href="{quiz_url}"', html)) == 1
    pass_quiz(learner, module, 1)
    nav = pager(client.get(slide_url(module, 1, 2)).content.decode())
    assert f'class="button pager__next" rel="next" href="{slide_url(module, 2, 1)}"' in nav
    assert "pager-skip" not in nav


def test_anonymous_readers_also_get_the_quiz_first_and_other_slides_keep_volgende(client, build_course):
    module = build_course(sections=2, slides=2, questions=3)
    html = client.get(slide_url(module, 1, 2)).content.decode()
    assert "pager__next--quiz" in html
    middle = client.get(slide_url(module, 1, 1)).content.decode()
    assert f'class="button pager__next" rel="next" href="{slide_url(module, 1, 2)}"' in middle
    last = client.get(slide_url(module, 2, 2)).content.decode()
    assert "pager__next--quiz" in last and "Quiz later maken: terug naar het overzicht" in last


def test_a_section_without_a_quiz_keeps_volgende(client, build_module):
    module = build_module(sections=2, slides=2, resources=0)
    html = client.get(slide_url(module, 1, 2)).content.decode()
    assert "pager__next--quiz" not in html and "pager-skip" not in html


# --- 3. one progress figure, one meaning -----------------------------------------------


def test_completion_is_one_figure_with_its_parts_in_words_and_the_position_is_a_position(
    client, build_course, learner, enrollment_factory, cohort_factory
):
    module = build_course(sections=2, slides=3, questions=3)  # 6 slides + 2 quizzes = 8 items
    enrollment_factory(cohort=cohort_factory(module=module), user=learner)
    client.force_login(learner)
    for position in (1, 2, 3):
        client.get(slide_url(module, 1, position))
    pass_quiz(learner, module, 1)
    viewer = client.get(slide_url(module, 2, 1)).content.decode()  # 5 of 8 items
    parts = "4 van 6 slides gelezen · 1 van 2 quizzen gehaald"
    assert "slide 4 van 6 in de module" in viewer  # where you are ...
    assert "<progress" in viewer and viewer.count("<progress") == 1  # ... is no bar: only completion is
    assert "62% afgerond" in viewer and parts in viewer
    overview = client.get(module.get_absolute_url()).content.decode()
    assert "62% afgerond" in overview and parts in overview
    mine = client.get(reverse("dashboard")).content.decode()
    assert "62% afgerond" in mine and parts in mine


# --- 7. slides that look like a course --------------------------------------------------


def test_step_diagrams_mark_the_current_stage_and_link_the_others(client, module6):
    html = client.get(slide_url(module6, 2, 12)).content.decode()  # Ontwerpsprint, fase 02: Definieer
    diagram = re.search(r'<nav class="steps steps--ontwerpsprint".*?</nav>', html, re.S).group(0)
    labels = re.findall(r'<span class="steps__label">([^<]+)', diagram)
    assert labels == ["Begrijpen", "Definiëren", "Idee", "Prototype", "Test"]
    assert diagram.count('aria-current="step"') == 1
    assert re.search(r'aria-current="step">\s*<span class="steps__num" aria-hidden="true">02</span>', diagram)
    assert diagram.count("<a ") == 4 and slide_url(module6, 2, 11) in diagram
    overview_slide = client.get(slide_url(module6, 2, 10)).content.decode()
    assert "steps--ontwerpsprint" in overview_slide and 'aria-current="step"' not in overview_slide
    for position in range(6, 11):
        html = client.get(slide_url(module6, 3, position)).content.decode()
        assert "steps--ecosysteem" in html and html.count('aria-current="step"') == 1
    assert "steps--" not in client.get(slide_url(module6, 3, 11)).content.decode()


# --- 8. headings in the right order ----------------------------------------------------


def test_body_headings_sit_one_level_under_the_page_heading():
    assert str(render_markdown("### Kop\n\ntekst\n\n#### Onder", top_level=2)) == "<h2>Kop</h2>\n<p>tekst</p>\n<h3>Onder</h3>"
    assert "<h6>" in str(render_markdown("## a\n\n###### b", top_level=4))  # never deeper than h6
    assert str(render_markdown("### Kop")) == "<h3>Kop</h3>"  # the editor's preview: as typed


def test_no_slide_and_no_handout_skips_a_heading_level(client, module6):
    from sections.models import Slide

    def levels(html):
        return [int(n) for n in re.findall(r"<h([1-6])[\s>]", html)]

    slides = list(Slide.objects.filter(section__module=module6, body__contains="###").select_related("section"))
    assert len(slides) >= 10
    for slide in slides:
        found = levels(client.get(slide.get_absolute_url()).content.decode())
        for before, after in zip(found, found[1:]):
            assert after <= before + 1, (slide.get_absolute_url(), found)
    found = levels(client.get(reverse("courses:handout", args=[module6.slug])).content.decode())
    for before, after in zip(found, found[1:]):
        assert after <= before + 1, found
