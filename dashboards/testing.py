"""A cohort with realistic progress, built in bulk: for the dashboard's query-count tests and
``scripts/benchmark_dashboard.py``. Never imported by the site itself.

``build_cohort_progress`` adds ``n`` learners to a cohort of a module that has
sections, slides and quizzes, and gives them the mix a real cohort has after a
few weeks: some never began, some read a little and stopped (stuck), most are
on their way, some finished with a certificate. Every row goes in with
``bulk_create`` (a handful of statements per table, whatever ``n``), so that a
cohort of 1,000 learners takes seconds.
"""
import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.utils import timezone

FIRST_NAMES = ["An", "Bram", "Carla", "Daan", "Eva", "Fatima", "Gert", "Hanna", "Ivo", "Jasmijn", "Kees", "Lotte",
               "Mehmet", "Noor", "Olaf", "Priya", "Quinten", "Roos", "Sven", "Tess", "Umut", "Vera", "Wout", "Yara"]
LAST_NAMES = ["de Vries", "Peeters", "Janssens", "Bakker", "Visser", "Smit", "Mertens", "El Amrani", "Maes",
              "van Dijk", "Claes", "de Boer", "Mulder", "Willems", "Dekker", "Yılmaz", "Goossens", "Hendriks"]
COMPANIES = ["Bakkerij De Vries", "Peeters Installatietechniek", "Janssens Logistiek", "Café Het Hoekje",
             "Drukkerij Mertens", "Tuincentrum Groen", "Bouwbedrijf Maes", "Fietsenmaker Smit", ""]


@dataclass
class BuiltCohort:
    users: list
    counts: dict


