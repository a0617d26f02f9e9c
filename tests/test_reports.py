"""The centre and programme reports (issue 16): every figure against a small data set computed by hand.

The data set: one module of 2 sections × 4 published slides (and a draft) with a 2-question quiz
each; centre A with cohorts A1 and A2, centre B with cohort B1; the period is the fourth quarter
of 2026 in the site's time zone (Europe/Amsterdam).

    L1  A1 (5 Oct) and A2 (6 Oct)  Bakkerij Jansen, retail, micro   all read, both quizzes passed first time,
                                                                     certificate 31 Dec 23:30 (the quarter's last evening)
    L2  A1 (10 Nov)                 "bakkerij jansen." (same firm)  read 4 of 8, failed quiz 1 first time (question 1 wrong)
    L3  A1 (1 Dec), withdrew 15 Dec  no company, no sector           read 1 slide and the draft
    L4  A2 (20 Oct)                 Fietsen BV, transport, small    nothing
    L5  A1 (30 Sep)                 — enrolled in the previous quarter: not in this intake
    L6  A2 (1 Jan 2027 00:30)       — next quarter (still 31 Dec in UTC: the boundary is local)
    L7  B1 (10 Oct)                 other centre                    all read, both quizzes passed (Dec), certificate 2 Jan 2027
"""
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

AMS = ZoneInfo("Europe/Amsterdam")
Q4 = {"periode": "aangepast", "van": "2026-10-01", "tot": "2026-12-31"}


def at(y, m, d, hh=10, mm=0):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=AMS)


