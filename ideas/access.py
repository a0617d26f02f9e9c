"""Who may open a session of the idea wall, and as whom.

A session is for its cohort: the learners enrolled in it (active or completed) take
part; the cohort's trainers, its centre's managers and site staff lead it (the same
people who may open the cohort's pages, ``Cohort.objects.visible_to``). Anyone else
gets exactly the same 404 as for a session that does not exist, so that session
numbers can't be probed.
"""
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from centres.models import Cohort, Enrollment

from .models import Session

LEARNER = "learner"
LEADER = "leader"
TAKING_PART = [Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED]


@dataclass
class Seat:
    """A session as one person sees it: as a learner taking part or as someone leading it."""

    session: Session
    role: str

    @property
    def is_leader(self) -> bool:
        return self.role == LEADER

    @property
    def is_learner(self) -> bool:
        return self.role == LEARNER


def _not_found():
    return Http404("No such session.")


def get_seat_or_404(user, pk, *, for_update=False) -> Seat:
    """The session ``pk`` if ``user`` leads it or takes part in it; else the 404 of a missing one.

    Two queries: the session with its cohort, and one ``exists`` for the role."""
    if not user.is_authenticated or not user.is_active:
        raise _not_found()
    try:
        session = Session.objects.select_related("cohort__centre", "cohort__module").get(pk=pk)
    except (Session.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None
    if Cohort.objects.visible_to(user).filter(pk=session.cohort_id).exists():
        return Seat(session, LEADER)
    if Enrollment.objects.filter(cohort_id=session.cohort_id, user=user, status__in=TAKING_PART).exists():
        return Seat(session, LEARNER)
    raise _not_found()


def get_leader_seat_or_404(user, pk) -> Seat:
    """For the trainer's actions: someone who takes part but does not lead gets 403
    (the session is theirs to know about); anyone else the 404 of a missing one."""
    seat = get_seat_or_404(user, pk)
    if not seat.is_leader:
        raise PermissionDenied
    return seat


def get_learner_seat_or_404(user, pk) -> Seat:
    """For a learner's actions (posting, voting, "Ik ben klaar"): a leader gets 403."""
    seat = get_seat_or_404(user, pk)
    if not seat.is_learner:
        raise PermissionDenied
    return seat


def live_version(*, user_id, pk, language: str):
    """The ETag of the live lists for a learner or trainer of the cohort, in ONE query, or None.

    Used by the polling endpoint before anything else is loaded: it needs only the
    user id from the session, not the user row. None means "do the full check"
    (site staff, a session that doesn't exist, someone who may not see it): the slow
    path then answers exactly as for any other page. Answering 304 here reveals nothing
    that the client did not already have."""
    if user_id is None:
        return None
    row = (
        Session.objects.filter(pk=pk)
        .filter(
            Q(cohort__enrollments__user_id=user_id, cohort__enrollments__status__in=TAKING_PART)
            | Q(cohort__trainers__id=user_id)
            | Q(cohort__centre__staff__user_id=user_id, cohort__centre__staff__role="manager")
        )
        .values_list("version", "phase", "ends_at")
        .first()
    )
    if row is None:
        return None
    version, phase, ends_at = row
    return etag_for(pk=pk, version=version, user_id=user_id, language=language, ends_at=ends_at)


def etag_for(*, pk, version, user_id, language, ends_at) -> str:
    """Per session version, per viewer (learners see different things) and per language; an
    end time that has passed changes what the page says, so it is part of the tag too."""
    from django.utils import timezone

    ended = "e" if ends_at is not None and ends_at <= timezone.now() else "o"
    return f'"w{pk}.{version}.{user_id}.{language}.{ended}"'


def require_not_closed(session: Session) -> None:
    if session.phase == "closed":
        raise PermissionDenied