def build_cohort_progress(*, cohort, n: int, seed: int = 6, now=None, password: str | None = None) -> BuiltCohort:
    """Enrol ``n`` new learners in ``cohort`` with slide views, quiz attempts (with answers) and certificates."""
    from accounts.models import User
    from centres.models import Enrollment
    from progress import services as progress_services
    from progress.models import Certificate, SlideView
    from quizzes.models import Answer, Attempt, Choice, Question, Quiz
    from sections.models import Slide

    rng = random.Random(seed)
    now = now or timezone.now()
    module = cohort.module
    slides = list(Slide.objects.filter(section__module=module, is_published=True).order_by("section__number", "position"))
    quizzes = {q.section_id: q for q in Quiz.objects.filter(section__module=module)}
    questions = {}
    for question in Question.objects.filter(quiz__section__module=module).order_by("position"):
        questions.setdefault(question.quiz_id, []).append(question)
    choices = {}
    for choice in Choice.objects.filter(question__quiz__section__module=module).order_by("position"):
        choices.setdefault(choice.question_id, []).append(choice)
    # How hard each question is, and which wrong choice tempts: fixed by the seed.
    difficulty = {q.pk: rng.uniform(0.45, 0.95) for qs in questions.values() for q in qs}

    hashed = make_password(password) if password else make_password(None)
    tag = f"c{cohort.pk}"
    users = User.objects.bulk_create(
        User(
            email=f"{tag}-deelnemer-{i}@example.org",
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            company_name=rng.choice(COMPANIES),
            password=hashed,
        )
        for i in range(n)
    )
    if not all(u.pk for u in users):  # databases without RETURNING on bulk inserts
        users = list(User.objects.filter(email__startswith=f"{tag}-deelnemer-").order_by("pk"))

    enrollments, views, attempts, certificates = [], [], [], []
    plans = []
    counts = {"not_started": 0, "stuck": 0, "in_progress": 0, "completed": 0}
    for user in users:
        enrolled = now - timedelta(days=rng.uniform(20, 60))
        enrollments.append(Enrollment(cohort=cohort, user=user, enrolled_at=enrolled, status_changed_at=enrolled))
        kind = rng.choices(["not_started", "stuck", "in_progress", "completed"], weights=[15, 20, 50, 15])[0]
        counts[kind] += 1
        if kind == "not_started":
            continue
        if kind == "completed":
            read = len(slides)
            last = now - timedelta(days=rng.uniform(0, 10))
        elif kind == "stuck":
            read = rng.randint(1, max(1, len(slides) // 2))
            last = now - timedelta(days=rng.uniform(15, 40))
        else:
            read = rng.randint(1, len(slides) - 1)
            last = now - timedelta(days=rng.uniform(0, 12))
        start = max(enrolled, last - timedelta(days=rng.uniform(1, 10)))
        step = (last - start) / max(1, read)
        for k, slide in enumerate(slides[:read]):
            seen = start + step * (k + 1)
            views.append(SlideView(user=user, slide=slide, first_seen=seen, last_seen=seen))
        read_ids = {s.pk for s in slides[:read]}
        for section_id, quiz in quizzes.items():
            section_slides = [s for s in slides if s.section_id == section_id]
            if not section_slides or not all(s.pk in read_ids for s in section_slides):
                continue
            plans.append((user, quiz, kind == "completed", last))

    Enrollment.objects.bulk_create(enrollments)
    SlideView.objects.bulk_create(views, batch_size=2000)

    answers_spec = []
    for user, quiz, must_pass, last in plans:
        qs = questions.get(quiz.pk, [])
        if not qs:
            continue
        number, passed = 0, False
        while not passed and number < 3:
            number += 1
            picks = []
            for question in qs:
                ok = rng.random() < min(0.98, difficulty[question.pk] + 0.2 * (number - 1))
                options = choices[question.pk]
                right = [c for c in options if c.is_correct]
                wrong = [c for c in options if not c.is_correct]
                if ok or not wrong:
                    chosen = right
                else:
                    # The first wrong choice tempts most.
                    chosen = [rng.choices(wrong, weights=[3] + [1] * (len(wrong) - 1))[0]]
                picks.append((question, chosen, ok or not wrong))
            right_count = sum(1 for *_, ok in picks if ok)
            score = round(100 * right_count / len(picks))
            passed = score >= quiz.pass_mark or (must_pass and number == 3)
            when = last - timedelta(hours=3 - number)
            attempts.append(
                Attempt(quiz=quiz, user=user, number=number, submitted_at=when, correct_count=right_count,
                        question_count=len(picks), score=score, pass_mark=quiz.pass_mark, passed=passed,
                        layout={"questions": [q.pk for q in qs], "choices": {}})
            )
            answers_spec.append(picks)
            if not must_pass and rng.random() < 0.3:
                break
    Attempt.objects.bulk_create(attempts, batch_size=1000)
    if attempts and not attempts[0].pk:
        by_key = {(a.quiz_id, a.user_id, a.number): a.pk for a in Attempt.objects.filter(user__in=users)}
        for attempt in attempts:
            attempt.pk = by_key[(attempt.quiz_id, attempt.user_id, attempt.number)]
    # started_at is auto_now_add: bring it back to just before the submission.
    Attempt.objects.filter(user__enrollments__cohort=cohort, quiz__section__module=module).update(started_at=F("submitted_at") - timedelta(minutes=12))

    answer_rows = []
    for attempt, picks in zip(attempts, answers_spec):
        for question, chosen, ok in picks:
            answer_rows.append((Answer(attempt=attempt, question=question, is_correct=ok), chosen))
    Answer.objects.bulk_create([a for a, _ in answer_rows], batch_size=2000)
    if answer_rows and not answer_rows[0][0].pk:
        by_key = {(a.attempt_id, a.question_id): a.pk for a in Answer.objects.filter(attempt__in=[x.pk for x in attempts])}
        for answer, _ in answer_rows:
            answer.pk = by_key[(answer.attempt_id, answer.question_id)]
    Answer.choices.through.objects.bulk_create(
        [Answer.choices.through(answer_id=a.pk, choice_id=c.pk) for a, chosen in answer_rows for c in chosen],
        batch_size=5000,
    )

    passed_by_user = {}
    for attempt in attempts:
        if attempt.passed:
            passed_by_user.setdefault(attempt.user_id, set()).add(attempt.quiz_id)
    read_by_user = {}
    for view in views:
        read_by_user[view.user_id] = read_by_user.get(view.user_id, 0) + 1
    for user in users:
        if read_by_user.get(user.pk) == len(slides) and passed_by_user.get(user.pk, set()) >= {q.pk for q in quizzes.values()}:
            certificates.append(
                Certificate(user=user, module=module, issued_at=now - timedelta(days=rng.uniform(0, 5)),
                            learner_name=user.name, module_title=module.title, centre_name=cohort.centre.name,
                            cohort_name=cohort.name)
            )
    Certificate.objects.bulk_create(certificates)
    # Bulk-loaded records, as an import's: the learners' progress rows are counted from them.
    progress_services.progress_recount(
        module_ids=[module.pk], user_ids=Enrollment.objects.filter(cohort=cohort).values("user_id")
    )
    counts["certificates"] = len(certificates)
    counts["attempts"] = len(attempts)
    counts["answers"] = len(answer_rows)
    counts["slide_views"] = len(views)
    return BuiltCohort(users=users, counts=counts)

