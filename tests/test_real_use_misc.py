"""Issue 9, points 9, 13 and 14 through the test client: one voice in Dutch, invitations said in
words, and less Django in the admin."""
import re

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.password_validation import NumericPasswordValidator
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from tests.test_authoring_admin import edit_body

pytestmark = pytest.mark.usefixtures("clear_cache")


# --- 9. one voice in Dutch -------------------------------------------------------------


def _module_texts():
    data = yaml.safe_load((settings.BASE_DIR / "fixtures/module6.yaml").read_text(encoding="utf-8"))
    for row in data:
        fields = row["fields"]
        for name in ("title", "body", "introduction"):
            if fields.get(name):
                yield row["model"], fields.get("slug") or fields.get("title"), fields[name]


def test_the_module_says_je_and_kmo():
    formal = [(slug, m.group(0)) for _model, slug, text in _module_texts()
              for m in re.finditer(r"\b([Uu]w?|mkb)\b", text)]
    assert formal == []


def test_library_messages_say_je_too():
    with translation.override("nl"):
        assert NumericPasswordValidator().get_help_text() == "Je wachtwoord mag niet alleen uit cijfers bestaan."
        from django.contrib.auth.password_validation import MinimumLengthValidator

        assert MinimumLengthValidator(8).get_help_text().startswith("Je wachtwoord moet minstens 8 tekens")


def test_optional_fields_are_marked_on_the_sign_up_form(client, db):
    html = client.get(reverse("account_signup")).content.decode()
    labels = dict(re.findall(r'<label for="id_(\w+)">([^<]+)</label>', html))
    for name in ("company_name", "company_sector", "company_size"):
        assert labels[name].endswith("(optioneel):"), labels
    for name in ("email", "name", "password1"):
        assert "optioneel" not in labels[name], labels


def test_dates_are_written_out_with_lower_case_months(client, learner, enrollment_factory, cohort_factory):
    import datetime

    cohort = cohort_factory(start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 6, 30))
    enrollment_factory(cohort=cohort, user=learner)
    client.force_login(learner)
    html = client.get(reverse("dashboard")).content.decode()
    assert "2 maart 2026 – 30 juni 2026" in html and "Mrt" not in html


def test_waar_of_niet_waar_is_said_once_per_question(client, module6, learner):
    from django.core.management import call_command

    from quizzes import services as quiz_services
    from quizzes.models import Question

    call_command("loaddata", "module6_quizzes", verbosity=0)
    quiz = module6.sections.get(number=1).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=learner)
    client.force_login(learner)
    html = client.get(attempt.get_absolute_url()).content.decode()
    asked = Question.objects.filter(pk__in=attempt.layout["questions"], kind="true_false").count()
    assert asked
    # In the question's own text or, where the text doesn't say it, as the hint: never both.
    assert html.lower().count("waar of niet waar?") == asked


# --- 13. invitations explained ----------------------------------------------------------


def test_places_held_by_invitations_are_said_in_words_with_the_invitees_name(
    client, cohort_factory, centre_staff_factory
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    trainer = centre_staff_factory(role="trainer")
    cohort = cohort_factory(centre=trainer.centre_roles.get().centre, trainers=[trainer], capacity=10)
    client.force_login(trainer)
    csv = "naam;bedrijf;e-mail\nAnke Aerts;Aerts Bloemen;anke@example.org\nBen Bos;;ben@example.org\n".encode()
    response = client.post(reverse("centres:bulk_enroll", args=[cohort.pk]),
                           {"csv_file": SimpleUploadedFile("lijst.csv", csv, content_type="text/csv")})
    assert response.status_code == 302
    html = client.get(cohort.get_absolute_url()).content.decode()
    assert "2 plaatsen gereserveerd voor openstaande uitnodigingen. Daarna zijn er nog 8 plaatsen vrij." in html
    assert "<strong>Anke Aerts</strong> · Aerts Bloemen · " in html and "<strong>Ben Bos</strong> · " in html


# --- 14. less Django in the admin ---------------------------------------------------------


def test_the_admin_speaks_dutch_with_capitals_and_no_pop_up_icons(client, trainer, slide_factory, site_staff):
    slide = slide_factory()
    client.force_login(trainer)
    html = client.get(reverse("admin:sections_slide_change", args=[slide.pk])).content.decode()
    assert "<h1>Slide wijzigen</h1>" in html
    assert not re.search(r'related-widget-wrapper-link[^>]*(add|change|view|delete)_id_section', html)
    assert 'id="add_id_section"' not in html and 'id="change_id_section"' not in html
    client.force_login(site_staff)
    index = client.get(reverse("admin:index")).content.decode()
    assert '<th scope="col">Onderdeel</th>' in index and "Model name" not in index


def test_quiz_and_question_forms_choose_their_section_or_quiz_without_pop_up_icons(
    client, trainer, quiz_factory
):
    question = quiz_factory(questions=1).questions.get()
    client.force_login(trainer)
    pages = {
        "section": reverse("admin:quizzes_quiz_change", args=[question.quiz.pk]),
        "quiz": reverse("admin:quizzes_question_change", args=[question.pk]),
    }
    for field, url in pages.items():
        html = client.get(url).content.decode()
        assert f'name="{field}"' in html, url
        for icon in ("add", "change", "view", "delete"):
            assert f'id="{icon}_id_{field}"' not in html, (url, icon)


def test_the_slide_help_text_says_where_the_preview_is_on_a_phone_too(client, trainer, slide_factory):
    client.force_login(trainer)
    html = client.get(reverse("admin:sections_slide_change", args=[slide_factory().pk])).content.decode()
    assert "In het voorbeeld ernaast (op een telefoon eronder) zie je meteen hoe cursisten het lezen." in html
    assert "Rechts zie je" not in html


def test_a_version_page_shows_the_difference_first_and_folds_the_form(client, trainer, slide_factory):
    slide = slide_factory()
    client.force_login(trainer)
    edit_body(client, slide, "Eerste versie.")
    edit_body(client, slide, "Tweede versie.")
    old = list(Version.objects.get_for_object(slide))[1]
    html = client.get(reverse("admin:sections_slide_revision", args=[slide.pk, old.pk])).content.decode()
    diff, fold, field = html.index("Verschil met nu"), html.index('<details class="version-form">'), html.index('name="body"')
    assert diff < fold < field
