"""HTTP done right for the reading pages: compressed, cacheable for anonymous readers, revalidated
with ETag/Last-Modified, no cookie on an anonymous page, never public for a signed-in one."""
import gzip

import pytest
from django.test import Client
from django.urls import reverse

from sections.models import Slide

pytestmark = pytest.mark.usefixtures("clear_cache")


def slide_url(module, number, position):
    return reverse("sections:slide", args=[module.slug, number, position])


@pytest.fixture
def module(build_module):
    return build_module(sections=2, slides=3, resources=1)


def reading_pages(module):
    return ["/", module.get_absolute_url(), module.sections.get(number=1).get_absolute_url(),
            slide_url(module, 1, 2), reverse("courses:handout", args=[module.slug])]


def test_anonymous_reading_pages_are_public_with_validators_and_no_cookie(client, module):
    for url in reading_pages(module):
        for attempt in ("cold", "warm"):
            response = client.get(url)
            assert response.status_code == 200, url
            cache_control = response["Cache-Control"]
            assert "public" in cache_control and "max-age=0" in cache_control, (url, cache_control)
            assert "private" not in cache_control and "no-store" not in cache_control
            assert response["ETag"].startswith('W/"')
            assert response["Last-Modified"]
            vary = {v.strip().lower() for v in response["Vary"].split(",")}
            assert {"cookie", "accept-language"} <= vary, (url, attempt)
            assert not response.cookies, (url, attempt, response.cookies)
            html = response.content.decode()
            assert "csrfmiddlewaretoken" not in html


def test_revalidation_gets_304_until_the_content_changes(client, module):
    url = slide_url(module, 1, 2)
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag and "public" in not_modified["Cache-Control"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    Slide.objects.filter(section__module=module).update(body="Verbeterd door de trainer")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Verbeterd door de trainer" in changed.content.decode()


def test_a_304_costs_the_content_version_only(client, module, django_assert_max_num_queries):
    url = slide_url(module, 1, 2)
    etag = client.get(url)["ETag"]
    with django_assert_max_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_english_and_dutch_pages_have_their_own_etag(client, module):
    url = slide_url(module, 1, 2)
    dutch = client.get(url)
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = english.get(url)
    assert response["ETag"] != dutch["ETag"]
    assert english.get(url, HTTP_IF_NONE_MATCH=dutch["ETag"]).status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert '<html lang="nl">' in client.get(url).content.decode()


def test_html_is_gzipped_for_anonymous_and_signed_in_readers(client, module, learner):
    url = slide_url(module, 1, 2)
    plain = client.get(url).content
    for attempt in ("cold", "warm"):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response["Content-Encoding"] == "gzip", attempt
        assert "accept-encoding" in response["Vary"].lower()
        assert gzip.decompress(response.content) == plain
        assert len(response.content) < len(plain) / 2
    client.force_login(learner)
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Uitloggen" in gzip.decompress(response.content).decode()


def test_signed_in_pages_are_never_public(client, module, learner):
    client.force_login(learner)
    for url in reading_pages(module):
        response = client.get(url)
        assert response.status_code == 200
        assert "public" not in response["Cache-Control"], url
        assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"], url
        assert "Uitloggen" in response.content.decode()


def test_an_anonymous_page_with_a_message_is_private(client, module):
    from django.contrib.messages.storage.cookie import CookieStorage

    url = slide_url(module, 1, 2)
    client.get(url)  # cached publicly
    client.cookies[CookieStorage.cookie_name] = "iets"
    response = client.get(url)
    assert "private" in response["Cache-Control"]


def test_a_query_string_is_served_but_not_kept(client, module):
    from django.core.cache import cache

    url = slide_url(module, 1, 2)
    cache.clear()
    for n in range(5):
        assert client.get(f"{url}?x={n}").status_code == 200
    assert not [k for k in cache._cache if "page:" in k]  # only fragments, no whole pages
    client.get(url)
    assert [k for k in cache._cache if "page:" in k]


def test_language_links_set_the_cookie_and_return_to_the_page(client, module):
    url = slide_url(module, 1, 2)
    html = client.get(url).content.decode()
    link = f'{reverse("language", args=["en"])}?next={url}'
    assert f'href="{link}"' in html
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies["django_language"].value == "en"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "Skip to content" in client.get(url).content.decode()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""])
def test_language_link_never_leaves_the_site(client, next_url):
    response = client.get(reverse("language", args=["en"]), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"


def test_language_link_refuses_unknown_languages_and_posts(client):
    assert client.get(reverse("language", args=["xx"])).status_code == 404
    assert client.post(reverse("language", args=["en"])).status_code == 405


def test_the_quiz_page_may_use_the_back_forward_cache_and_the_answer_form_may_not(client, build_course, learner):
    from quizzes import services as quiz_services

    module = build_course(sections=1, slides=2, questions=2)
    client.force_login(learner)
    page = client.get(reverse("quizzes:quiz", args=[module.slug, 1]))
    assert page.status_code == 200
    rules = {part.strip() for part in page["Cache-Control"].split(",")}
    assert "no-store" not in rules  # a no-store page is never kept in the back/forward cache
    assert {"private", "no-cache"} <= rules and "public" not in rules
    assert "Cookie" in page["Vary"]
    attempt, _ = quiz_services.attempt_start(quiz=module.sections.get().quiz, user=learner)
    form = client.get(attempt.get_absolute_url())
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"] and "private" in form["Cache-Control"]
