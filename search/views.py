"""The search page (everyone) and the staff page of queries that found nothing."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.http import urlencode

from . import selectors, services
from .query import MAX_LENGTH, clean, parse

MAX_PAGE = 100


def _page_number(value: str) -> int:
    try:
        page = int(value)
    except (TypeError, ValueError):
        return 1
    return page if 1 <= page <= MAX_PAGE else 1


def search(request):
    """``/zoeken/?q=…``: slides and links of the module; every input gets a page, never an error.

    Queries: 0 without a query; 2–3 with one (see ``selectors.search_run``), +1–2 when nothing
    is found (the week's count).
    """
    raw = request.GET.get("q", "")
    query = clean(raw)
    context = {"query": query[:MAX_LENGTH], "max_length": MAX_LENGTH, "state": "empty", "results": None}
    if len(query) > MAX_LENGTH:
        context["state"] = "too_long"
    elif query:
        parsed = parse(query)
        if parsed.is_empty:
            context["state"] = "nothing_to_find"
        else:
            page = _page_number(request.GET.get("pagina"))
            results = selectors.search_run(parsed=parsed, page=page)
            context.update(state="results", results=results, page=page, truncated=parsed.truncated)
            pages = (results.slide_total + selectors.PAGE_SIZE - 1) // selectors.PAGE_SIZE
            if page > 1:
                context["previous_url"] = "?" + urlencode({"q": query, "pagina": page - 1} if page > 2 else {"q": query})
            if page < pages:
                context["next_url"] = "?" + urlencode({"q": query, "pagina": page + 1})
            context["pages"] = pages
            context["first_number"] = (page - 1) * selectors.PAGE_SIZE + 1
            if results.suggestion:
                context["suggestion_url"] = "?" + urlencode({"q": results.suggestion})
            if not results.slide_total and not results.resource_total and page == 1:
                services.zero_result_record(query=parsed.normalised())
    return render(request, "search/search.html", context)


@login_required
def zero_results(request):
    """Staff (trainers and site staff): the most frequent queries without results, per week. Queries: 2."""
    if not request.user.is_staff:
        raise PermissionDenied
    return render(request, "search/zero_results.html", {"weeks": selectors.zero_result_weeks()})
