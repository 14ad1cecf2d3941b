"""The search page (``/w/<slug>/inbox/search/``, from the inbox's search box): the words, the filters, the
results with their excerpts, each a link to its message in its thread."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from federe.core.pages import workspace_page
from federe.core.params import whole_number
from federe.core.requests import WorkspaceRequest
from federe.search import backends
from federe.search.forms import SearchForm

MAX_PAGE = backends.COUNT_LIMIT // backends.PER_PAGE


@workspace_page()
def results(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    form = SearchForm(workspace, request.GET if request.GET else None)
    page_number = min(whole_number(request.GET.get("page", "1"), high=MAX_PAGE) or 1, MAX_PAGE)
    found = None
    if form.is_bound and form.is_valid() and not form.query.is_empty:
        found = backends.search(workspace, form.query, page=max(page_number, 1))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"workspace": workspace, "nav": "inbox", "form": form, "found": found, "query": params.urlencode()}
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "search/results.html", context, status=status)
