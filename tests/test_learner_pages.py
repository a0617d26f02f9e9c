"""A signed-in learner's slide: one rendering shared by every learner, their own parts put in per request.

The page must be exactly what the full rendering gives (nothing of another learner, nothing stale):
their ticks, their progress, their quiz result, their menu, their CSRF token. It also must not trust a
session that Django would end (password changed, account deactivated). And it stays cheap: the
session, one query for the version with the learner's state and account, and at most one write.
"""
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import sessions as session_store
from progress.models import SlideView
from quizzes import services as quiz_services

pytestmark = pytest.mark.usefixtures("clear_cache")

TICK = 'class="toc__tick"'


def slide_url(module, number, position):
    return reverse("sections:slide", args=[module.slug, number, position])


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def forget_sessions():
    session_store.forget_guesses()


def meter(html):
    return re.search(r'<progress id="voortgang-module"[^>]*value="(\d+)"', html)[1]


def normalised(html):
    """The page without what differs by design from one request to the next: the masked CSRF token and
    the language links' return address (the full rendering below is asked with a query string)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r'\?next=[^"]*"', '?next="', html)


@pytest.fixture
def course(build_course):
    return build_course(sections=2, slides=3, questions=3)


def test_the_shared_rendering_is_the_full_rendering(course, learner_factory, site_staff, quiz_answers):
    """Every kind of slide page a learner can get, compared with Django's full rendering of it (a query
    string takes the full path): first, middle and last slide, a passed quiz, a staff member's menu."""
    learner = learner_factory()
    client = signed_in(learner)
    for position in (1, 2):
        client.get(slide_url(course, 1, position))
    quiz = course.sections.get(number=2).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=learner)
    client.post(attempt.get_absolute_url(), quiz_answers(attempt))
    for who in (client, signed_in(site_staff)):
        for number, position in [(1, 1), (1, 3), (2, 3), (1, 2)]:
            url = slide_url(course, number, position)
            who.get(url)  # recorded: both renderings below show the same progress
            fast = who.get(url).content.decode()
            full = who.get(url + "?volledig=1").content.decode()
            assert normalised(fast) == normalised(full), url
            assert "Uitloggen" in fast


def test_a_learners_own_reading_shows_on_their_next_request(course, learner):
    client = signed_in(learner)
    first = client.get(slide_url(course, 1, 1)).content.decode()
    assert first.count(TICK) == 1  # the slide on screen counts as read
    assert meter(first) == "12"  # 1 of 8 items (6 slides, 2 quizzes), rounded down
    second = client.get(slide_url(course, 1, 2)).content.decode()
    assert second.count(TICK) == 2
    assert int(meter(second)) > int(meter(first))
    # The overview's resume button follows the slide read last.
    assert slide_url(course, 1, 2) in client.get(course.get_absolute_url()).content.decode()


def test_a_learners_quiz_result_shows_on_their_next_request(course, learner, quiz_answers):
    client = signed_in(learner)
    last = slide_url(course, 1, 3)
    before = client.get(last).content.decode()
    assert "Naar de quiz" in before and "Je hebt de quiz van deze sectie gehaald" not in before
    quiz = course.sections.get(number=1).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=learner)
    client.post(attempt.get_absolute_url(), quiz_answers(attempt))
    after = client.get(last).content.decode()
    assert "Je hebt de quiz van deze sectie gehaald (beste score 100%)" in after
    assert "Naar de quiz" not in after  # the quiz is no longer the main way on


def test_another_learner_never_sees_theirs(course, learner_factory, quiz_answers):
    reader, newcomer = learner_factory(), learner_factory()
    a, b = signed_in(reader), signed_in(newcomer)
    for position in (1, 2, 3):
        a.get(slide_url(course, 1, position))
    quiz = course.sections.get(number=1).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=reader)
    a.post(attempt.get_absolute_url(), quiz_answers(attempt))
    page_a = a.get(slide_url(course, 1, 3)).content.decode()
    page_b = b.get(slide_url(course, 1, 3)).content.decode()  # the same shared rendering, filled for b
    assert page_a.count(TICK) == 3 and page_b.count(TICK) == 1
    assert meter(page_a) != meter(page_b)
    assert "Je hebt de quiz van deze sectie gehaald" in page_a
    assert "Je hebt de quiz van deze sectie gehaald" not in page_b and "Naar de quiz" in page_b
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(page_a)[1] != token.search(page_b)[1]


