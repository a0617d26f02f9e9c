"""Reads for the idea wall: one session as one person sees it, in a fixed number of queries.

What a learner sees follows the phase (``Wall``): while collecting, their own ideas and
a count of everyone's (no anchoring on others' words); from the reveal on, all ideas,
shuffled once per idea so the order does not favour the quickest typists; from
clustering on, grouped by cluster. Names: a learner who posted anonymously is
"Anoniem" to peers; leaders always see who wrote what. Dot totals appear from the
actions phase on: during voting a learner sees only their own dots (no bandwagon).

``wall()`` runs 6 queries whatever the number of ideas, votes or learners (pinned in
tests/test_ideas.py): ideas with authors, clusters, dot totals, the viewer's dots,
participants, and the cohort's learners.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from centres.models import Enrollment

from .access import TAKING_PART
from .models import Cluster, Idea, Kind, Participant, Phase, Session, Vote

ANONYMOUS = _("Anoniem")

# The slides of module 6 that practise on the wall, by slug (section 2), and the kinds of session they fit.
SLIDE_KINDS = {
    "basisregels-1-2": [Kind.BRAINSTORM],
    "basisregels-3-4": [Kind.BRAINSTORM],
    "ontwerpsprint-organiseren": [Kind.SPRINT_UNDERSTAND, Kind.SPRINT_DEFINE, Kind.SPRINT_IDEATE, Kind.SPRINT_PROTOTYPE, Kind.SPRINT_TEST],
    "sprint-01-begrijpen": [Kind.SPRINT_UNDERSTAND],
    "sprint-02-definieer": [Kind.SPRINT_DEFINE],
    "sprint-03-idee": [Kind.SPRINT_IDEATE, Kind.BRAINSTORM],
    "korte-activiteit-spel": [Kind.WORST_IDEA],
    "sprint-04-prototype": [Kind.SPRINT_PROTOTYPE],
    "sprint-05-test": [Kind.SPRINT_TEST],
}


@dataclass
class Card:
    idea: Idea
    number: int
    author_label: str
    author_real: str
    is_mine: bool
    depth: int = 0
    parent_card: "Card | None" = None
    dots: int = 0
    my_dots: int = 0
    merged: list = field(default_factory=list)

    @property
    def pk(self):
        return self.idea.pk


@dataclass
class Person:
    name: str
    email: str
    ideas: int = 0
    builds: int = 0
    is_ready: bool = False


@dataclass
class Wall:
    session: Session
    is_leader: bool
    cards: list  # visible cards (not hidden to this viewer, not merged), in display order
    threads: list  # list of lists of cards: a root and its builds (depth-first)
    clusters: list  # (cluster or None, [cards])
    own_cards: list  # the viewer's own ideas (collect phase), hidden ones included with reason
    hidden_cards: list  # leaders: the hidden ideas
    total_ideas: int
    people: list  # the cohort's learners with their counts (leaders only get names)
    posted_count: int
    ready_count: int
    learner_count: int
    me: Participant | None
    all_cards: dict

    @property
    def not_posted(self):
        return [p for p in self.people if p.ideas + p.builds == 0]

    @property
    def goal_percent(self) -> int:
        goal = self.session.goal or 1
        return min(100, round(100 * self.total_ideas / goal))

    @property
    def dots_left(self) -> int:
        if self.me is None or (self.me.dots_budget == 0 and self.me.dots_used == 0):
            return self.session.dot_budget
        return self.me.dots_left

    @property
    def shows_totals(self) -> bool:
        return self.session.phase_at_least(Phase.ACTIONS)

    @property
    def chosen(self):
        return [c for c in self.cards if c.idea.is_chosen]

    @property
    def turnarounds(self):
        return [c for c in self.cards if c.idea.relation == Idea.Relation.TURNAROUND]


def _label(idea: Idea, *, is_leader: bool, viewer_id) -> tuple[str, str]:
    real = str(idea.author)
    if idea.is_anonymous and not is_leader and idea.author_id != viewer_id:
        return str(ANONYMOUS), real
    if idea.is_anonymous and (is_leader or idea.author_id == viewer_id):
        return _("%(name)s (anoniem voor de groep)") % {"name": real}, real
    return real, real


def wall(*, session: Session, viewer, is_leader: bool) -> Wall:
    ideas = list(
        Idea.objects.filter(session=session)
        .select_related("author")
        .only(
            "pk", "session_id", "text", "is_anonymous", "is_wild", "relation", "parent_id", "cluster_id", "merged_into_id",
            "hidden_reason", "is_hidden", "is_chosen", "shuffle_key", "created_at", "author_id",
            "author__name", "author__email",
        )
        .order_by("created_at", "pk")
    )
    clusters = list(Cluster.objects.filter(session=session))
    totals = Counter(dict(Vote.objects.filter(session=session).values_list("idea_id").annotate(n=Count("pk")).values_list("idea_id", "n")))
    me = None
    participants = list(Participant.objects.filter(session=session).values_list("user_id", "is_ready", "pk", "dots_budget", "dots_used"))
    for user_id, is_ready, pk, budget, used in participants:
        if user_id == viewer.pk:
            me = Participant(pk=pk, session=session, user_id=user_id, is_ready=is_ready, dots_budget=budget, dots_used=used)
    mine = Counter(Vote.objects.filter(session=session, participant__user_id=viewer.pk).values_list("idea_id", flat=True))
    ready_ids = {user_id for user_id, is_ready, *_ in participants if is_ready}

    cards = {}
    for number, idea in enumerate(ideas, start=1):
        label, real = _label(idea, is_leader=is_leader, viewer_id=viewer.pk)
        cards[idea.pk] = Card(
            idea=idea, number=number, author_label=label, author_real=real, is_mine=idea.author_id == viewer.pk,
            dots=totals.get(idea.pk, 0), my_dots=mine.get(idea.pk, 0),
        )
    for card in cards.values():
        if card.idea.parent_id:
            card.parent_card = cards.get(card.idea.parent_id)
        if card.idea.merged_into_id and card.idea.merged_into_id in cards:
            cards[card.idea.merged_into_id].merged.append(card)

    def visible(card):
        return not card.idea.merged_into_id and not card.idea.is_hidden

    shown = [c for c in cards.values() if visible(c)]
    revealed = session.phase != Phase.COLLECT or is_leader
    if not revealed:
        shown = []
    shown.sort(key=lambda c: (c.idea.shuffle_key, c.pk) if session.phase != Phase.COLLECT else (c.number,))

    children = defaultdict(list)
    for card in shown:
        if card.parent_card is not None and visible(card.parent_card):
            children[card.parent_card.pk].append(card)
    threads = []

    def walk(card, depth, into):
        card.depth = depth
        into.append(card)
        for child in sorted(children.get(card.pk, []), key=lambda c: c.number):
            walk(child, min(depth + 1, 3), into)

    for card in shown:
        if card.parent_card is None or not visible(card.parent_card):
            thread = []
            walk(card, 0, thread)
            threads.append(thread)

    by_cluster = defaultdict(list)
    for card in shown:
        by_cluster[card.idea.cluster_id].append(card)
    grouped = [(cluster, by_cluster.get(cluster.pk, [])) for cluster in clusters]
    grouped.append((None, by_cluster.get(None, [])))
    if session.phase_at_least(Phase.ACTIONS):
        for _cluster, group in grouped:
            group.sort(key=lambda c: (-c.dots, c.number))

    learners = list(
        Enrollment.objects.filter(cohort_id=session.cohort_id, status__in=TAKING_PART)
        .select_related("user")
        .only("user__name", "user__email", "user_id", "cohort_id", "status")
        .order_by("user__name", "user__email")
    )
    counts = defaultdict(Counter)
    for idea in ideas:
        counts[idea.author_id]["builds" if idea.relation != Idea.Relation.NEW else "ideas"] += 1
    people = [
        Person(
            name=str(e.user), email=e.user.email, ideas=counts[e.user_id]["ideas"], builds=counts[e.user_id]["builds"],
            is_ready=e.user_id in ready_ids,
        )
        for e in learners
    ] if is_leader else []
    learner_ids = {e.user_id for e in learners}
    return Wall(
        session=session,
        is_leader=is_leader,
        cards=shown,
        threads=threads,
        clusters=grouped,
        own_cards=[c for c in cards.values() if c.is_mine],
        hidden_cards=[c for c in cards.values() if c.idea.is_hidden] if is_leader else [],
        total_ideas=sum(1 for c in cards.values() if not c.idea.merged_into_id and not c.idea.is_hidden),
        people=people,
        posted_count=len({i.author_id for i in ideas} & learner_ids),
        ready_count=len(ready_ids & learner_ids),
        learner_count=len(learners),
        me=me,
        all_cards=cards,
    )


def sessions_for_cohort(cohort):
    """A cohort's sessions with their idea counts (one query)."""
    return Session.objects.filter(cohort=cohort).annotate(
        idea_count=Count("ideas", filter=Q(ideas__merged_into__isnull=True, ideas__is_hidden=False))
    )


