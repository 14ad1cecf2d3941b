"""Merge suggestions and merges (/people/suggestions/): decide, refresh, undo."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.core.pages import workspace_page
from federe.core.params import whole_number
from federe.core.refusals import error_text
from federe.core.requests import AuthedRequest, WorkspaceRequest
from federe.events import merges as registrations
from federe.people import queries, services
from federe.people.engagement import scoring
from federe.people.identities import evidence, merging, suggestions
from federe.people.models import Merge, MergeSuggestion, SuggestionStatus
from federe.people.views.common import people_nav


@workspace_page()
def suggestion_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    page = Paginator(queries.suggestions(workspace), 30).get_page(request.GET.get("page"))
    shared = registrations.shared_events(workspace, [(s.person_a_id, s.person_b_id) for s in page])
    rows = [
        {
            "suggestion": s,
            "signals": [(evidence.describe(signal), signal["weight"]) for signal in s.signals],
            "confidence": evidence.confidence(s.total),
            "shared_events": shared.get((s.person_a_id, s.person_b_id), []),
        }
        for s in page
    ]
    context = {
        **people_nav(request, workspace, "suggestions"),
        "page": page,
        "rows": rows,
        "merges": queries.merges(workspace)[:30],
        "rejected": queries.suggestions(workspace, SuggestionStatus.REJECTED)[:20],
        "settings": scoring.settings_for(workspace),
        "weights": evidence.WEIGHTS,
        "min_total": evidence.MIN_TOTAL,
    }
    return render(request, "people/suggestions.html", context)


@workspace_page(post=True)
def suggestion_refresh(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    try:
        result = services.refresh_suggestions(workspace=workspace, by=request.user)
        flash.success(
            request,
            ngettext("%(created)d new suggestion.", "%(created)d new suggestions.", result.created)
            % {"created": result.created}
            + " "
            + ngettext("%(auto)d merged automatically.", "%(auto)d merged automatically.", result.auto_merged)
            % {"auto": result.auto_merged},
        )
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
    return redirect("people:suggestions", slug=slug)


def _next(request: AuthedRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/w/") and "//" not in target:
        return redirect(target)
    return redirect(fallback)


@workspace_page(post=True)
def suggestion_decide(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    try:
        suggestion = queries.suggestion_of(workspace, pk)
    except MergeSuggestion.DoesNotExist as exc:
        raise Http404 from exc
    action = request.POST.get("action", "")
    keep = request.POST.get("keep", "")
    try:
        if action == "accept":
            record = suggestions.accept_suggestion(suggestion, by=request.user, keep=whole_number(keep))
            flash.success(
                request,
                _("Merged %(absorbed)s into %(kept)s. You can undo it at any time.")
                % {"absorbed": record.absorbed.display_name, "kept": record.kept.display_name},
            )
        elif action == "reject":
            suggestions.reject_suggestion(suggestion, by=request.user)
            flash.success(request, _("Noted: these are two different persons."))
        else:
            flash.error(request, _("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _next(request, reverse("people:suggestions", args=[slug]))


@workspace_page(post=True)
def merge_undo(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    try:
        record = queries.merge_of(workspace, pk)
    except Merge.DoesNotExist as exc:
        raise Http404 from exc
    try:
        merging.unmerge(record, by=request.user)
        flash.success(
            request,
            _("Merge undone: %(absorbed)s is a separate person again.") % {"absorbed": record.absorbed.display_name},
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return _next(request, reverse("people:suggestions", args=[slug]))
