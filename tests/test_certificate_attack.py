"""Issue 10's attack, scripted against the real Module 6 bank: a throw-away attempt per quiz, read
the result page, submit again, try again at once, open every slide. The script must end with no
certificate and without having seen the right choice of any question it answered wrongly."""
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from progress.models import Certificate
from progress.selectors import module_progress
from quizzes.models import Attempt, Choice, Question
from sections.models import Slide


@pytest.fixture
def enrolled(module6, learner, cohort_factory, enrollment_factory):
    call_command("loaddata", "module6_quizzes", verbosity=0)
    enrollment_factory(cohort=cohort_factory(module=module6, name="Voorjaar 2026"), user=learner)
    return module6


def throw_away(client, module, number):
    """Start an attempt and answer every question wrong, as a script would to see the key."""
    response = client.post(reverse("quizzes:start", args=[module.slug, number]))
    attempt = Attempt.objects.get(pk=int(re.search(r"/poging/(\d+)/", response.url).group(1)))
    data = {}
    for qid in attempt.layout["questions"]:
        order = attempt.layout["choices"][str(qid)]
        right = set(Choice.objects.filter(question_id=qid, is_correct=True).values_list("pk", flat=True))
        data[f"vraag-{qid}"] = [str(next(i for i, cid in enumerate(order, 1) if cid not in right))]
    return attempt, data


def test_a_script_gets_no_certificate_and_no_key(client, enrolled, learner):
    module = enrolled
    client.force_login(learner)
    seen = []
    for number in (1, 2, 3):
        attempt, data = throw_away(client, module, number)
        form_url = attempt.get_absolute_url()
        assert client.post(form_url, data).status_code == 302
        result = client.get(reverse("quizzes:result", args=[module.slug, number, attempt.pk]))
        html = result.content.decode()
        seen.append(html)
        attempt.refresh_from_db()
        assert attempt.passed is False and attempt.correct_count == 0
        assert ">Juist antwoord<" not in html and "review-choice--correct" not in html
        # Submitting the same attempt again changes nothing (and still shows no key).
        again = client.post(form_url, data, follow=True)
        assert "Deze poging was al ingeleverd" in again.content.decode()
        attempt.refresh_from_db()
        assert attempt.passed is False
        seen.append(again.content.decode())
        # A new attempt right away is refused: the pause after a failed attempt.
        assert client.post(reverse("quizzes:start", args=[module.slug, number])).status_code == 429
        seen.append(client.get(reverse("quizzes:quiz", args=[module.slug, number])).content.decode())
    for slide in Slide.objects.filter(section__module=module).for_learners():
        assert client.get(slide.get_absolute_url()).status_code == 200

    assert module_progress(user=learner, module=module).quizzes_passed == 0
    assert not Certificate.objects.exists()
    # Not one right choice of the questions answered wrongly was shown: not its text (where the text
    # could identify it: single and multiple choice), not its feedback.
    pages = "\n".join(seen)
    asked = Question.objects.filter(answers__attempt__user=learner).prefetch_related("choices").distinct()
    assert asked.count() == 30
    for question in asked:
        for choice in question.choices.all():
            if not choice.is_correct:
                continue
            assert choice.feedback not in pages, (question.slug, choice.feedback)
            if question.kind != Question.Kind.TRUE_FALSE:
                assert f">{choice.text}<" not in pages, (question.slug, choice.text)