@pytest.fixture
def data(db, build_module, slide_factory, quiz_factory, centre_factory, centre_staff_factory, cohort_factory,
         enrollment_factory, user_factory, slide_views):
    from centres.models import Enrollment
    from progress import services as progress_services
    from progress.models import Certificate
    from quizzes.models import Answer, Attempt

    module = build_module(sections=2, slides=4, resources=0)
    s1, s2 = module.sections.order_by("number")
    draft = slide_factory(section=s1, is_published=False)
    q1, q2 = quiz_factory(section=s1, questions=2), quiz_factory(section=s2, questions=2)
    slides = [*s1.slides.filter(is_published=True).order_by("position"), *s2.slides.order_by("position")]
    assert len(slides) == 8

    centre_a, centre_b = centre_factory(name="Centrum A"), centre_factory(name="Centrum B")
    manager = centre_staff_factory(role="manager", centre=centre_a)
    manager_b = centre_staff_factory(role="manager", centre=centre_b)
    trainer_a2 = centre_staff_factory(role="trainer", centre=centre_a)
    a1 = cohort_factory(centre=centre_a, module=module, name="A1")
    a2 = cohort_factory(centre=centre_a, module=module, name="A2", trainers=[trainer_a2])
    b1 = cohort_factory(centre=centre_b, module=module, name="B1")

    def learner(n, **profile):
        return user_factory(email=f"l{n}@example.org", name=f"Leerling {n}", **profile)

    l1 = learner(1, company_name="Bakkerij Jansen", company_sector="retail", company_size="micro")
    l2 = learner(2, company_name="bakkerij jansen.", company_sector="retail", company_size="micro")
    l3 = learner(3)
    l4 = learner(4, company_name="Fietsen BV", company_sector="transport", company_size="small")
    l5 = learner(5, company_name="Oud BV")
    l6 = learner(6, company_name="Nieuw BV")
    l7 = learner(7, company_name="Elders BV")
    enrollment_factory(cohort=a1, user=l1, enrolled_at=at(2026, 10, 5))
    enrollment_factory(cohort=a2, user=l1, enrolled_at=at(2026, 10, 6))
    enrollment_factory(cohort=a1, user=l2, enrolled_at=at(2026, 11, 10))
    enrollment_factory(
        cohort=a1, user=l3, enrolled_at=at(2026, 12, 1), status=Enrollment.Status.WITHDRAWN,
        status_changed_at=at(2026, 12, 15),
    )
    enrollment_factory(cohort=a2, user=l4, enrolled_at=at(2026, 10, 20))
    enrollment_factory(cohort=a1, user=l5, enrolled_at=at(2026, 9, 30))
    enrollment_factory(cohort=a2, user=l6, enrolled_at=at(2027, 1, 1, 0, 30))
    enrollment_factory(cohort=b1, user=l7, enrolled_at=at(2026, 10, 10))

    def attempt(user, quiz, number, when, *, wrong=()):
        questions = list(quiz.questions.order_by("position"))
        right = len(questions) - len(wrong)
        score = round(100 * right / len(questions))
        made = Attempt.objects.create(
            quiz=quiz, user=user, number=number, submitted_at=when, correct_count=right,
            question_count=len(questions), score=score, pass_mark=70, passed=score >= 70,
        )
        Attempt.objects.filter(pk=made.pk).update(started_at=when - datetime.timedelta(minutes=5))
        for q in questions:
            Answer.objects.create(attempt=made, question=q, is_correct=q.position not in wrong)

    slide_views(l1, slides=slides, when=at(2026, 10, 7))
    attempt(l1, q1, 1, at(2026, 10, 8))
    attempt(l1, q2, 1, at(2026, 10, 9))
    Certificate.objects.create(
        user=l1, module=module, issued_at=at(2026, 12, 31, 23, 30), learner_name="L1", module_title=module.title
    )
    slide_views(l2, slides=slides[:4], when=at(2026, 11, 20))
    attempt(l2, q1, 1, at(2026, 11, 21), wrong={1})
    slide_views(l3, slides=[slides[0], draft], when=at(2026, 12, 2))
    slide_views(l5, slides=slides, when=at(2026, 10, 2))
    slide_views(l7, slides=slides, when=at(2026, 10, 12))
    attempt(l7, q1, 1, at(2026, 12, 1))
    attempt(l7, q2, 1, at(2026, 12, 2))
    Certificate.objects.create(
        user=l7, module=module, issued_at=at(2027, 1, 2), learner_name="L7", module_title=module.title
    )
    # Records written by hand with their dates: each learner's progress row is counted from them.
    progress_services.progress_recount(module_ids=[module.pk])
    return {
        "module": module, "a1": a1, "a2": a2, "b1": b1, "centre_a": centre_a, "centre_b": centre_b,
        "manager": manager, "manager_b": manager_b, "trainer_a2": trainer_a2, "q1": q1, "l2": l2,
    }


def funnel_of(stages):
    return [s.count for s in stages]


def get_report(client, user, url="reports:centre", **params):
    client.force_login(user)
    response = client.get(reverse(url), {**Q4, **params})
    assert response.status_code == 200, response.content[:500]
    return response


def test_centre_report_figures_by_hand(client, data):
    report = get_report(client, data["manager"]).context["report"]
    # Intake L1–L4; started L1–L3; half read L1, L2; quizzes L1; certificate L1 on 31 Dec 23:30.
    assert funnel_of(report.funnel.stages) == [4, 3, 2, 1, 1]
    assert report.funnel.withdrawn == 1
    assert report.learners == 4
    assert report.businesses == 2  # "Bakkerij Jansen" and "bakkerij jansen." are one business
    sectors = {item.key: item.count for item in report.by_sector}
    assert sectors["retail"] == 2 and sectors["transport"] == 1 and sectors[""] == 1 and sectors["care"] == 0
    sizes = {item.key: item.count for item in report.by_size}
    assert sizes == {"micro": 2, "small": 1, "medium": 0, "": 1}
    assert [(m.month, n) for m, n in report.per_month] == [(10, 2), (11, 1), (12, 1)]
    assert [(r.number, r.attempts, r.passed, r.percent) for r in report.first_pass] == [(1, 2, 1, 50), (2, 1, 1, 100)]
    assert [(q.question_id, q.answered, q.wrong) for q in report.most_missed] == [
        (data["q1"].questions.get(position=1).pk, 2, 1)
    ]
    # 5 Oct 10:00 → 31 Dec 23:30 (one hour more across the clock change on 25 Oct): 87.6 days.
    assert report.median_days_to_certificate == 87.6
    rows = {row.cohort.name: (funnel_of(row.funnel.stages), row.funnel.withdrawn) for row in report.cohort_rows}
    assert rows == {"A1": ([3, 3, 2, 1, 1], 1), "A2": ([2, 1, 1, 1, 1], 0)}


