"""The one rule for ordered content: positions 1..n per parent, without gaps or clashes.

Slides in a section, questions in a quiz and choices in a question each carry a
``position`` that is unique per parent (a database constraint). Every write that
moves rows (a trainer typing numbers, a delete, restoring an earlier version, an
import) goes through this module, so the rule is written once:

* ``renumber(rows, requested={pk: place})`` gives the rows 1..n. A requested row
  is taken out and put in at that place, as "move to 3" means in any list; the
  others keep their order around it. ``None`` means "at the end". Two rows asking
  for the same place get it in their old order (the first there, the next after it).
* ``parked(rows, group_by=...)`` is for writes that put back old positions
  (restore, import). Inside the block every existing row is lifted above the
  highest number in use and the highest the block will write, so nothing clashes; afterwards each parent is
  renumbered. A row written during the block asks for the number it was given:
  it goes back to exactly that place and the others shift around it (restoring
  slide 1.2's first version keeps it at 1.2, whatever was edited since). If that
  place no longer exists (the parent has fewer rows now), the row stays where it
  was before the block; a row that was not in this parent before (recovered
  after a delete, moved from another parent) goes last. Rows the block did not
  write keep their order.

Why lifting is safe on both databases: the rows are moved up by more than the
highest position in use, so no row ever lands on a number another row still
holds, whether uniqueness is checked row by row (SQLite, PostgreSQL's
non-deferred constraint) or at the end of the statement.
"""
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.db.models import F, Max

#: Positions anyone can type (form validation); ``PositiveSmallIntegerField`` leaves room above
#: it for a lift or two.
MAX_POSITION = 999

Requested = Mapping[Any, int | None]


def _lift(rows: models.QuerySet, *, field: str, reserve: int = 0) -> int:
    """Add more than the highest position in use (and than ``reserve``) to every row; returns what was
    added (0: no rows)."""
    highest = rows.order_by().aggregate(highest=Max(field))["highest"]
    if highest is None:
        return 0
    offset = max(highest, reserve) + 1
    rows.update(**{field: F(field) + offset})
    return offset


def order_with(rows: list, *, requested: Requested, field: str = "position") -> list:
    """The rule itself, without the database: ``rows`` (in their current order) with the requested
    rows taken out and put in at their places. ``rows`` are objects with ``pk`` and ``field``."""
    ordered = [row for row in rows if row.pk not in requested]
    moving = sorted(
        (row for row in rows if row.pk in requested),
        key=lambda row: (requested[row.pk] is None, requested[row.pk] or 0, getattr(row, field), str(row.pk)),
    )
    previous_wanted, previous_index = None, None
    for row in moving:
        wanted = requested[row.pk]
        if wanted is None:
            ordered.append(row)
            continue
        if wanted == previous_wanted:
            index = previous_index + 1  # the same place asked twice: after the first, in their old order
        else:
            index = min(max(wanted, 1) - 1, len(ordered))
        ordered.insert(index, row)
        previous_wanted, previous_index = wanted, index
    return ordered


@transaction.atomic
def renumber(rows: models.QuerySet, *, requested: Requested | None = None, field: str = "position") -> list:
    """Give ``rows`` (all the rows of one parent) positions 1..n, honouring ``requested``.

    ``requested`` maps primary keys to the place wanted (``None``: the end).
    Locks the rows, writes only when something changes (one lift and one bulk
    update), and returns the rows in their new order.
    """
    requested = dict(requested or {})
    current = list(rows.select_for_update().order_by(field, "pk").only("pk", field))
    ordered = order_with(current, requested=requested, field=field)
    if any(getattr(row, field) != i for i, row in enumerate(ordered, 1)):
        _lift(rows, field=field)
        for i, row in enumerate(ordered, 1):
            setattr(row, field, i)
        rows.model._default_manager.bulk_update(ordered, [field])
    return ordered


@contextmanager
def parked(rows: models.QuerySet, *, group_by: str, reserve: int = 0, field: str = "position") -> Iterator[None]:
    """Lift ``rows`` out of 1..n while the block writes positions back; renumber every parent after.

    ``rows`` may span several parents (``group_by`` names the parent's column,
    e.g. ``"section_id"``); it is evaluated again afterwards, so a row the block
    moved into one of these parents is counted there. ``reserve``: the highest
    position the block may write (an old version's, a file's); the rows are
    lifted above it too, so a row put back beyond today's last place clashes
    with nothing. A row still at its lifted number was not written and keeps
    its order among the others; every other row asks for the number it has now
    (see the module's docstring for the rule). Use inside a transaction: if the
    block raises, roll it back.
    """
    before = {pk: (group, position) for pk, group, position in rows.values_list("pk", group_by, field)}
    offset = _lift(rows, field=field, reserve=reserve)
    yield
    groups: dict[Any, list] = {}
    for pk, group, position in rows.values_list("pk", group_by, field):
        groups.setdefault(group, []).append((pk, position))
    for group, members in sorted(groups.items(), key=lambda item: str(item[0])):
        requested: dict[Any, int | None] = {}
        for pk, position in members:
            then_group, then_position = before.get(pk, (None, None))
            if then_group == group and position == then_position + offset:
                continue  # untouched: keeps its order among the others
            if position <= len(members):
                requested[pk] = position  # back to the place it asks for
            elif then_group == group:
                requested[pk] = then_position  # that place no longer exists: stays where it was
            else:
                requested[pk] = None  # new in this parent, at a place that doesn't exist: last
        renumber(rows.model._default_manager.filter(**{group_by: group}), requested=requested, field=field)


# --- ordered models, for writes that span several (restore, import) ------------------

#: Ordered model → the column naming its parent (e.g. Slide → "section_id"). Filled by the apps that own
#: the models (``ordering.register(Slide, group_by="section_id")``), so this base app never imports them.
ORDERED: dict[type[models.Model], str] = {}


def register(model: type[models.Model], *, group_by: str) -> None:
    """Declare ``model`` ordered by ``position`` within ``group_by``: restores park it."""
    ORDERED[model] = group_by
