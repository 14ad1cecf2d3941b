"""The notifications page, the bell's count (polled by htmx), and marking read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from federe.core.pages import workspace_page
from federe.core.requests import WorkspaceRequest
from federe.notifications import services
from federe.notifications.models import Notification


@workspace_page()
def notifications(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    page = Paginator(services.of(request.user, workspace), 50).get_page(request.GET.get("page"))
    context = {
        "workspace": workspace,
        "nav": "notifications",
        "page": page,
        "unread": services.unread_count(request.user, workspace),
    }
    return render(request, "notifications/list.html", context)


@workspace_page()
def bell(request: WorkspaceRequest, slug: str) -> HttpResponse:
    context = {"workspace": request.workspace, "unread": services.unread_count(request.user, request.workspace)}
    return render(request, "notifications/_bell.html", context)


@workspace_page(post=True)
def open_notification(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """Mark it read and go to what it is about (its thread, an alert's query), or back to the list."""
    notification = get_object_or_404(
        Notification.objects.select_related("workspace"), workspace=request.workspace, user=request.user, pk=pk
    )
    services.mark_read(notification)
    return redirect(services.path_of(notification))


@workspace_page(post=True)
def read_all(request: WorkspaceRequest, slug: str) -> HttpResponse:
    services.mark_all_read(request.user, request.workspace)
    return redirect("notifications:list", slug=slug)
