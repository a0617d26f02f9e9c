"""Quiz authoring in the admin, through the pages a trainer or site staff member uses."""
from django.urls import reverse

from quizzes.models import Choice, Question

from .admin_forms import form_data


def question_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def test_quiz_page_lists_questions_and_the_slides_they_test(client, build_course, site_staff):
    module = build_course(sections=1, slides=2, questions=3)
    quiz = module.sections.get().quiz
    client.force_login(site_staff)
    listing = client.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
    assert str(quiz) in listing and ">3<" in listing and "onbeperkt" in listing
    html = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert "geteste slides" in html.lower()
    for slide in module.sections.get().slides.all():
        assert reverse("admin:sections_slide_change", args=[slide.pk]) in html
    assert "(2×)" in html and "(1×)" in html  # 3 questions over 2 slides


def test_a_question_is_saved_with_its_choices(client, build_course, site_staff):
    module = build_course(sections=1, slides=2, questions=1, kinds=("single",))
    question = Question.objects.get()
    client.force_login(site_staff)
    data = form_data(client.get(question_url(question)), "question_form")
    data["text"] = "Wat is samenwerking?"
    data["choices-0-text"] = "Alleen werken"
    response = client.post(question_url(question), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.text == "Wat is samenwerking?"
    assert question.choices.get(position=1).text == "Alleen werken"
    assert module


def test_a_single_answer_question_with_two_right_answers_is_refused(client, build_course, site_staff):
    build_course(sections=1, slides=1, questions=1, kinds=("single",))
    question = Question.objects.get()
    client.force_login(site_staff)
    data = form_data(client.get(question_url(question)), "question_form")
    data["choices-0-is_correct"] = "on"  # the 2nd is right already
    before = list(Choice.objects.values_list("pk", "is_correct"))
    response = client.post(question_url(question), data)
    assert response.status_code == 200
    assert "precies één juist antwoord" in response.content.decode()
    assert list(Choice.objects.values_list("pk", "is_correct")) == before


def test_a_true_false_question_needs_exactly_two_answers(client, build_course, site_staff):
    build_course(sections=1, slides=1, questions=1, kinds=("true_false",))
    question = Question.objects.get()
    client.force_login(site_staff)
    data = form_data(client.get(question_url(question)), "question_form")
    data.update({"choices-TOTAL_FORMS": "3", "choices-2-position": "3", "choices-2-text": "Misschien",
                 "choices-2-feedback": "Nee.", "choices-2-question": str(question.pk)})
    response = client.post(question_url(question), data)
    assert response.status_code == 200
    assert "precies twee antwoorden" in response.content.decode()
    assert question.choices.count() == 2


def test_a_question_must_point_at_slides_of_its_own_section(client, build_course, site_staff):
    module = build_course(sections=2, slides=1, questions=1)
    question = Question.objects.get(quiz__section__number=1)
    own = module.sections.get(number=1).slides.get()
    elsewhere = module.sections.get(number=2).slides.get()
    client.force_login(site_staff)
    data = form_data(client.get(question_url(question)), "question_form")
    data["slides"] = [str(own.pk), str(elsewhere.pk)]
    response = client.post(question_url(question), data)
    assert response.status_code == 200
    assert "Kies slides uit de sectie van deze quiz" in response.content.decode()
    assert list(question.slides.all()) == [own]
    data["slides"] = []
    response = client.post(question_url(question), data)
    assert response.status_code == 200  # at least one slide: the result page links it
    assert list(question.slides.all()) == [own]


def test_trainers_write_questions_but_never_delete_or_see_attempts(client, build_course, trainer, learner):
    from quizzes import services

    module = build_course(sections=1, slides=1, questions=1, kinds=("single",))
    question = Question.objects.get()
    services.attempt_start(quiz=question.quiz, user=learner)
    client.force_login(trainer)
    assert client.get(reverse("admin:quizzes_quiz_change", args=[question.quiz.pk])).status_code == 200
    data = form_data(client.get(question_url(question)), "question_form")
    data["text"] = "Nieuwe vraag?"
    assert client.post(question_url(question), data).status_code == 302
    assert client.get(reverse("admin:quizzes_question_delete", args=[question.pk])).status_code == 403
    assert client.get(reverse("admin:quizzes_attempt_changelist")).status_code == 403
    assert client.get(reverse("admin:progress_certificate_changelist")).status_code == 403
    assert module


def test_attempts_are_read_only_in_the_admin(client, build_course, site_staff, learner, quiz_answers):
    from quizzes import services

    build_course(sections=1, slides=1, questions=1)
    quiz = Question.objects.get().quiz
    attempt, _ = services.attempt_start(quiz=quiz, user=learner)
    client.force_login(site_staff)
    url = reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"number": "5"}).status_code == 403
    assert client.get(reverse("admin:quizzes_attempt_add")).status_code == 403