def test_the_last_day_of_the_period_counts_and_the_next_does_not(client, data):
    # The certificate of 31 Dec 23:30 falls out when the period ends on 30 Dec...
    report = get_report(client, data["manager"], tot="2026-12-30").context["report"]
    assert report.funnel.certified == 0
    # ...and L6, enrolled 1 Jan 00:30 in Amsterdam (still 31 Dec in UTC), is in the next quarter only.
    report = get_report(client, data["manager"], van="2027-01-01", tot="2027-03-31").context["report"]
    assert report.learners == 1 and report.funnel.enrolled == 1


def test_programme_report_one_row_per_centre_and_unique_totals(client, data, site_staff):
    report = get_report(client, site_staff, "reports:programme").context["report"]
    rows = {row.centre.name: funnel_of(row.funnel.stages) for row in report.centre_rows}
    # B: L7 passed both quizzes in December; the certificate came on 2 January.
    assert rows == {"Centrum A": [4, 3, 2, 1, 1], "Centrum B": [1, 1, 1, 1, 0]}
    assert funnel_of(report.funnel.stages) == [5, 4, 3, 2, 1]
    assert {row.centre.name: row.businesses for row in report.centre_rows} == {"Centrum A": 2, "Centrum B": 1}


def test_trainer_sees_only_the_cohorts_they_train(client, data):
    report = get_report(client, data["trainer_a2"]).context["report"]
    assert [c.name for c in report.cohorts] == ["A2"]
    assert funnel_of(report.funnel.stages) == [2, 1, 1, 1, 1]


def test_one_cohort(client, data):
    response = get_report(client, data["manager"], cohort=data["a1"].pk)
    assert funnel_of(response.context["report"].funnel.stages) == [3, 3, 2, 1, 1]
    assert f'href="/centrum/cohorten/{data["a1"].pk}/voortgang/#vragen"' in response.content.decode()


def _without_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.parametrize("who", ["learner", "manager_b", "trainer_a2"])
def test_a_cohort_one_may_not_see_is_as_missing_as_none(client, data, learner, who):
    user = learner if who == "learner" else data[who]
    client.force_login(user)
    theirs = client.get(reverse("reports:centre"), {"cohort": data["a1"].pk})
    missing = client.get(reverse("reports:centre"), {"cohort": 987654})
    assert theirs.status_code == missing.status_code == 404
    # The same page, but for the address itself (the language switcher links back to it).
    def same(response):
        return re.sub(r"cohort(=|%3D)\d+", "cohort=X", _without_token(response))

    assert same(theirs) == same(missing)
    assert client.get(reverse("reports:centre"), {"centrum": data["centre_b"].pk}).status_code == (
        200 if who == "manager_b" else 404
    )


@pytest.mark.parametrize(
    "params",
    [
        {"cohort": "abc"}, {"cohort": "-1"}, {"cohort": "99999999999999999999"}, {"centrum": "\x00"},
        {"periode": "aangepast", "van": "2026-12-31", "tot": "2026-01-01"},
        {"periode": "aangepast", "van": "2000-01-01", "tot": "2026-01-01"},
        {"periode": "aangepast"}, {"periode": "onzin"}, {"periode": "aangepast", "van": "31-12-2026", "tot": "x"},
    ],
)
def test_bad_filters_get_a_clear_answer(client, data, params):
    client.force_login(data["manager"])
    response = client.get(reverse("reports:centre"), params)
    assert response.status_code in (400, 404)
    if response.status_code == 400 and "\x00" not in "".join(params.values()):  # NUL: refused before any view
        assert 'class="errorlist' in response.content.decode()


