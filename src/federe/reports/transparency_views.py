"""The moderation transparency report's page, its CSV and its PDF, for any member of the workspace."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from federe.analytics import period as periods
from federe.core.charts import category_chart
from federe.core.csvexport import csv_response
from federe.core.pages import workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.reports import transparency
from federe.reports.render import pdf_of


def _period(request: WorkspaceRequest) -> periods.Period:
    return periods.parse(request.GET.get("days"), request.GET.get("since"), request.GET.get("until"))


def context_of(report: transparency.Transparency) -> dict[str, Any]:
    """The summary's medians in minutes, and two tables (by action, by reason) each with its chart."""

    def table(key: str, title: str, first: str, counts: list[tuple[str, int]], label: Any) -> dict[str, Any]:
        points = [(label(code)[:16], n) for code, n in counts]
        chart = category_chart(points, title=title, width=480) if points else None
        return {
            "key": key,
            "title": title,
            "header": [first, _("Decisions")],
            "rows": [[label(c), n] for c, n in counts],
            "chart": chart,
        }

    decided = [("automatic", report.automatic), ("human", report.human)] if report.total else []
    who = {"automatic": _("a rule"), "human": _("a moderator")}
    return {
        "report": report,
        "medians": {
            "all": transparency.minutes(report.median_all),
            "automatic": transparency.minutes(report.median_automatic),
            "human": transparency.minutes(report.median_human),
        },
        "tables": [
            table("by-action", _("Decisions by action"), _("Action"), report.by_action, transparency.action_label),
            table("by-reason", _("Decisions by reason"), _("Reason"), report.by_reason, transparency.reason_label),
            table("by-who", _("Decisions by who made them"), _("Decided by"), decided, lambda c: str(who[c])),
        ],
    }


@workspace_page()
def page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    error, status = "", 200
    try:
        period = _period(request)
    except ValidationError as exc:
        error, status, period = error_text(exc), 422, periods.last_days(periods.DEFAULT_DAYS)
    report = transparency.build(request.workspace.pk, period)
    query = f"since={period.since.isoformat()}&until={period.last.isoformat()}"
    context = {"workspace": request.workspace, "nav": "overview", "error": error, "query": query, **context_of(report)}
    return render(request, "reports/transparency.html", context, status=status)


def _refused(exc: ValidationError) -> HttpResponse:
    return HttpResponse(error_text(exc), status=422, content_type="text/plain; charset=utf-8")


def _name(request: WorkspaceRequest, period: periods.Period, extension: str) -> str:
    return f"transparency-{request.workspace.slug}-{period.since}-{period.last}.{extension}"


@workspace_page()
def csv(request: WorkspaceRequest, slug: str) -> HttpResponseBase:
    try:
        period = _period(request)
    except ValidationError as exc:
        return _refused(exc)
    header, rows = transparency.csv_rows(transparency.build(request.workspace.pk, period))
    return csv_response(_name(request, period, "csv"), header, rows)


@workspace_page()
def pdf(request: WorkspaceRequest, slug: str) -> HttpResponse:
    try:
        period = _period(request)
    except ValidationError as exc:
        return _refused(exc)
    report = transparency.build(request.workspace.pk, period)
    context = {"workspace": request.workspace, "lang": get_language(), **context_of(report)}
    response = HttpResponse(
        pdf_of(render_to_string("reports/transparency_doc.html", context)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{_name(request, period, "pdf")}"'
    return response
