"""Reads for search: the results page and the staff page of queries without results."""
import datetime

from django.db.models import Sum

from .backends import SUGGEST_BELOW, Results, get_backend
from .models import ZeroResultQuery
from .query import ParsedQuery

PAGE_SIZE = 10
RESOURCE_LIMIT = 10


def search_run(*, parsed: ParsedQuery, page: int = 1) -> Results:
    """Slides and resources for ``parsed``, a page of ``PAGE_SIZE`` slides (ten, as web search engines show); a suggestion when few are found.

    Queries: 2 (slides with their total, resources) + 1 for a suggestion when
    fewer than ``SUGGEST_BELOW`` slides are found (+1 count for ``icontains``).
    """
    backend = get_backend()
    results = backend.search(parsed, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, resource_limit=RESOURCE_LIMIT)
    if results.slide_total < SUGGEST_BELOW and page == 1:
        results.suggestion = backend.suggest(parsed)
    return results


def zero_result_weeks(*, weeks: int = 8, per_week: int = 20, today: datetime.date | None = None):
    """The most frequent queries without results, per week (newest first), over the last ``weeks`` weeks.

    Two queries: the rows of those weeks (at most ``per_week`` shown per week) and the totals.
    """
    today = today or datetime.date.today()
    first = today - datetime.timedelta(days=today.weekday() + 7 * (weeks - 1))
    rows = ZeroResultQuery.objects.filter(week__gte=first).order_by("-week", "-count", "query")
    by_week: dict[datetime.date, list[ZeroResultQuery]] = {}
    for row in rows:
        by_week.setdefault(row.week, [])
        if len(by_week[row.week]) < per_week:
            by_week[row.week].append(row)
    totals = dict(
        ZeroResultQuery.objects.filter(week__gte=first).values_list("week").annotate(total=Sum("count")).order_by()
    )
    return [
        {"week": week, "end": week + datetime.timedelta(days=6), "rows": rows, "total": totals.get(week, 0)}
        for week, rows in by_week.items()
    ]