def test_the_menu_is_the_readers_own(course, learner, site_staff):
    assert "Beheer" not in signed_in(learner).get(slide_url(course, 1, 1)).content.decode()
    assert "Beheer" in signed_in(site_staff).get(slide_url(course, 1, 1)).content.decode()
    assert "Beheer" not in signed_in(learner).get(slide_url(course, 1, 1)).content.decode()


def test_the_log_out_form_on_the_shared_rendering_works(course, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    html = client.get(slide_url(course, 1, 1)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    assert "<!--slot:" not in html
    assert client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert "Uitloggen" not in client.get(slide_url(course, 1, 1)).content.decode()


def test_a_changed_password_ends_the_session_on_a_slide(course, learner):
    client = signed_in(learner)
    assert "Uitloggen" in client.get(slide_url(course, 1, 1)).content.decode()
    learner.set_password("Een-heel-nieuw-wachtwoord-9")
    learner.save()
    html = client.get(slide_url(course, 1, 2)).content.decode()
    assert "Uitloggen" not in html and "Inloggen" in html


def test_a_deactivated_account_reads_as_anonymous(course, learner):
    client = signed_in(learner)
    client.get(slide_url(course, 1, 1))
    learner.is_active = False
    learner.save()
    response = client.get(slide_url(course, 1, 2))
    assert "Uitloggen" not in response.content.decode()
    assert not SlideView.objects.filter(user=learner, slide__position=2).exists()


def test_a_message_waiting_is_shown_on_the_slide(course, learner):
    client = signed_in(learner)
    client.get(slide_url(course, 1, 1))
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies[CookieStorage.cookie_name] = storage._encode([Message(constants.SUCCESS, "Welkom terug")])
    assert "Welkom terug" in client.get(slide_url(course, 1, 1)).content.decode()
    assert "Welkom terug" not in client.get(slide_url(course, 1, 1)).content.decode()  # shown once


@pytest.mark.parametrize("slides", [3, 30])
def test_a_signed_in_slide_costs_the_session_one_read_and_one_write(
    build_course, learner, slides, django_assert_max_num_queries
):
    module = build_course(sections=2, slides=slides, questions=2)
    client = signed_in(learner)
    Client().get(slide_url(module, 1, 1))  # the content caches are warm, as on a site in use
    Client().get(slide_url(module, 1, 2))
    client.get(slide_url(module, 1, 1))
    client.get(slide_url(module, 1, 1))
    # The process has read this learner's session before: the session's row comes with the learner's
    # state, in one query (accounts.sessions, progress.reader).
    with django_assert_max_num_queries(1):  # a refresh: the session and the learner's state (no write)
        assert client.get(slide_url(module, 1, 1)).status_code == 200
    # Moving on to an unread slide: the session with the state, the one INSERT (with the learner's progress row
    # in the same statement on PostgreSQL; on SQLite, which has no INSERT inside WITH, a second statement).
    with django_assert_max_num_queries(2 if connection.vendor == "postgresql" else 3):
        assert client.get(slide_url(module, 1, 2)).status_code == 200
    with django_assert_max_num_queries(2):  # going back: the session with the state, the one UPDATE
        assert client.get(slide_url(module, 1, 1)).status_code == 200
    # A session this process has not read yet (another worker signed them in): read first, as before.
    forget_sessions()
    with django_assert_max_num_queries(2):  # the session, then the learner's state
        assert client.get(slide_url(module, 1, 1)).status_code == 200


def test_the_overview_section_page_and_hand_out_are_the_full_rendering(course, learner_factory, site_staff,
                                                                       quiz_answers):
    learner = learner_factory()
    client = signed_in(learner)
    quiz = course.sections.get(number=1).quiz
    pages = [course.get_absolute_url(), "/", reverse("sections:section", args=[course.slug, 1]),
             reverse("sections:section", args=[course.slug, 2]), reverse("courses:handout", args=[course.slug])]
    for step in ("nothing read", "reading", "section 1 done"):
        if step == "reading":
            client.get(slide_url(course, 1, 2))
        if step == "section 1 done":
            for position in (1, 3):
                client.get(slide_url(course, 1, position))
            attempt, _ = quiz_services.attempt_start(quiz=quiz, user=learner)
            client.post(attempt.get_absolute_url(), quiz_answers(attempt))
        for who in (client, signed_in(site_staff)):
            for url in pages:
                fast = who.get(url).content.decode()
                full = who.get(url + "?volledig=1").content.decode()
                assert normalised(fast) == normalised(full), (step, url)
                assert "<!--slot:" not in fast and "<!--tick:" not in fast
    overview = client.get(course.get_absolute_url()).content.decode()
    assert "Verder waar je gebleven was" in overview and "Quiz gehaald" in overview
    section = client.get(reverse("sections:section", args=[course.slug, 1])).content.decode()
    assert section.count(TICK) == 3 and "Je hebt deze sectie afgerond" in section and "section-list__tick" in section
    other = signed_in(learner_factory())
    assert "Verder waar je gebleven was" not in other.get(course.get_absolute_url()).content.decode()
    fresh = other.get(reverse("sections:section", args=[course.slug, 1])).content.decode()
    assert TICK not in fresh and "section-list__tick" not in fresh


def test_a_completed_module_shows_the_certificate_on_the_overview(course, learner, quiz_answers, cohort_factory,
                                                                   enrollment_factory):
    enrollment_factory(cohort=cohort_factory(module=course), user=learner)
    client = signed_in(learner)
    for section in course.sections.all():
        for position in (1, 2, 3):
            client.get(slide_url(course, section.number, position))
        attempt, _ = quiz_services.attempt_start(quiz=section.quiz, user=learner)
        client.post(attempt.get_absolute_url(), quiz_answers(attempt))
    overview = client.get(course.get_absolute_url()).content.decode()
    assert "Je certificaat staat klaar" in overview and "Je certificaat en wat nu" in overview


def test_the_signed_in_home_page_is_the_module_the_content_says_on_the_next_request(build_module, learner,
                                                                                 django_assert_max_num_queries):
    """The home page shows the first module by number. Its signed-in fast path reads the learner's state
    for the module it last knew as the home page's and checks that guess against the content version:
    a new first module (a renumbering, a new module, a deletion) shows on the very next request."""
    first = build_module(sections=1, slides=2, title="Eerste module")
    later = build_module(sections=1, slides=2, title="Latere module")
    client = signed_in(learner)
    client.get(slide_url(later, 1, 1))  # read in the later module only
    home = client.get("/").content.decode()
    assert "Eerste module" in home and "Verder waar je gebleven was" not in home
    with django_assert_max_num_queries(2):  # warm: the session, the learner's state
        assert client.get("/").status_code == 200
    first.number = later.number + 1
    first.save()
    home = client.get("/").content.decode()
    assert "Latere module" in home and "Verder waar je gebleven was" in home
    assert normalised(home) == normalised(client.get("/?volledig=1").content.decode())
    with django_assert_max_num_queries(2):
        assert client.get("/").status_code == 200
    later.delete()
    home = client.get("/").content.decode()
    assert "Eerste module" in home and "Verder waar je gebleven was" not in home
    first.delete()
    assert "nog geen module" in client.get("/").content.decode()
    build_module(sections=1, slides=1, title="Nieuwe module")  # known as "no module" until now
    home = client.get("/").content.decode()
    assert "Nieuwe module" in home
    assert normalised(home) == normalised(client.get("/?volledig=1").content.decode())


@pytest.mark.parametrize("slides", [3, 30])
def test_signed_in_overview_section_and_hand_out_cost_the_session_and_one_read(
    build_course, learner, slides, django_assert_max_num_queries
):
    module = build_course(sections=3, slides=slides, questions=2)
    client = signed_in(learner)
    client.get(slide_url(module, 1, 1))
    pages = [module.get_absolute_url(), "/", reverse("sections:section", args=[module.slug, 2]),
             reverse("courses:handout", args=[module.slug])]
    for url in pages:
        Client().get(url)
        client.get(url)  # warm: the shared rendering exists (another learner was here since the last edit)
        with django_assert_max_num_queries(1):  # the session with the learner's state (this process read it before)
            assert client.get(url).status_code == 200
        forget_sessions()
        with django_assert_max_num_queries(2):  # a process that has not read it: the session, the learner's state
            assert client.get(url).status_code == 200


def test_the_signed_in_hand_out_is_gzipped_from_parts_with_the_token_apart(course, learner_factory):
    import gzip

    a, b = signed_in(learner_factory()), signed_in(learner_factory())
    url = reverse("courses:handout", args=[course.slug])
    pages = []
    for client in (a, b, a):
        client.get(url)
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        assert response["Content-Encoding"] == "gzip" and "accept-encoding" in response["Vary"].lower()
        # Not compressed again by GZipMiddleware, whose header carries a random file name (FNAME flag).
        assert response.content[3] == 0
        html = gzip.decompress(response.content).decode()
        plain = client.get(url).content.decode()  # the same page, not compressed
        assert normalised(html) == normalised(plain)
        assert normalised(html) == normalised(client.get(url + "?volledig=1").content.decode())
        pages.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1])
    assert len(set(pages)) == 3  # a fresh masked token every time, for each learner
    assert "Uitloggen" in html and "<!--slot:" not in html


