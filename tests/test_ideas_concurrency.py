"""The idea wall under concurrency, on PostgreSQL: 30 learners voting at once, phase changes while posting.

Threads start together at a barrier, each with its own database connection, as
requests served at once would (the helper of tests/test_quiz_concurrency.py). SQLite
serialises every write, so these races cannot happen there and the tests are skipped.
"""
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from ideas import services
from ideas.models import Idea, Participant, Session, Vote
from tests.test_quiz_concurrency import run_together

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL; SQLite serialises all writes",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def thirty(idea_group, user_factory):
    from centres import services as centre_services

    learners = list(idea_group.learners)
    for n in range(27):
        user = user_factory(name=f"Deelnemer {n:02d}")
        centre_services.enroll(cohort=idea_group.cohort, user=user)
        learners.append(user)
    return learners


def test_thirty_learners_voting_at_once_never_exceed_their_budgets(idea_group, thirty):
    session = services.session_create(cohort=idea_group.cohort, by=idea_group.trainer, kind="brainstorm", problem="p", dot_budget=3)
    ideas = [services.idea_post(session=session, author=thirty[i], text=f"idee {i}") for i in range(4)]
    Session.objects.filter(pk=session.pk).update(phase="vote")

    # Each of 30 learners fires 5 dots at once (budget 3): two of every five must be refused.
    def vote(i):
        learner = thirty[i % 30]
        try:
            services.vote_add(idea=ideas[i % 4], user=learner)
            return "ok"
        except services.BudgetSpent:
            return "spent"

    results = []
    for _round in range(5):
        results += run_together(vote, count=30)
    assert all(r in ("ok", "spent") for r in results), [r for r in results if r not in ("ok", "spent")]
    assert results.count("ok") == 30 * 3 and results.count("spent") == 30 * 2
    for learner in thirty:
        p = Participant.objects.get(session=session, user=learner)
        assert p.dots_used == Vote.objects.filter(participant=p).count() == 3


def test_one_learner_in_many_tabs_gets_exactly_the_budget(idea_group):
    """The same learner's dots all at once (double clicks, many tabs): the row lock holds the line."""
    anna = idea_group.learners[0]
    session = services.session_create(cohort=idea_group.cohort, by=idea_group.trainer, kind="brainstorm", problem="p")
    idea = services.idea_post(session=session, author=anna, text="x")
    Session.objects.filter(pk=session.pk).update(phase="vote")
    url = reverse("ideas:vote", args=[session.pk, idea.pk])

    def tab(i):
        client = Client()
        client.force_login(anna)
        return client.post(url).status_code

    results = run_together(tab, count=12)
    assert results == [302] * 12, results
    assert Vote.objects.filter(participant__user=anna).count() == 5
    assert Participant.objects.get(user=anna).dots_used == 5


def test_phase_change_during_posting_loses_no_idea(idea_group, thirty):
    """Every idea a learner was told was saved is there; every refused one was refused in words
    (and its text stays in the learner's form), never silently dropped."""
    session = services.session_create(cohort=idea_group.cohort, by=idea_group.trainer, kind="brainstorm", problem="p")

    def act(i):
        if i == 15:
            services.phase_move(session=session, by=idea_group.trainer, to="reveal")
            return "moved"
        try:
            idea = services.idea_post(session=session, author=thirty[i], text=f"idee van {i}")
            return idea.pk
        except services.IdeaRefused:
            return "refused"

    results = run_together(act, count=30)
    saved = [r for r in results if isinstance(r, int)]
    assert results.count("moved") == 1
    assert len(saved) + results.count("refused") == 29
    assert sorted(Idea.objects.values_list("pk", flat=True)) == sorted(saved)
    session.refresh_from_db()
    assert session.phase == "reveal"
    assert session.version == 1 + len(saved) + 1  # every write bumped the version once: no lost update


def test_posting_through_the_page_while_the_trainer_moves_on(idea_group, thirty):
    session = services.session_create(cohort=idea_group.cohort, by=idea_group.trainer, kind="brainstorm", problem="p")
    post_url = reverse("ideas:post", args=[session.pk])
    phase_url = reverse("ideas:phase", args=[session.pk])

    def act(i):
        client = Client()
        if i == 0:
            client.force_login(idea_group.trainer)
            return ("trainer", client.post(phase_url, {"to": "reveal"}).status_code, "")
        client.force_login(thirty[i])
        response = client.post(post_url, {"text": f"Mijn idee nummer {i}"})
        return ("learner", response.status_code, response.content.decode() if response.status_code == 400 else "")

    results = run_together(act, count=20)
    posted = [r for r in results if r[0] == "learner" and r[1] == 302]
    refused = [r for r in results if r[0] == "learner" and r[1] == 400]
    assert len(posted) + len(refused) == 19
    assert Idea.objects.count() == len(posted)
    for _who, _status, html in refused:
        assert "De trainer is al verder gegaan" in html and "Mijn idee nummer" in html  # the text is kept
