"""The inbox list's own pages and parts: named views with their counts, bulk actions on the threads chosen, and a
member's saved filters (save, list, rename, delete). Services decide (bulk_actions, saved_filters); these
translate the request and say how it went."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federe.accounts.permissions import Perm, has_perm
from federe.accounts.queries import members_who_can
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import workspace_page
from federe.core.params import whole_number
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.inbox import bulk_actions, labels, named_views, queries, saved_filters
from federe.inbox.models import Conversation, SavedFilter

BULK_CHOICES = [
    ("assign", gettext_lazy("Assign to…")),
    ("close", gettext_lazy("Close")),
    ("label", gettext_lazy("Add label…")),
    ("unlabel", gettext_lazy("Remove label…")),
    ("read", gettext_lazy("Mark read")),
    ("unread", gettext_lazy("Mark unread")),
]


def list_context(request: WorkspaceRequest, filters: queries.InboxFilters) -> dict[str, Any]:
    """What the list shows beside the threads: the views and their counts, saved filters, the bulk bar."""
    workspace, user = request.workspace, request.user
    counts = queries.view_counts(workspace, user)
    views = [
        {
            "slug": slug,
            "label": view.label,
            "count": counts[slug],
            "query": replace(filters, view=slug).as_query(),
        }
        for slug, view in named_views.VIEWS.items()
    ]
    can_assign = has_perm(user, workspace, Perm.ASSIGN)
    return {
        "views": views,
        "all_query": replace(filters, view="").as_query(),
        "saved_filters": saved_filters.of(workspace, user),
        "can_assign": can_assign,
        "bulk_choices": [(v, label) for v, label in BULK_CHOICES if can_assign or v in ("read", "unread")],
        "bulk_members": members_who_can(workspace, Perm.REPLY) if can_assign else [],
        "label_names": labels.names(workspace) if can_assign else [],
    }


def _ids(values: list[str]) -> list[int]:
    return [n for n in (whole_number(v) for v in values[: bulk_actions.MAX_THREADS + 1]) if n is not None]


def _back(request: WorkspaceRequest) -> HttpResponse:
    query = saved_filters.clean_query(request.POST.get("back", ""))
    return redirect(reverse("inbox:list", args=[request.workspace.slug]) + (f"?{query}" if query else ""))


def _assignee(request: WorkspaceRequest) -> Any:
    raw = request.POST.get("assignee", "")
    if not raw:
        return None
    pk = whole_number(raw)
    user = get_user_model().objects.filter(pk=pk, memberships__workspace=request.workspace).first() if pk else None
    if user is None:
        raise ValidationError(_("This person is not a member of the workspace."))
    return user


@workspace_page(post=True)
def bulk(request: WorkspaceRequest, slug: str) -> HttpResponse:
    """One action on the threads ticked in the list; the list again, with what was done in words."""
    workspace, by = request.workspace, request.user
    ids, action = _ids(request.POST.getlist("ids")), request.POST.get("action", "")
    try:
        if action == "assign":
            done = bulk_actions.assign(workspace, ids, _assignee(request), by=by)
        elif action == "close":
            done = bulk_actions.close(workspace, ids, by=by)
        elif action in ("label", "unlabel"):
            name = request.POST.get("label", "")
            done = bulk_actions.label(workspace, ids, name, by=by, remove=action == "unlabel")
        elif action in ("read", "unread"):
            done = bulk_actions.mark(workspace, ids, by=by, read=action == "read")
        else:
            raise ValidationError(_("Choose what to do with the selected threads."))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    except Conversation.DoesNotExist as exc:  # another workspace's thread: not found, nothing done
        raise Http404 from exc
    else:
        flash.success(request, done.message)
    return _back(request)


# --- saved filters ---------------------------------------------------------------------------------------------


def _saved(request: WorkspaceRequest, pk: int) -> SavedFilter:
    try:
        return saved_filters.get(request.workspace, request.user, pk)
    except SavedFilter.DoesNotExist as exc:
        raise Http404 from exc


@workspace_page()
def filters_page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    inbox = reverse("inbox:list", args=[slug])
    rows = [(f, inbox + (f"?{f.query}" if f.query else "")) for f in saved_filters.of(request.workspace, request.user)]
    return render(
        request,
        "inbox/saved_filters.html",
        {"workspace": request.workspace, "nav": "inbox", "rows": rows, "max_name": saved_filters.MAX_NAME},
    )


@workspace_page(post=True)
def filter_save(request: WorkspaceRequest, slug: str) -> HttpResponse:
    try:
        saved = saved_filters.add(
            request.workspace, request.user, request.POST.get("name", ""), request.POST.get("back", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Filter “%(name)s” saved. Only you see it.") % {"name": saved.name})
    return _back(request)


@workspace_page(post=True)
def filter_rename(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    saved = _saved(request, pk)
    try:
        saved_filters.rename(saved, request.POST.get("name", ""), by=request.user)
    except ValidationError as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Filter renamed “%(name)s”.") % {"name": saved.name})
    return redirect("inbox:filters", slug=slug)


@workspace_page(post=True)
def filter_delete(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    saved = _saved(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("The saved filter “%(name)s” will be deleted.") % {"name": saved.name},
            confirm_label=_("Delete the filter"),
            back=reverse("inbox:filters", args=[slug]),
        )
    saved_filters.remove(saved, by=request.user)
    flash.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect("inbox:filters", slug=slug)
