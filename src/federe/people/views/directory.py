"""The people list (/people/): filters, saved segments, the CSV export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import has_perm
from federe.campaigns.queries import choices as campaign_choices
from federe.connections.queries import connections_of
from federe.core.charts import category_chart
from federe.core.confirm import ask_again, is_confirmed
from federe.core.csvexport import csv_response
from federe.core.pages import workspace_page
from federe.core.params import whole_number
from federe.core.refusals import error_text
from federe.core.requests import AuthedRequest, WorkspaceRequest
from federe.inbox.models import Language
from federe.people import analytics, queries, services
from federe.people.engagement import scoring
from federe.people.models import Level, Segment
from federe.people.permissions import PEOPLE_EXPORT
from federe.people.views.common import people_nav


def _filters(request: AuthedRequest, workspace: Workspace) -> tuple[queries.PeopleFilters, Segment | None]:
    """The list's filters: a saved segment (?segment=ID) or the query string."""
    raw = request.GET.get("segment", "")
    number = whole_number(raw)
    segment = queries.segment_of(workspace, number) if number is not None else None
    if raw and segment is None:
        raise Http404  # not a segment of this workspace
    if segment is not None:
        stored = queries.PeopleFilters.from_params(segment.filters)
        extra = queries.PeopleFilters.from_params(request.GET)
        return queries.PeopleFilters(**{**stored.__dict__, "q": extra.q, "sort": extra.sort}), segment
    return queries.PeopleFilters.from_params(request.GET), None


RETENTION_WEEKS = [(7 * k - 6, 7 * k) for k in range(1, 14)]


def _retention_chart(workspace: Any) -> Any:
    """The 90-day retention curve of every cohort together, by week, cached for 15 minutes (it reads every post)."""
    key = f"people-retention-{workspace.pk}"
    points = cache.get(key)
    if points is None:
        overall = analytics.retention_overall(analytics.retention_curve(workspace, windows=RETENTION_WEEKS))
        points = [(str(end), round(share * 100)) for (_start, end), _seen, share in overall if share is not None]
        cache.set(key, points, 15 * 60)
    if not points:
        return None
    return category_chart(points, title=_("Members who posted again, by week after their first post (%)"))


@workspace_page()
def people_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    filters, segment = _filters(request, workspace)
    for error in filters.errors:
        flash.error(request, error)
    page = Paginator(queries.with_identities(queries.persons(workspace, filters)), 50).get_page(request.GET.get("page"))
    distribution = queries.level_distribution(workspace)
    query = {k: v for k, v in request.GET.lists() if k != "page"}
    context = {
        **people_nav(request, workspace, "list"),
        "page": page,
        "filters": filters,
        "segment": segment,
        "segments": queries.segments_of(workspace),
        "connections": connections_of(workspace),
        "tags": queries.tags_of(workspace),
        "campaigns": campaign_choices(workspace),
        "languages": Language.choices,
        "levels": Level.choices,
        "sorts": [
            ("score", _("Score")),
            ("reach", _("Reach")),
            ("last_seen", _("Last seen")),
            ("first_seen", _("First seen")),
            ("name", _("Name")),
        ],
        "distribution": distribution,
        "chart": category_chart([(label, n) for _v, label, n in distribution], title=_("Persons by level")),
        "retention": _retention_chart(workspace),
        "query": urlencode(query, doseq=True),
        "can_export": has_perm(request.user, workspace, PEOPLE_EXPORT),
        "formula": scoring.explain(scoring.settings_for(workspace)),
    }
    if request.htmx and request.htmx.target == "people-table":
        return render(request, "people/_table.html", context)
    return render(request, "people/list.html", context)


@workspace_page(PEOPLE_EXPORT)
def people_export(request: WorkspaceRequest, slug: str) -> StreamingHttpResponse:
    """The list (with its filters or segment) as CSV, streamed."""
    workspace = request.workspace
    filters, _segment = _filters(request, workspace)
    return csv_response(f"people-{workspace.slug}.csv", queries.EXPORT_HEADER, queries.export_rows(workspace, filters))


@workspace_page(post=True)
def segment_save(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    filters = queries.PeopleFilters.from_params(request.POST)
    try:
        segment = services.save_segment(
            workspace=workspace, name=request.POST.get("name", ""), filters=filters, by=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
        return redirect(reverse("people:list", args=[slug]) + "?" + urlencode(filters.query_params(), doseq=True))
    flash.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
    return redirect(reverse("people:list", args=[slug]) + f"?segment={segment.pk}")


def segment_delete_effect(name: str) -> str:
    return _("The segment “%(name)s” is deleted; the people in it are kept and nothing changes on the networks.") % {
        "name": name
    }


@workspace_page(post=True)
def segment_delete(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    segment = get_object_or_404(Segment, workspace=workspace, pk=pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=segment_delete_effect(segment.name),
            confirm_label=_("Delete the segment"),
            back=reverse("people:list", args=[slug]) + f"?segment={segment.pk}",
        )
    try:
        services.delete_segment(segment=segment, by=request.user)
        flash.success(request, _("Segment deleted."))
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
    return redirect("people:list", slug=slug)
