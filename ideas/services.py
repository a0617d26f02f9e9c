"""Every write to the idea wall, with the brainstorm's rules enforced here, not in the page.

The rules (module 6, slides 2.7 and 2.8) and where they live:
1. as many ideas as possible — the goal shown while collecting (``Session.goal``);
2. no criticism — while collecting nobody sees another's text, and there is nothing
   to respond with but an idea: no comments at all, votes only in the voting phase;
3. wild ideas welcome — the "wild idee" tag;
4. build on each other's ideas — a build is a new idea with a parent, never a comment.

Concurrency: a write that depends on the phase locks the session row first
(``select_for_update``), and the trainer's phase change takes the same lock, so an
idea is either saved in the phase it was written in or refused with its text kept —
never lost. A dot locks the learner's :class:`Participant` row; their budget is also a
check constraint, the last line of defence. Every write bumps ``Session.version``.
"""
import datetime
import random

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    IDEA_MAX_LENGTH,
    MAX_DOT_BUDGET,
    PHASE_ORDER,
    Cluster,
    Idea,
    Kind,
    Participant,
    Phase,
    Session,
    Vote,
)

# No flooding: at most this many ideas per learner per session in this many seconds.
RATE_LIMIT_IDEAS = 10
RATE_LIMIT_SECONDS = 60


class IdeaRefused(Exception):
    """A write the rules don't allow now; ``message`` says why, in words for the learner."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _bump(session_pk: int) -> None:
    Session.objects.filter(pk=session_pk).update(version=F("version") + 1)


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


def _has_ended(session: Session, now=None) -> bool:
    return session.ends_at is not None and session.ends_at <= (now or timezone.now())


@transaction.atomic
def session_create(*, cohort, by, kind: str, problem: str, goal: int = 30, dot_budget: int = 5, ends_at=None) -> Session:
    if kind not in Kind.values:
        raise IdeaRefused(_("Kies een soort sessie."))
    if not 1 <= dot_budget <= MAX_DOT_BUDGET:
        raise IdeaRefused(_("Het aantal stippen ligt tussen 1 en %(max)s.") % {"max": MAX_DOT_BUDGET})
    return Session.objects.create(
        cohort=cohort, created_by=by, kind=kind, problem=problem.strip(), goal=goal, dot_budget=dot_budget, ends_at=ends_at
    )


@transaction.atomic
def phase_move(*, session: Session, by, to: str) -> Session:
    """The trainer moves the session one phase forward or back (never skips: each phase
    has its own rule, and a skipped reveal would leave the group voting on unseen ideas)."""
    session = _locked(session)
    if to not in PHASE_ORDER:
        raise IdeaRefused(_("Onbekende fase."))
    if abs(PHASE_ORDER.index(to) - session.phase_index) != 1:
        raise IdeaRefused(_("De sessie is intussen al naar een andere fase gegaan."))
    session.phase = to
    session.phase_changed_at = timezone.now()
    session.version = F("version") + 1
    session.save(update_fields=["phase", "phase_changed_at", "version"])
    session.refresh_from_db(fields=["version"])
    return session


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise IdeaRefused(_("Schrijf eerst je idee op."))
    if len(text) > IDEA_MAX_LENGTH:
        raise IdeaRefused(_("Een idee is hoogstens %(max)s tekens lang.") % {"max": IDEA_MAX_LENGTH})
    return text


@transaction.atomic
def idea_post(
    *, session: Session, author, text: str, is_anonymous=False, is_wild=False, parent: Idea | None = None, now=None
) -> Idea:
    """A learner's idea: a new one while collecting, a build on ``parent`` while building on,
    or (the icebreaker, in the actions phase) the turn-around of a bad idea."""
    text = _check_text(text)
    session = _locked(session)
    now = now or timezone.now()
    if _has_ended(session, now):
        raise IdeaRefused(_("De tijd voor deze sessie is om."))
    if parent is None:
        relation = Idea.Relation.NEW
        if session.phase != Phase.COLLECT:
            raise IdeaRefused(_("Nieuwe ideeën kunnen alleen tijdens het verzamelen. De trainer is al verder gegaan."))
    else:
        if parent.session_id != session.pk or parent.is_hidden or parent.merged_into_id:
            raise IdeaRefused(_("Op dat idee kun je niet (meer) reageren."))
        if session.phase == Phase.BUILD:
            relation = Idea.Relation.BUILD
        elif session.phase == Phase.ACTIONS and session.kind == Kind.WORST_IDEA:
            if parent.relation == Idea.Relation.TURNAROUND:
                raise IdeaRefused(_("Een omgekeerd idee keer je niet nog eens om: kies een slecht idee."))
            relation = Idea.Relation.TURNAROUND
        else:
            raise IdeaRefused(_("Voortbouwen op een idee kan alleen in de fase Voortbouwen."))
    recent = Idea.objects.filter(
        session=session, author=author, created_at__gte=now - datetime.timedelta(seconds=RATE_LIMIT_SECONDS)
    ).count()
    if recent >= RATE_LIMIT_IDEAS:
        raise IdeaRefused(
            _("Rustig aan: je plaatste net %(count)s ideeën binnen een minuut. Probeer het zo opnieuw; je tekst staat er nog.")
            % {"count": recent}
        )
    idea = Idea.objects.create(
        session=session,
        author=author,
        text=text,
        is_anonymous=bool(is_anonymous),
        is_wild=bool(is_wild),
        parent=parent,
        relation=relation,
        shuffle_key=random.SystemRandom().randrange(1, 2**31),
    )
    _bump(session.pk)
    return idea


@transaction.atomic
def ready_set(*, session: Session, user, ready: bool) -> Participant:
    """ "Ik ben klaar" (or not any more), for the trainer's overview."""
    participant, _created = Participant.objects.get_or_create(session=session, user=user)
    Participant.objects.filter(pk=participant.pk).update(is_ready=ready)
    participant.is_ready = ready
    _bump(session.pk)
    return participant


