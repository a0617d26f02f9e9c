"""The attempt policy, as pure functions: which questions an attempt draws, and when the next may start.

**The draw.** Each attempt asks ``quiz.draw_count`` questions (default 10) from the section's bank.
The bank is grouped by the slide that first teaches each question, the groups are put in reading
order and cut into as many consecutive bands as questions are drawn; one question comes from every
band, so every attempt covers the section from its first slides to its last, and two attempts
rarely ask the same set. The random generator is seeded per attempt and the seed stored with it,
so a draw can be reproduced (and explained) later.

**Pacing.** A learner may start ``attempts_per_day`` attempts per calendar day (in the site's
time zone; default 3) and waits ``pause_after_fail`` minutes (default 10) after a failed attempt:
long enough to reread the slides the result points to, short enough not to punish. Staff can
give a fresh start (an ``AttemptReset``): attempts started before it no longer count.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone


def draw(*, bank: list[tuple[int, tuple]], count: int | None, rng: random.Random) -> list[int]:
    """Question ids drawn from ``bank`` [(question id, reading-order key of its first slide)].

    ``count`` None (or at least the bank's size) asks everything. The result is in reading order;
    the caller shuffles it when the quiz shuffles.
    """
    ordered = sorted(bank, key=lambda item: (item[1], item[0]))
    if count is None or count >= len(ordered):
        return [qid for qid, _ in ordered]
    groups: dict[tuple, list[int]] = {}
    for qid, key in ordered:
        groups.setdefault(key, []).append(qid)
    keys = list(groups)  # reading order
    bands = _bands(keys, min(count, len(keys)))
    chosen = []
    for band in bands:
        key = rng.choice(band)
        chosen.append(rng.choice(groups[key]))
    rest = [qid for qid, _ in ordered if qid not in chosen]
    chosen += rng.sample(rest, count - len(chosen))
    position = {qid: i for i, (qid, _) in enumerate(ordered)}
    return sorted(chosen, key=position.__getitem__)


def _bands(items: list, n: int) -> list[list]:
    """``items`` cut into ``n`` consecutive, nearly equal runs."""
    size, extra = divmod(len(items), n)
    bands, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        bands.append(items[start:end])
        start = end
    return bands


@dataclass(frozen=True)
class Window:
    """Whether a learner may start an attempt now and, if not, when and why not."""

    may_start: bool
    opens_at: datetime | None = None
    reason: str = ""  # "pause", "day", "max" or ""
    used_today: int = 0


def start_window(*, quiz, attempts, now: datetime, reset_at: datetime | None = None) -> Window:
    """``attempts``: the learner's attempts at ``quiz`` (any order) with ``started_at``,
    ``submitted_at`` and ``passed``. Only those started after ``reset_at`` count."""
    counted = [a for a in attempts if reset_at is None or a.started_at >= reset_at]
    local_now = timezone.localtime(now)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = [a for a in counted if a.started_at >= midnight]
    if quiz.max_attempts is not None and len(counted) >= quiz.max_attempts:
        return Window(may_start=False, reason="max", used_today=len(today))
    opens = []
    reason = ""
    if quiz.attempts_per_day is not None and len(today) >= quiz.attempts_per_day:
        # The next calendar day, at midnight local time (timedelta on an aware local time, then normalised).
        tomorrow = timezone.make_aware(
            datetime.combine(midnight.date() + timedelta(days=1), datetime.min.time()), local_now.tzinfo
        )
        opens.append((tomorrow, "day"))
    failed = [a for a in counted if a.submitted_at is not None and a.passed is False]
    if quiz.pause_after_fail and failed:
        last = max(a.submitted_at for a in failed)
        pause_ends = last + timedelta(minutes=quiz.pause_after_fail)
        if pause_ends > now:
            opens.append((pause_ends, "pause"))
    if not opens:
        return Window(may_start=True, used_today=len(today))
    opens_at, reason = max(opens)
    return Window(may_start=False, opens_at=opens_at, reason=reason, used_today=len(today))