@pytest.mark.parametrize("path", [
    "/module/{slug}/sectie/1/slide/99/",           # no such slide
    "/module/{slug}/sectie/99/slide/1/",           # no such section
    "/module/{slug}/sectie/1/slide/0/",            # positions start at 1
    "/module/{slug}/sectie/1/slide/99999999999999999999999/",  # beyond 64 bits
    "/module/geen-module/sectie/1/slide/1/",       # no such module
    "/module/geen-module/",
    "/module/geen-module/hand-out/",
    "/module/{slug}/sectie/99/",
])
def test_the_fast_path_answers_bad_addresses_with_a_4xx_and_records_nothing(course, learner_factory, path):
    """The shared rendering is only taken for a page that exists: a wrong address gets the same 404 (or
    400 for a number no database column holds) as on Django's own path, and no reading record."""
    client = signed_in(learner_factory())
    client.get(slide_url(course, 1, 1))  # the shared rendering is warm
    before = SlideView.objects.count()
    response = client.get(path.format(slug=course.slug))
    assert response.status_code in (400, 404), response.status_code
    assert SlideView.objects.count() == before


def _seen_session(client, url):
    """Two requests: the first reads the session on its own, the second with the learner's state."""
    client.get(url)
    return client.get(url)


@pytest.mark.parametrize("how", ["logged out elsewhere", "expired", "password changed"])
@pytest.mark.parametrize("kind", ["slide", "home", "overview", "hand-out"])
def test_a_session_read_with_the_learners_state_is_what_the_database_says_now(course, learner, how, kind):
    """The process remembers whose session it read (accounts.sessions) and reads the session's row with
    that learner's state; the row decides. A session ended, expired or made invalid since: not signed in."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = signed_in(learner)
    url = {"slide": slide_url(course, 1, 2), "home": "/", "overview": course.get_absolute_url(),
           "hand-out": reverse("courses:handout", args=[course.slug])}[kind]
    assert "Uitloggen" in _seen_session(client, url).content.decode()
    key = client.cookies["sessionid"].value
    if how == "logged out elsewhere":
        Session.objects.filter(session_key=key).delete()
    elif how == "expired":
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    else:
        learner.set_password("Een-nieuw-wachtwoord-2026")
        learner.save()
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Uitloggen" not in html and "Inloggen" in html
    assert "public" not in response.get("Cache-Control", "")
    assert client.get(reverse("dashboard")).status_code == 302  # signed out for every page


def test_a_wrong_guess_of_whose_session_it_is_reads_the_right_learners_state(
    course, learner_factory, django_assert_max_num_queries
):
    """Should the remembered user be wrong, the session's row says so and the right learner's state is read."""
    reader, other = learner_factory(), learner_factory()
    client = signed_in(reader)
    for position in (1, 2, 3):
        client.get(slide_url(course, 1, position))
    url = slide_url(course, 2, 1)
    expected = meter(_seen_session(client, url).content.decode())
    key = client.cookies["sessionid"].value
    digest = session_store._digest(key)
    assert session_store._GUESSES[digest] == str(reader.pk)
    session_store._GUESSES[digest] = str(other.pk)  # the process remembers the wrong learner
    with django_assert_max_num_queries(2):  # the session with the wrong state, then the right state
        html = client.get(url).content.decode()
    assert meter(html) == expected != "0"
    assert session_store._GUESSES[digest] == str(reader.pk)  # put right by the row it read


def test_the_sessions_a_process_remembers_are_bounded_and_forgotten_when_ended(course, learner_factory, monkeypatch):
    """accounts.sessions keeps at most _GUESSES_MAX sessions (the oldest read goes first), and forgets one
    whose row it finds gone; a remembered session costs nothing more than one that is not."""
    monkeypatch.setattr(session_store, "_GUESSES_MAX", 2)
    forget_sessions()
    clients = [signed_in(learner_factory()) for _ in range(3)]
    url = slide_url(course, 1, 1)
    for client in clients:
        client.get(url)
    digests = [session_store._digest(client.cookies["sessionid"].value) for client in clients]
    assert list(session_store._GUESSES) == digests[1:]  # the first read is the first forgotten
    assert "Uitloggen" in clients[0].get(url).content.decode()  # forgotten only by this process: read again
    assert list(session_store._GUESSES) == [digests[2], digests[0]]
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=clients[2].cookies["sessionid"].value).delete()
    assert "Uitloggen" not in clients[2].get(url).content.decode()
    assert digests[2] not in session_store._GUESSES