def _leader_phase(session: Session, allowed: set[str]) -> None:
    if session.phase not in allowed:
        raise IdeaRefused(_("Dat kan niet in deze fase."))


@transaction.atomic
def idea_hide(*, idea: Idea, by, reason: str) -> Idea:
    """The trainer hides an idea from the group; its author sees it hidden, with the reason.
    Dots already on it are given back (the budget stays the same, the dots are free again)."""
    reason = (reason or "").strip()
    if not reason:
        raise IdeaRefused(_("Geef een reden: de schrijver van het idee ziet die."))
    _leader_phase(_locked(idea.session), set(PHASE_ORDER) - {Phase.CLOSED})
    # Dots on an idea that leaves the wall go back to their owners, to spend on another.
    spent = Vote.objects.filter(idea=idea).values("participant_id").annotate(n=Count("pk")).values_list("participant_id", "n")
    for participant_id, n in spent:
        Participant.objects.filter(pk=participant_id).update(dots_used=F("dots_used") - n)
    Vote.objects.filter(idea=idea).delete()
    Idea.objects.filter(pk=idea.pk).update(is_hidden=True, hidden_reason=reason[:200])
    _bump(idea.session_id)
    idea.refresh_from_db()
    return idea


@transaction.atomic
def idea_unhide(*, idea: Idea, by) -> Idea:
    _leader_phase(_locked(idea.session), set(PHASE_ORDER) - {Phase.CLOSED})
    Idea.objects.filter(pk=idea.pk).update(is_hidden=False, hidden_reason="")
    _bump(idea.session_id)
    idea.refresh_from_db()
    return idea


@transaction.atomic
def idea_merge(*, duplicate: Idea, into: Idea, by) -> Idea:
    """Two ideas that say the same: ``duplicate`` goes under ``into`` (both authors stay
    credited); its builds and dots move along, so nothing anyone did is lost."""
    _leader_phase(_locked(duplicate.session), {Phase.REVEAL, Phase.BUILD, Phase.CLUSTER, Phase.VOTE, Phase.ACTIONS})
    duplicate = Idea.objects.select_for_update().get(pk=duplicate.pk)
    into = Idea.objects.select_for_update().get(pk=into.pk)
    if duplicate.pk == into.pk or duplicate.session_id != into.session_id:
        raise IdeaRefused(_("Kies twee verschillende ideeën van deze sessie."))
    if duplicate.merged_into_id or into.merged_into_id:
        raise IdeaRefused(_("Een van beide ideeën is al samengevoegd."))
    # An idea can't be merged into one of its own builds (or the other way round): that would make a loop.
    ancestor = into
    while ancestor.parent_id:
        if ancestor.parent_id == duplicate.pk:
            raise IdeaRefused(_("Een idee kan niet samengaan met een idee dat erop voortbouwt."))
        ancestor = Idea.objects.only("parent_id").get(pk=ancestor.parent_id)
    Idea.objects.filter(parent=duplicate).update(parent=into)
    Idea.objects.filter(merged_into=duplicate).update(merged_into=into)
    Vote.objects.filter(idea=duplicate).update(idea=into)
    Idea.objects.filter(pk=duplicate.pk).update(merged_into=into, cluster=None)
    _bump(duplicate.session_id)
    duplicate.refresh_from_db()
    return duplicate


