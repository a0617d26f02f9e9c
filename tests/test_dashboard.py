"""The cohort dashboard, through the test client: the grid, its filters and order, the totals,
the quiz item analysis and the CSV export. Progress is made the way learners make it: slide
views as the viewer records them, quiz attempts through the quiz services."""
import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from centres.models import Enrollment
from progress import services as progress_services
from progress.models import Certificate, SlideView
from quizzes import services as quiz_services
from quizzes.models import Choice, Question


def take_quiz(user, module, number, *, wrong=()):
    """Submit an attempt at section ``number``'s quiz; questions at positions in ``wrong`` get the
    first wrong choice (multiple choice: only the first right one, which is wrong too)."""
    quiz = module.sections.get(number=number).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=user)
    selections = {}
    for question in quiz.questions.prefetch_related("choices"):
        right = {c.pk for c in question.choices.all() if c.is_correct}
        if question.position in wrong:
            if question.kind == Question.Kind.MULTIPLE:
                selections[question.pk] = {min(right)}
            else:
                selections[question.pk] = {next(c.pk for c in question.choices.all() if not c.is_correct)}
        else:
            selections[question.pk] = right
    return progress_services.quiz_attempt_submit(attempt=attempt, user=user, selections=selections)


def complete(slide_views, user, module):
    slide_views(user, module)
    for section in module.sections.order_by("number"):
        take_quiz(user, module, section.number)


@pytest.fixture
def setting(build_course, centre_factory, centre_staff_factory, cohort_factory, user_factory):
    """A module of 2 sections × 4 slides × 3 questions; a cohort with its trainer; four learners."""
    module = build_course(sections=2, slides=4, questions=3)
    centre = centre_factory()
    trainer = centre_staff_factory(role="trainer", centre=centre)
    cohort = cohort_factory(centre=centre, module=module, trainers=[trainer])
    learners = {
        "anna": user_factory(name="Anna Aarts", company_name="Bakkerij Aarts"),
        "bert": user_factory(name="Bert Bos", company_name="Zonnepanelen Bos"),
        "cees": user_factory(name="Cees Claes", company_name=""),
        "dirk": user_factory(name="Dirk Dekker", company_name="=HYPERLINK(\"http://evil\")"),
    }
    for user in learners.values():
        Enrollment.objects.create(cohort=cohort, user=user)
    return {"module": module, "cohort": cohort, "trainer": trainer, **learners}


@pytest.fixture
def progress_made(setting, slide_views):
    """Anna finished; Bert read section 1 and passed its quiz; Cees read 2 slides 20 days ago (stuck);
    Dirk never began."""
    module = setting["module"]
    complete(slide_views, setting["anna"], module)
    slide_views(setting["bert"], module, section=1)
    take_quiz(setting["bert"], module, 1, wrong={3})  # 2 of 3 right = 67 %: below the pass mark of 70
    take_quiz(setting["bert"], module, 1)
    slide_views(setting["cees"], module, section=1, count=2, days_ago=20)
    return setting


