from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, has_perm
from federe.accounts.queries import workspace_for, workspaces_for
from federe.connections.queries import connections_of
from federe.core.activity import actor_label, rule_ids
from federe.core.charts import bar_chart
from federe.core.models import AuditEvent
from federe.core.requests import AuthedRequest
from federe.inbox import queries as inbox_queries
from federe.moderation.models import Rule


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    first = workspaces_for(request.user).first()
    if first is None:
        return render(request, "core/no_workspace.html")
    return redirect("core:overview", slug=first.slug)


@login_required
def overview(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
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


@login_required
def activity(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    if not has_perm(request.user, workspace, Perm.VIEW_AUDIT):
        return render(request, "core/forbidden.html", {"workspace": workspace}, status=403)
    events = AuditEvent.objects.filter(workspace=workspace).select_related("actor").order_by("-created_at", "-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rules = dict(
        Rule.objects.filter(workspace=workspace, pk__in=rule_ids(e.actor_label for e in page)).values_list("pk", "name")
    )
    for event in page:
        event.who = actor_label(event.actor_label or str(event.actor or ""), rules)
    return render(request, "core/activity.html", {"workspace": workspace, "nav": "activity", "page": page})


def health(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