CLUSTER_PHASES = {Phase.CLUSTER, Phase.VOTE, Phase.ACTIONS}


@transaction.atomic
def cluster_create(*, session: Session, by, name: str) -> Cluster:
    name = (name or "").strip()[:80]
    if not name:
        raise IdeaRefused(_("Geef het cluster een naam."))
    session = _locked(session)
    _leader_phase(session, CLUSTER_PHASES)
    if session.clusters.filter(name__iexact=name).exists():
        raise IdeaRefused(_("Er is al een cluster met die naam."))
    try:
        with transaction.atomic():
            cluster = Cluster.objects.create(session=session, name=name, position=session.clusters.count() + 1)
    except IntegrityError:
        raise IdeaRefused(_("Er is al een cluster met die naam.")) from None
    _bump(session.pk)
    return cluster


@transaction.atomic
def cluster_assign(*, idea: Idea, cluster: Cluster | None, by) -> Idea:
    _leader_phase(_locked(idea.session), CLUSTER_PHASES)
    if cluster is not None and cluster.session_id != idea.session_id:
        raise IdeaRefused(_("Dat cluster hoort bij een andere sessie."))
    Idea.objects.filter(pk=idea.pk).update(cluster=cluster)
    _bump(idea.session_id)
    idea.cluster = cluster
    return idea


@transaction.atomic
def cluster_delete(*, cluster: Cluster, by) -> None:
    """The cluster goes; its ideas stay, back among the ideas not yet grouped."""
    _leader_phase(_locked(cluster.session), CLUSTER_PHASES)
    cluster.delete()
    _bump(cluster.session_id)


class BudgetSpent(IdeaRefused):
    pass


def _participant_locked(session: Session, user) -> Participant:
    try:
        with transaction.atomic():
            Participant.objects.get_or_create(session=session, user=user)
    except IntegrityError:  # created by a parallel request in the meantime
        pass
    return Participant.objects.select_for_update().get(session=session, user=user)


@transaction.atomic
def vote_add(*, idea: Idea, user) -> Participant:
    """One dot on ``idea``. The budget is the session's when this learner first votes
    (and the session's budget can't change once voting has started)."""
    session = Session.objects.get(pk=idea.session_id)
    if session.phase != Phase.VOTE:
        raise IdeaRefused(_("Stemmen kan alleen in de fase Stemmen."))
    if idea.is_hidden or idea.merged_into_id:
        raise IdeaRefused(_("Op dit idee kun je niet stemmen."))
    participant = _participant_locked(session, user)
    if participant.dots_budget == 0 and participant.dots_used == 0:
        participant.dots_budget = session.dot_budget
        Participant.objects.filter(pk=participant.pk).update(dots_budget=session.dot_budget)
    if participant.dots_used >= participant.dots_budget:
        raise BudgetSpent(
            _("Je hebt al je %(budget)s stippen gebruikt. Haal er eerst een weg als je anders wilt kiezen.")
            % {"budget": participant.dots_budget}
        )
    Vote.objects.create(session=session, idea=idea, participant=participant)
    Participant.objects.filter(pk=participant.pk).update(dots_used=F("dots_used") + 1)
    participant.dots_used += 1
    _bump(session.pk)
    return participant


@transaction.atomic
def vote_remove(*, idea: Idea, user) -> Participant:
    session = Session.objects.get(pk=idea.session_id)
    if session.phase != Phase.VOTE:
        raise IdeaRefused(_("Stemmen kan alleen in de fase Stemmen."))
    participant = _participant_locked(session, user)
    vote = Vote.objects.filter(idea=idea, participant=participant).order_by("-pk").first()
    if vote is None:
        raise IdeaRefused(_("Je had geen stip op dit idee."))
    vote.delete()
    Participant.objects.filter(pk=participant.pk).update(dots_used=F("dots_used") - 1)
    participant.dots_used -= 1
    _bump(session.pk)
    return participant


@transaction.atomic
def idea_choose(*, idea: Idea, by, chosen: bool) -> Idea:
    """The trainer marks an idea as chosen (to work on; in the icebreaker: the worst, to turn around)."""
    _leader_phase(_locked(idea.session), {Phase.ACTIONS})
    Idea.objects.filter(pk=idea.pk).update(is_chosen=chosen)
    _bump(idea.session_id)
    idea.is_chosen = chosen
    return idea


@transaction.atomic
def next_steps_set(*, session: Session, by, text: str) -> Session:
    session = _locked(session)
    _leader_phase(session, {Phase.ACTIONS})
    Session.objects.filter(pk=session.pk).update(next_steps=(text or "").strip()[:2000], version=F("version") + 1)
    session.refresh_from_db()
    return session