def dashboard_url(cohort, **params):
    url = reverse("dashboards:cohort", args=[cohort.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def names_in_order(html):
    return re.findall(r'<th scope="row" class="dash-col-name">(?:<a href="[^"]*">)?([^<]+)<', html)


def test_the_grid_shows_each_learners_progress(client, progress_made):
    s = progress_made
    client.force_login(s["trainer"])
    html = client.get(dashboard_url(s["cohort"])).content.decode()
    assert names_in_order(html) == ["Anna Aarts", "Bert Bos", "Cees Claes", "Dirk Dekker"]
    rows = dict(zip(names_in_order(html), html.split('<tr class="dash-row')[1:], strict=False))
    anna = rows["Anna Aarts"]
    assert anna.count(">4/4<") == 2 and "100 %" in anna
    certificate = Certificate.objects.get(user=s["anna"])
    assert certificate.display_code in anna and certificate.get_absolute_url() in anna
    bert = rows["Bert Bos"]
    # Section 1 read, best score 100 % with ✓; section 2 untouched; 5 of 10 items = 50 %.
    assert ">4/4<" in bert and ">0/4<" in bert and "100 % " in bert and "geen poging" in bert
    assert "50 %" in bert
    cees = rows["Cees Claes"]
    assert ">2/4<" in cees and "vastgelopen" in cees and "20 dagen geleden" in cees
    assert "nog niet begonnen" in rows["Dirk Dekker"]
    # Totals: 4 enrolled, 3 started, 1 completed; average of best scores: Anna 100, 100, Bert 100.
    totals = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert totals == {"Ingeschreven": "4", "Begonnen": "3", "Afgerond": "1", "Gemiddelde score": "100 %"}


def test_withdrawn_learners_are_not_on_the_dashboard(client, progress_made):
    s = progress_made
    Enrollment.objects.filter(user=s["bert"]).update(status=Enrollment.Status.WITHDRAWN)
    client.force_login(s["trainer"])
    html = client.get(dashboard_url(s["cohort"])).content.decode()
    assert "Bert Bos" not in html
    assert names_in_order(html) == ["Anna Aarts", "Cees Claes", "Dirk Dekker"]


@pytest.mark.parametrize(
    "show, expected",
    [
        ("alle", ["Anna Aarts", "Bert Bos", "Cees Claes", "Dirk Dekker"]),
        ("niet-begonnen", ["Dirk Dekker"]),
        ("vastgelopen", ["Cees Claes"]),
        ("afgerond", ["Anna Aarts"]),
        ("onzin", ["Anna Aarts", "Bert Bos", "Cees Claes", "Dirk Dekker"]),
    ],
)
def test_filters(client, progress_made, show, expected):
    client.force_login(progress_made["trainer"])
    response = client.get(dashboard_url(progress_made["cohort"], toon=show))
    assert response.status_code == 200
    html = response.content.decode()
    assert names_in_order(html) == expected
    current = re.search(r'<a href="[^"]*" aria-current="page">([^<]+)<span class="filter__count">\((\d+)\)', html)
    assert int(current.group(2)) == len(expected)


def test_a_learner_active_13_days_ago_is_not_stuck_yet(client, setting, slide_views):
    slide_views(setting["cees"], setting["module"], count=1, days_ago=13)
    client.force_login(setting["trainer"])
    html = client.get(dashboard_url(setting["cohort"], toon="vastgelopen")).content.decode()
    assert names_in_order(html) == []
    assert "Geen deelnemers in deze groep." in html


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("naam", ["Anna Aarts", "Bert Bos", "Cees Claes", "Dirk Dekker"]),
        ("-naam", ["Dirk Dekker", "Cees Claes", "Bert Bos", "Anna Aarts"]),
        # Without a company last; "=HYPERLINK" sorts before letters.
        ("bedrijf", ["Dirk Dekker", "Anna Aarts", "Bert Bos", "Cees Claes"]),
        # Least recent first; never active counts as least recent of all.
        ("actief", ["Dirk Dekker", "Cees Claes", "Anna Aarts", "Bert Bos"]),
        ("-voltooid", ["Anna Aarts", "Bert Bos", "Cees Claes", "Dirk Dekker"]),
        ("voltooid", ["Dirk Dekker", "Cees Claes", "Bert Bos", "Anna Aarts"]),
    ],
)
def test_sorting(client, progress_made, sort, expected):
    s = progress_made
    # Bert was active after Anna.
    SlideView.objects.filter(user=s["bert"]).update(last_seen=timezone.now() + datetime.timedelta(seconds=5))
    client.force_login(s["trainer"])
    html = client.get(dashboard_url(s["cohort"], sorteer=sort)).content.decode()
    assert names_in_order(html) == expected


def test_sort_links_say_what_they_do_and_aria_sort_marks_the_column(client, progress_made):
    client.force_login(progress_made["trainer"])
    html = client.get(dashboard_url(progress_made["cohort"], sorteer="-actief", toon="vastgelopen")).content.decode()
    heads = re.findall(
        r'<th scope="col"[^>]*?(?: aria-sort="(\w+)")?>\s*<a class="dash-sort" href="([^"]+)" aria-describedby="sorteer-uitleg">([^<]+)<', html
    )
    by_label = {label: (aria, href) for aria, href, label in heads}
    assert by_label["Laatst actief"][0] == "descending"
    assert all(aria == "" for label, (aria, _) in by_label.items() if label != "Laatst actief")
    # The active column's link flips the order; the others sort up; the filter stays.
    assert by_label["Laatst actief"][1] == "?toon=vastgelopen&amp;sorteer=actief#voortgang"
    assert by_label["Deelnemer"][1] == "?toon=vastgelopen#voortgang"
    assert by_label["Bedrijf"][1] == "?toon=vastgelopen&amp;sorteer=bedrijf#voortgang"
    assert html.count('aria-sort="') == 1
    assert '<p id="sorteer-uitleg" class="visually-hidden">Sorteert de tabel op deze kolom' in html


def test_an_unknown_sort_falls_back_to_names(client, progress_made):
    client.force_login(progress_made["trainer"])
    response = client.get(dashboard_url(progress_made["cohort"], sorteer="wachtwoord"))
    assert response.status_code == 200
    assert names_in_order(response.content.decode())[0] == "Anna Aarts"