def sessions_for_learner(user):
    """The sessions of the cohorts a learner takes part in, open ones first (one query)."""
    if not user.is_authenticated:
        return Session.objects.none()
    cohorts = Enrollment.objects.filter(user=user, status__in=TAKING_PART).values("cohort_id")
    return (
        Session.objects.filter(cohort_id__in=cohorts)
        .select_related("cohort")
        .annotate(idea_count=Count("ideas", filter=Q(ideas__merged_into__isnull=True, ideas__is_hidden=False)))
        .annotate(is_closed=Case(When(phase=Phase.CLOSED, then=Value(1)), default=Value(0)))
        .order_by("is_closed", "-created_at")
    )


@dataclass
class SlideInvite:
    """What a slide about brainstorming shows a visitor: the way to their group's session."""

    in_cohort: bool
    sessions: list


def slide_invite(*, user, slide_slug: str) -> SlideInvite | None:
    """None for slides that are not about the wall (no query). For a signed-in learner:
    the open sessions of their cohorts, the ones that fit this slide first (one query)."""
    kinds = SLIDE_KINDS.get(slide_slug)
    if kinds is None:
        return None
    if not user.is_authenticated:
        return SlideInvite(in_cohort=False, sessions=[])
    rows = list(
        Session.objects.open()
        .filter(cohort__enrollments__user=user, cohort__enrollments__status__in=TAKING_PART)
        .select_related("cohort")
        .order_by("-created_at")[:20]
    )
    in_cohort = bool(rows) or Enrollment.objects.filter(user=user, status__in=TAKING_PART).exists()
    rows.sort(key=lambda s: (s.kind not in kinds,))
    return SlideInvite(in_cohort=in_cohort, sessions=rows[:3])


def contribution_count(*, cohort, user_ref, builds: bool):
    """A subquery for the cohort dashboard (no extra query): how many ideas (``builds=False``)
    or builds and turn-arounds (``builds=True``) the learner ``user_ref`` posted in the cohort's
    sessions. Merged duplicates still count for their author; hidden ideas too (they were posted)."""
    relation = ~Q(relation=Idea.Relation.NEW) if builds else Q(relation=Idea.Relation.NEW)
    counted = (
        Idea.objects.filter(relation, session__cohort=cohort, author_id=user_ref)
        .order_by()
        .values("author_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
