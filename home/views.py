from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .search import MAX_QUERY, site_search

RESULTS_PER_PAGE = 10


@require_GET
def search_view(request):
    """The site search's results page (``?q=``), ten results a page."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = site_search(request=request, query=query) if query else []
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "home/search.html",
        {"query": query, "results": page, "count": len(results)},
    )
