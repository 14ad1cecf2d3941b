from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm
from federe.accounts.queries import workspaces_for
from federe.connections.queries import connections_of
from federe.core.activity import actor_label, rule_ids
from federe.core.charts import bar_chart
from federe.core.models import AuditEvent
from federe.core.pages import workspace_page
from federe.core.requests import AuthedRequest, WorkspaceRequest
from federe.inbox import queries as inbox_queries
from federe.moderation.models import Rule


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    first = workspaces_for(request.user).first()
    if first is None:
        return render(request, "core/no_workspace.html")
    return redirect("core:overview", slug=first.slug)


@workspace_page()
def overview(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    volume = inbox_queries.daily_volume(workspace)
    return render(
        request,
        "core/overview.html",
        {
            "workspace": workspace,
            "nav": "overview",
            "chart": bar_chart(volume, title=_("Messages per day, last 14 days")),
            "volume_total": sum(n for _, n in volume),
            "status_counts": inbox_queries.status_counts(workspace),
            "held_count": inbox_queries.held_count(workspace),
            "connections": connections_of(workspace),
        },
    )


@workspace_page(Perm.VIEW_AUDIT)
def activity(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    events = AuditEvent.objects.filter(workspace=workspace).select_related("actor").order_by("-created_at", "-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rules = dict(
        Rule.objects.filter(workspace=workspace, pk__in=rule_ids(e.actor_label for e in page)).values_list("pk", "name")
    )
    for event in page:
        shown: Any = event  # the template's "who" column: a person, a rule by name, or Fédère
        shown.who = actor_label(event.actor_label or str(event.actor or ""), rules)
    return render(request, "core/activity.html", {"workspace": workspace, "nav": "activity", "page": page})


def health(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
