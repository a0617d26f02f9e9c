"""History of quizzes in the admin (django-reversion): a trainer compares and restores a question
with its choices, and a quiz's settings; a restore never takes away what learners answered."""
from django.urls import reverse
from reversion.models import Version

from quizzes import services as quiz_services
from quizzes.models import Attempt, Choice, Question

from .admin_forms import form_data


def question_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def edit_question(client, question, **changes):
    data = form_data(client.get(question_url(question)), "question_form")
    data.update(changes)
    response = client.post(question_url(question), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def revision_url(question, version):
    return reverse("admin:quizzes_question_revision", args=[question.pk, version.pk])


def choices(question):
    return list(question.choices.order_by("position").values_list("position", "text", "is_correct"))


def test_trainer_compares_and_restores_a_question_with_its_choices(client, trainer, build_course):
    build_course(sections=1, slides=2, questions=1, kinds=("single",))
    question = Question.objects.get()
    client.force_login(trainer)
    edit_question(client, question, text="Wat is een cluster?", **{"choices-0-text": "Een bedrijf alleen"})
    first = choices(question)
    edit_question(client, question, text="Wat is een ecosysteem?", **{"choices-0-text": "Een losse klant"})

    history = client.get(reverse("admin:quizzes_question_history", args=[question.pk]))
    assert history.status_code == 200
    versions = list(Version.objects.get_for_object(question))  # newest first
    assert len(versions) == 2
    assert versions[0].revision.user == trainer
    old = versions[1]
    assert revision_url(question, old) in history.content.decode()

    page = client.get(revision_url(question, old))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Verschil met nu" in html and "houden hun score" in html
    assert "Wat is een cluster?" in html and "Wat is een ecosysteem?" in html
    assert "1. Een losse klant" in html and "1. Een bedrijf alleen" in html  # the choices compared too
    question.refresh_from_db()
    assert question.text == "Wat is een ecosysteem?"  # looking changes nothing
    assert choices(question)[0][1] == "Een losse klant"

    response = client.post(revision_url(question, old), form_data(page, "question_form"))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Wat is een cluster?"
    assert choices(question) == first
    assert Version.objects.get_for_object(question).count() == 3


def test_restoring_after_the_choices_were_reordered_does_not_clash(client, trainer, build_course):
    build_course(sections=1, slides=1, questions=1, kinds=("single",))
    question = Question.objects.get()
    client.force_login(trainer)
    edit_question(client, question, text="Voor het wisselen.")
    old = Version.objects.get_for_object(question).first()
    before = choices(question)
    # Swap the first two answers.
    a, b = question.choices.order_by("position")[:2]
    Choice.objects.filter(pk=a.pk).update(position=99)
    Choice.objects.filter(pk=b.pk).update(position=1)
    Choice.objects.filter(pk=a.pk).update(position=2)
    edit_question(client, question, text="Na het wisselen.")
    assert choices(question)[0][1] == before[1][1]

    page = client.get(revision_url(question, old))
    assert page.status_code == 200
    assert choices(question)[0][1] == before[1][1]  # looking moved nothing
    response = client.post(revision_url(question, old), form_data(page, "question_form"))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Voor het wisselen."
    assert choices(question) == before


def test_restoring_a_question_to_a_number_another_holds_now(client, trainer, build_course):
    """Question 1 was moved to the end; its old version says 1, which question 2 holds now."""
    module = build_course(sections=1, slides=1, questions=3, kinds=("single",))
    quiz = module.sections.get().quiz
    first = quiz.questions.get(position=1)
    client.force_login(trainer)
    edit_question(client, first, text="Eerste vraag, zoals ze was.")
    old = Version.objects.get_for_object(first).first()
    Question.objects.filter(pk=first.pk).update(position=99)
    for q in quiz.questions.exclude(pk=first.pk).order_by("position"):
        Question.objects.filter(pk=q.pk).update(position=q.position - 1)
    Question.objects.filter(pk=first.pk).update(position=3)
    edit_question(client, Question.objects.get(pk=first.pk), text="Eerste vraag, herschreven.")

    page = client.get(revision_url(first, old))
    response = client.post(revision_url(first, old), form_data(page, "question_form"))
    assert response.status_code == 302
    order = list(quiz.questions.order_by("position").values_list("position", "text"))
    assert [p for p, _ in order] == [1, 2, 3]
    assert order[0][1] == "Eerste vraag, zoals ze was."


def add_choice(client, question, text):
    data = form_data(client.get(question_url(question)), "question_form")
    n = int(data["choices-TOTAL_FORMS"])
    data.update({
        "choices-TOTAL_FORMS": str(n + 1),
        f"choices-{n}-position": str(n + 1),
        f"choices-{n}-text": text,
        f"choices-{n}-feedback": "Nee.",
        f"choices-{n}-question": str(question.pk),
    })
    response = client.post(question_url(question), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return question.choices.get(text=text)


def test_a_restore_that_would_delete_an_answered_choice_is_refused(client, trainer, build_course, learner):
    module = build_course(sections=1, slides=1, questions=1, kinds=("single",))
    question = Question.objects.get()
    client.force_login(trainer)
    edit_question(client, question, text="Met drie antwoorden.")
    old = Version.objects.get_for_object(question).first()
    newer = add_choice(client, question, "Een vierde, later toegevoegd")
    # A learner picks the new choice.
    attempt, _ = quiz_services.attempt_start(quiz=module.sections.get().quiz, user=learner)
    quiz_services.attempt_submit(attempt=attempt, user=learner, selections={question.pk: {newer.pk}})

    response = client.get(revision_url(question, old), follow=True)
    html = response.content.decode()
    assert "kan niet worden teruggezet" in html and "Een vierde, later toegevoegd" in html
    response = client.post(revision_url(question, old), {"text": "x"}, follow=True)
    assert "kan niet worden teruggezet" in response.content.decode()
    question.refresh_from_db()
    assert question.text == "Met drie antwoorden." and question.choices.filter(pk=newer.pk).exists()
    answer = Attempt.objects.get().answers.get()
    assert list(answer.choices.values_list("pk", flat=True)) == [newer.pk]


def test_a_newer_choice_nobody_picked_goes_when_the_old_version_comes_back(client, trainer, build_course):
    build_course(sections=1, slides=1, questions=1, kinds=("single",))
    question = Question.objects.get()
    client.force_login(trainer)
    edit_question(client, question, text="Met drie antwoorden.")
    old = Version.objects.get_for_object(question).first()
    add_choice(client, question, "Een vierde, nooit gekozen")
    page = client.get(revision_url(question, old))
    assert client.post(revision_url(question, old), form_data(page, "question_form")).status_code == 302
    assert [text for _, text, _ in choices(question)] == [
        "Keuze A bij vraag 1", "Keuze B bij vraag 1", "Keuze C bij vraag 1"
    ]


def test_restoring_the_right_answer_leaves_submitted_scores_alone(client, trainer, build_course, learner):
    module = build_course(sections=1, slides=1, questions=1, kinds=("single",))
    question = Question.objects.get()
    right = question.choices.get(is_correct=True)
    client.force_login(trainer)
    edit_question(client, question, text="Eerste sleutel.")
    old = Version.objects.get_for_object(question).first()
    attempt, _ = quiz_services.attempt_start(quiz=module.sections.get().quiz, user=learner)
    quiz_services.attempt_submit(attempt=attempt, user=learner, selections={question.pk: {right.pk}})
    # The key changes: now the first choice is right. Then the old key is restored.
    edit_question(client, question, **{"choices-0-is_correct": "on", "choices-1-is_correct": ""})
    page = client.get(revision_url(question, old))
    assert client.post(revision_url(question, old), form_data(page, "question_form")).status_code == 302
    assert question.choices.get(is_correct=True) == right
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (100, True)


def test_trainer_restores_a_quiz_setting(client, trainer, build_course):
    module = build_course(sections=1, slides=1, questions=2)
    quiz = module.sections.get().quiz
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    client.force_login(trainer)
    for mark in ("60", "80"):
        data = form_data(client.get(url), "quiz_form")
        data["pass_mark"] = mark
        assert client.post(url, data).status_code == 302
    old = list(Version.objects.get_for_object(quiz))[1]
    revision = reverse("admin:quizzes_quiz_revision", args=[quiz.pk, old.pk])
    page = client.get(revision)
    assert page.status_code == 200 and "Verschil met nu" in page.content.decode()
    assert client.post(revision, form_data(page, "quiz_form")).status_code == 302
    quiz.refresh_from_db()
    assert quiz.pass_mark == 60
    assert list(quiz.questions.values_list("position", flat=True)) == [1, 2]


def test_a_centre_manager_without_admin_access_sees_no_history(client, build_course, centre_staff_factory):
    build_course(sections=1, slides=1, questions=1)
    question = Question.objects.get()
    manager = centre_staff_factory(role="manager")
    client.force_login(manager)
    response = client.get(reverse("admin:quizzes_question_history", args=[question.pk]))
    assert response.status_code == 302 and "/beheer/login/" in response["Location"]
