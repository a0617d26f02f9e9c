"""Writes for search: counting a query that found nothing (per week, no identity)."""
import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import ZeroResultQuery

KEEP_WEEKS = 26  # half a year of weeks is enough to see what the module misses


def zero_result_record(*, query: str, today: datetime.date | None = None) -> None:
    """Add one to this week's count for ``query`` (already normalised, at most 100 characters).

    Only the words and a count are kept: no user, session, address or time of
    day. Weeks older than ``KEEP_WEEKS`` are dropped on the way.
    """
    query = query[: ZeroResultQuery._meta.get_field("query").max_length]
    if not query:
        return
    today = today or datetime.date.today()
    week = today - datetime.timedelta(days=today.weekday())
    updated = ZeroResultQuery.objects.filter(week=week, query=query).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ZeroResultQuery.objects.create(week=week, query=query, count=1)
        except IntegrityError:  # someone else counted the same query this very moment
            ZeroResultQuery.objects.filter(week=week, query=query).update(count=F("count") + 1)
        ZeroResultQuery.objects.filter(week__lt=week - datetime.timedelta(weeks=KEEP_WEEKS)).delete()