def test_presets_follow_the_calendar():
    from reports.periods import Period, PeriodForm

    def period(preset, today):
        form = PeriodForm({"periode": preset}, today=today)
        assert form.is_valid(), form.errors
        return form.cleaned_data["period"]

    today = datetime.date(2026, 2, 14)
    assert period("kwartaal", today) == Period(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert period("vorig-kwartaal", today) == Period(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    assert period("jaar", today) == Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert period("vorig-jaar", today) == Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert period("kwartaal", datetime.date(2026, 12, 31)).start == datetime.date(2026, 10, 1)
    assert PeriodForm({}, today=today).is_valid()


def test_csv_hides_small_groups(client, data):
    client.force_login(data["manager"])
    response = client.get(reverse("reports:centre_csv"), Q4)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffCentrum;Cohort;Ingeschreven;Begonnen;")
    lines = text.strip().split("\r\n")
    assert lines[1] == "Centrum A;A1;< 5;< 5;< 5;< 5;< 5;< 5;2026-10-01;2026-12-31"
    assert lines[-1].startswith("Totaal (unieke deelnemers);;< 5;< 5;< 5;< 5;< 5;< 5;")


def test_five_or_more_are_exact_and_zero_stays_zero(client, data, enrollment_factory, user_factory):
    for n in range(3):
        enrollment_factory(cohort=data["a1"], user=user_factory(), enrolled_at=at(2026, 11, 1 + n))
    client.force_login(data["manager"])
    lines = client.get(reverse("reports:centre_csv"), Q4).content.decode("utf-8").strip().split("\r\n")
    # A1 now has 6 in its intake, 3 started; L3 is its only withdrawal.
    assert lines[1].startswith("Centrum A;A1;6;< 5;< 5;< 5;< 5;< 5;")
    assert lines[2].startswith("Centrum A;A2;< 5;< 5;< 5;< 5;< 5;0;")


def test_xlsx_opens_and_matches_the_page(client, data):
    from openpyxl import load_workbook

    data["a2"].name = "=HYPERLINK(\"http://evil\")"
    data["a2"].save()
    client.force_login(data["manager"])
    page = client.get(reverse("reports:centre"), Q4).context["report"]
    response = client.get(reverse("reports:centre_xlsx"), Q4)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Samenvatting", "Cohorten", "Sector", "Grootte", "Per maand", "Eerste poging", "Meest gemist"]
    summary = {row[0]: row[1] for row in book["Samenvatting"].iter_rows(min_row=2, values_only=True)}
    assert summary["Unieke deelnemers"] == "< 5" and page.learners == 4
    assert summary["Mediaan dagen van inschrijving tot certificaat"] == page.median_days_to_certificate
    names = [row[1] for row in book["Cohorten"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://evil\")" in names
    for row in book["Cohorten"].iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    months = list(book["Per maand"].iter_rows(min_row=2, values_only=True))
    assert months == [("2026-10", "< 5"), ("2026-11", "< 5"), ("2026-12", "< 5")]


def test_page_shows_charts_with_text_and_tables(client, data):
    html = get_report(client, data["manager"]).content.decode()
    assert html.count('<figure class="chart"') == 5
    # The funnel: each step's label and figure as text beside its bar.
    assert re.search(r'<span class="chart__label">Ingeschreven</span>.*?<span class="chart__value">4 \(100 %\)</span>', html, re.S)
    assert re.search(r'<span class="chart__label">Certificaat</span>.*?<rect class="chart__bar" [^>]*width="25.0"', html, re.S)
    assert "<details class=\"chart__table\">" in html
    assert "style=" not in html and "<script>" not in html
    # SVG numbers are never written with a Dutch decimal comma.
    assert not re.search(r'width="\d+,\d', html)


def test_report_escapes_names(client, data):
    data["a1"].name = "<script>alert(1)</script>"
    data["a1"].save()
    html = get_report(client, data["manager"]).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _grow(data, n, enrollment_factory, user_factory, cohort_factory, slide_views):
    """``n`` more learners in A1 and in a new cohort of centre B, each with a slide read, a failed first
    attempt at quiz 1 (with answers); every other one passes a second time and holds a certificate."""
    from progress import services as progress_services
    from progress.models import Certificate
    from quizzes.models import Answer, Attempt

    slide = data["module"].sections.first().slides.filter(is_published=True).first()
    questions = list(data["q1"].questions.order_by("position"))
    extra = cohort_factory(centre=data["centre_b"], module=data["module"], name=f"B{n}")
    for i in range(n):
        user = user_factory(company_name=f"Firma {i}", company_sector="ict")
        enrollment_factory(cohort=data["a1"], user=user, enrolled_at=at(2026, 11, 2))
        enrollment_factory(cohort=extra, user=user, enrolled_at=at(2026, 11, 4))
        slide_views(user, slides=[slide], when=at(2026, 11, 3))
        for number in (1, 2) if i % 2 else (1,):
            attempt = Attempt.objects.create(
                quiz=data["q1"], user=user, number=number, submitted_at=at(2026, 11, 5 + number), correct_count=number - 1,
                question_count=2, score=50 * (number - 1), pass_mark=70, passed=number == 2,
            )
            Answer.objects.bulk_create(
                Answer(attempt=attempt, question=q, is_correct=number == 2 or q.position == 2) for q in questions
            )
        if i % 2:
            Certificate.objects.create(
                user=user, module=data["module"], issued_at=at(2026, 11, 20), learner_name="G", module_title="M"
            )
    progress_services.progress_recount(module_ids=[data["module"].pk])


@pytest.mark.parametrize("url", ["reports:centre", "reports:centre_xlsx", "reports:programme"])
def test_a_fixed_number_of_queries(client, data, site_staff, url, enrollment_factory, user_factory, cohort_factory,
                                   django_assert_max_num_queries, slide_views):
    """The same number of queries for 7 learners and for 57, in more cohorts, with attempts and certificates."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(site_staff)
    with CaptureQueriesContext(connection) as small_run:
        assert client.get(reverse(url), Q4).status_code == 200
    _grow(data, 25, enrollment_factory, user_factory, cohort_factory, slide_views)
    with django_assert_max_num_queries(len(small_run)):
        grown = client.get(reverse(url), Q4)
        assert grown.status_code == 200
    if url != "reports:centre_xlsx":  # site staff see every centre: L1–L4, L7 and the 25 (12 certified)
        report = grown.context["report"]
        assert (report.learners, report.funnel.certified, len(report.cohorts)) == (30, 1 + 12, 4)
    assert len(small_run) <= 13  # 15 before the progress rows, 14 before the first-attempt answers (the report itself: 8)


def test_report_and_dashboard_agree_on_a_cohort(client, build_course, centre_factory, centre_staff_factory,
                                                cohort_factory):
    """One source of truth: over a period that covers everything, a cohort's row in the report says
    what the cohort dashboard says (same records, same rules for started, finished and certified)."""
    from dashboards.selectors import cohort_dashboard
    from dashboards.testing import build_cohort_progress

    module = build_course(sections=3, slides=4, questions=3)
    centre = centre_factory()
    manager = centre_staff_factory(role="manager", centre=centre)
    cohort = cohort_factory(centre=centre, module=module)
    build_cohort_progress(cohort=cohort, n=40, seed=11)
    dashboard = cohort_dashboard(cohort=cohort)
    report = get_report(
        client, manager, periode="aangepast", van=(datetime.date.today() - datetime.timedelta(days=1000)).isoformat(),
        tot=(datetime.date.today() + datetime.timedelta(days=1)).isoformat(),
    ).context["report"]
    row = report.cohort_rows[0].funnel
    assert row.enrolled - row.withdrawn == dashboard.totals.enrolled == 40
    assert row.started == dashboard.totals.started
    assert row.certified == sum(1 for r in dashboard.rows if r.certificate)
    assert row.quizzes_passed == sum(1 for r in dashboard.rows if all(s.quiz_passed for s in r.progress.sections))
    assert 0 < row.certified < row.started < row.enrolled


def test_idea_wall_figures(client, data, centre_staff_factory):
    """Sessions held in the period, and what the cohort's learners posted (a trainer's post does not count)."""
    from accounts.models import User
    from ideas import services
    from ideas.models import Idea, Phase, Session

    l1, l2 = User.objects.get(email="l1@example.org"), data["l2"]
    trainer = centre_staff_factory(role="trainer", centre=data["centre_a"])
    session = services.session_create(cohort=data["a1"], by=trainer, kind="brainstorm", problem="Hoe reizen we minder?")
    first = services.idea_post(session=session, author=l1, text="Videobellen met klanten")
    services.idea_post(session=session, author=l1, text="Samen rijden naar beurzen")
    services.idea_post(session=session, author=trainer, text="Een idee van de trainer")
    Session.objects.filter(pk=session.pk).update(phase=Phase.BUILD)
    session.refresh_from_db()
    services.idea_post(session=session, author=l2, text="En een vaste beldag per klant", parent=first)
    old = services.session_create(cohort=data["a1"], by=trainer, kind="brainstorm", problem="Vorig jaar")
    Session.objects.filter(pk=session.pk).update(created_at=at(2026, 11, 3))
    Idea.objects.filter(session=session).update(created_at=at(2026, 11, 3))
    Session.objects.filter(pk=old.pk).update(created_at=at(2025, 11, 3))

    response = get_report(client, data["manager"])
    ideas = response.context["report"].ideas
    assert (ideas.sessions, ideas.ideas, ideas.builds, ideas.contributors) == (1, 2, 1, 2)
    assert (ideas.ideas_per_learner, ideas.builds_per_learner) == (1.0, 0.5)
    assert "gemiddeld 1,0 ideeën en 0,5 keer voortgebouwd" in response.content.decode()


def test_a_learner_in_two_cohorts_is_one_learner_in_the_month_of_their_first_enrolment(client, data, user_factory,
                                                                                      enrollment_factory):
    """Counted once in the totals, the sectors and the months (November, not December), once in each cohort's
    row, and as withdrawn in the centre's row only when withdrawn from both."""
    from centres.models import Enrollment

    twice = user_factory(company_name="Twee Keer BV", company_sector="ict", company_size="small")
    enrollment_factory(cohort=data["a1"], user=twice, enrolled_at=at(2026, 11, 20))
    enrollment_factory(cohort=data["a2"], user=twice, enrolled_at=at(2026, 12, 3), status=Enrollment.Status.WITHDRAWN,
                       status_changed_at=at(2026, 12, 4))
    report = get_report(client, data["manager"]).context["report"]
    assert report.learners == 5 and report.businesses == 3
    assert [(m.month, n) for m, n in report.per_month] == [(10, 2), (11, 2), (12, 1)]
    assert {item.key: item.count for item in report.by_sector}["ict"] == 1
    assert (report.funnel.enrolled, report.funnel.withdrawn) == (5, 1)  # L3 only: the new learner still holds A1
    rows = {row.cohort.name: (row.funnel.enrolled, row.funnel.withdrawn) for row in report.cohort_rows}
    assert rows == {"A1": (4, 1), "A2": (3, 1)}