def test_names_and_companies_are_escaped(client, setting):
    setting["anna"].name = "<script>alert(1)</script>"
    setting["anna"].save()
    client.force_login(setting["trainer"])
    html = client.get(dashboard_url(setting["cohort"])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://evil&quot;)" in html


def test_a_manager_and_site_staff_see_the_dashboard_with_its_links(client, progress_made, centre_staff_factory):
    s = progress_made
    manager = centre_staff_factory(role="manager", centre=s["cohort"].centre)
    client.force_login(manager)
    cohort_page = client.get(s["cohort"].get_absolute_url()).content.decode()
    assert dashboard_url(s["cohort"]) in cohort_page
    assert dashboard_url(s["cohort"]) in client.get(reverse("centres:home")).content.decode()
    assert client.get(dashboard_url(s["cohort"])).status_code == 200


# --- quiz item analysis ---------------------------------------------------------------


def analysis_items(html):
    """Question text → the text of its analysis (tags stripped)."""
    block = html.split('id="vragen"', 1)[1]
    items = re.findall(r'<li class="dash-item[^"]*"[^>]*>(.*?)</li>', block, flags=re.S)
    result = {}
    for item in items:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip()
        question = re.search(r"Vraag \d+ \(\w+\)\?", text).group(0)
        result[question] = text
    return result


def test_item_analysis_counts_first_attempts_and_names_the_wrong_choice(client, setting, slide_views):
    s = setting
    module = s["module"]
    for name in ("anna", "bert", "cees"):
        slide_views(s[name], module, section=1)
    # Question 1 (single): Anna and Bert pick "Keuze A" first; Cees is right. Bert then retries all right.
    take_quiz(s["anna"], module, 1, wrong={1})
    take_quiz(s["bert"], module, 1, wrong={1, 2})
    take_quiz(s["bert"], module, 1)
    take_quiz(s["cees"], module, 1)
    client.force_login(s["trainer"])
    html = client.get(dashboard_url(s["cohort"])).content.decode()
    items = analysis_items(html)
    q1 = items["Vraag 1 (single)?"]
    assert "33 % goed de eerste keer dat het gevraagd werd" in q1 and "(1 van 3)" in q1
    assert "Meest gekozen fout antwoord: “Keuze A bij vraag 1” (2×)" in q1
    slide = Question.objects.get(quiz__section__number=1, position=1).slides.get()
    assert "Leg opnieuw uit: slide 1.1" in q1 and slide.title in q1
    assert f'href="{slide.get_absolute_url()}"' in html
    # Question 2 (multiple): Bert ticked one right answer of two: wrong, without a wrong choice.
    q2 = items["Vraag 2 (multiple)?"]
    assert "67 % goed" in q2 and "1 keer een juist antwoord niet aangevinkt" in q2
    assert "Meest gekozen fout antwoord" not in q2
    # Question 3: everybody right; nothing to explain again.
    q3 = items["Vraag 3 (true_false)?"]
    assert "100 % goed" in q3 and "Leg opnieuw uit" not in q3
    # What goes well folds away; what needs attention stays in view, numbered as in the whole list.
    folded = html.split('<details class="dash-fold">', 1)[1].split("</details>", 1)[0]
    assert "Vraag 3 (true_false)?" in folded and "Vraag 1 (single)?" not in folded
    assert '<li class="dash-item" value="3">' in folded
    assert "Nog niemand van dit cohort heeft deze quiz gemaakt." in html  # section 2


def test_item_analysis_leaves_out_learners_of_other_cohorts(client, setting, cohort_factory, user_factory, slide_views):
    s = setting
    outsider = user_factory()
    Enrollment.objects.create(cohort=cohort_factory(module=s["module"]), user=outsider)
    slide_views(outsider, s["module"], section=1)
    take_quiz(outsider, s["module"], 1, wrong={1})
    slide_views(s["anna"], s["module"], section=1)
    take_quiz(s["anna"], s["module"], 1)
    client.force_login(s["trainer"])
    items = analysis_items(client.get(dashboard_url(s["cohort"])).content.decode())
    assert "100 % goed de eerste keer dat het gevraagd werd" in items["Vraag 1 (single)?"] and "(1 van 1)" in items["Vraag 1 (single)?"]


# --- CSV ----------------------------------------------------------------------------------


def read_csv(response):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_has_a_dutch_header_and_one_row_per_learner(client, progress_made):
    s = progress_made
    client.force_login(s["trainer"])
    response = client.get(reverse("dashboards:export", args=[s["cohort"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="voortgang-cohort-\d+-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"])
    rows = read_csv(response)
    assert rows[0] == [
        "Naam", "E-mailadres", "Bedrijf", "Status", "Ingeschreven op", "Laatst actief",
        "Sectie 1: slides gelezen (van 4)", "Sectie 1: beste quizscore (%)", "Sectie 1: quiz gehaald",
        "Sectie 2: slides gelezen (van 4)", "Sectie 2: beste quizscore (%)", "Sectie 2: quiz gehaald",
        "Module voltooid (%)", "Afgerond", "Certificaatcode", "Certificaat controleren",
    ]
    by_name = {row[0]: dict(zip(rows[0], row, strict=False)) for row in rows[1:]}
    assert list(by_name) == ["Anna Aarts", "Bert Bos", "Cees Claes", "Dirk Dekker"]
    anna, bert = by_name["Anna Aarts"], by_name["Bert Bos"]
    certificate = Certificate.objects.get(user=s["anna"])
    assert anna["Afgerond"] == "ja" and anna["Module voltooid (%)"] == "100"
    assert anna["Certificaatcode"] == certificate.display_code
    assert anna["Certificaat controleren"] == "http://testserver" + certificate.get_absolute_url()
    assert (bert["Sectie 1: slides gelezen (van 4)"], bert["Sectie 1: beste quizscore (%)"], bert["Sectie 1: quiz gehaald"]) == ("4", "100", "ja")
    assert (bert["Sectie 2: beste quizscore (%)"], bert["Sectie 2: quiz gehaald"]) == ("", "nee")
    assert by_name["Cees Claes"]["Status"] == "vastgelopen" and by_name["Dirk Dekker"]["Status"] == "niet begonnen"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", bert["Laatst actief"])
    # A company that looks like a formula is defused for Excel.
    assert by_name["Dirk Dekker"]["Bedrijf"] == "'=HYPERLINK(\"http://evil\")"


def test_csv_export_follows_the_pages_filter_and_order(client, progress_made):
    s = progress_made
    client.force_login(s["trainer"])
    html = client.get(dashboard_url(s["cohort"], toon="vastgelopen")).content.decode()
    export = re.search(r'<a class="button" href="([^"]+)" download>', html).group(1).replace("&amp;", "&")
    assert export.endswith("?toon=vastgelopen")
    rows = read_csv(client.get(export))
    assert [row[0] for row in rows[1:]] == ["Cees Claes"]
    rows = read_csv(client.get(reverse("dashboards:export", args=[s["cohort"].pk]) + "?sorteer=-naam"))
    assert [row[0] for row in rows[1:]] == ["Dirk Dekker", "Cees Claes", "Bert Bos", "Anna Aarts"]


def test_a_trainer_of_another_cohort_gets_neither_page_nor_csv(client, progress_made, centre_staff_factory, cohort_factory):
    s = progress_made
    other = centre_staff_factory(role="trainer", centre=s["cohort"].centre)
    cohort_factory(centre=s["cohort"].centre, module=s["module"], trainers=[other])
    client.force_login(other)
    for name in ("dashboards:cohort", "dashboards:export", "dashboards:reminder"):
        assert client.get(reverse(name, args=[s["cohort"].pk])).status_code == 404
    assert client.post(reverse("dashboards:reminder", args=[s["cohort"].pk]), {"dagen": "1"}).status_code == 404


def test_a_question_without_answers_and_a_module_without_quizzes(client, build_module, centre_staff_factory, cohort_factory, user_factory):
    module = build_module(sections=1, slides=2, resources=0)
    trainer = centre_staff_factory(role="trainer")
    cohort = cohort_factory(module=module, trainers=[trainer])
    Enrollment.objects.create(cohort=cohort, user=user_factory(name="Eva Eekhout"))
    client.force_login(trainer)
    html = client.get(dashboard_url(cohort)).content.decode()
    assert "Deze module heeft nog geen quizzen." in html and "0/2" in html
    rows = read_csv(client.get(reverse("dashboards:export", args=[cohort.pk])))
    assert rows[0][6:] == ["Sectie 1: slides gelezen (van 2)", "Module voltooid (%)", "Afgerond", "Certificaatcode", "Certificaat controleren"]
    assert Choice.objects.count() == 0


def test_the_dashboard_speaks_english_but_the_csv_stays_dutch(client, progress_made):
    s = progress_made
    client.force_login(s["trainer"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(dashboard_url(s["cohort"])).content.decode()
    for text in ["Progress of", "Enrolled", "Average score", "What should you explain again?", "slides read",
                 "right the first time it was asked", "Stuck <span class=\"filter__count\">(1)"]:
        assert text in html, text
    assert "Wat moet je opnieuw uitleggen?" not in html
    rows = read_csv(client.get(reverse("dashboards:export", args=[s["cohort"].pk])))
    assert rows[0][:3] == ["Naam", "E-mailadres", "Bedrijf"] and rows[1][3] == "afgerond"
