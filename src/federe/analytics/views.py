"""The dashboards: a page per workspace (``?channel=`` for one channel) with a period selector, each figure family
as a chart beside its table, and a CSV per chart. Reads only (``tables`` → ``figures`` → the summary tables)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from federe.analytics import period as periods
from federe.analytics import tables
from federe.connections.models import Connection
from federe.connections.queries import connection_of, connections_of
from federe.core.csvexport import csv_response
from federe.core.pages import workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest


def _channel(request: WorkspaceRequest) -> Connection | None:
    """The channel asked for: one of this workspace's, or 404 (another workspace's id reveals nothing)."""
    raw = request.GET.get("channel", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    try:
        return connection_of(request.workspace, int(raw))
    except Connection.DoesNotExist as exc:
        raise Http404 from exc


def _period(request: WorkspaceRequest) -> periods.Period:
    return periods.parse(request.GET.get("days"), request.GET.get("since"), request.GET.get("until"))


@workspace_page()
def dashboard(request: WorkspaceRequest, slug: str) -> HttpResponse:
    channel = _channel(request)
    error, status = "", 200
    try:
        period = _period(request)
    except ValidationError as exc:
        error, status, period = error_text(exc), 422, periods.last_days(periods.DEFAULT_DAYS)
    scope = tables.Scope(request.workspace.pk, period, channel.pk if channel else None)
    preset = request.GET.get("days", "") if not request.GET.get("since") else ""
    context = {
        "workspace": request.workspace,
        "nav": "overview",
        "channels": connections_of(request.workspace),
        "channel": channel,
        "period": period,
        "previous": period.previous(),
        "presets": periods.PRESETS,
        "preset": preset if preset or request.GET.get("since") else str(periods.DEFAULT_DAYS),
        "error": error,
        "tables": tables.dashboard(scope),
        "query": request.GET.urlencode(),
    }
    return render(request, "analytics/dashboard.html", context, status=status)


@workspace_page()
def export(request: WorkspaceRequest, slug: str, family: str) -> HttpResponseBase:
    make = tables.FAMILIES.get(family)
    channel = _channel(request)
    if make is None or (family == "voice" and channel is not None):
        raise Http404
    try:
        period = _period(request)
    except ValidationError as exc:
        return HttpResponse(error_text(exc), status=422, content_type="text/plain; charset=utf-8")
    table = make(tables.Scope(request.workspace.pk, period, channel.pk if channel else None))
    header, rows = table.csv()
    where = f"-channel-{channel.pk}" if channel else ""
    name = f"{family}-{request.workspace.slug}{where}-{period.since}-{period.last}.csv"
    return csv_response(name, header, rows)
