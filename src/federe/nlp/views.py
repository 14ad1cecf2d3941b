"""The workspace's models page: which model scores each task, how well on this workspace's own labels,
its versions (switch one back on), and a button to learn now. Plus sentiment corrections from the thread."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, has_perm
from federe.core.pages import workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.inbox.models import Message
from federe.nlp import explain, learning, queries, switch
from federe.nlp.explain import TASK_NAMES, model_name, refined_rows


@workspace_page()
def models_page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    tasks = queries.task_overview(workspace)
    for row in tasks:
        row["name"] = TASK_NAMES[row["task"]]
        row["shipped_name"] = model_name(row["shipped"])
    return render(
        request,
        "nlp/models.html",
        {
            "workspace": workspace,
            "nav": "moderation",
            "tasks": tasks,
            "can_moderate": has_perm(request.user, workspace, Perm.MODERATE),
            "deep": queries.deep_tier(workspace),
        },
    )


@workspace_page()
def deep_progress(request: WorkspaceRequest, slug: str) -> HttpResponse:
    """The deep tier's part of the models page, asked again every few seconds while a backfill runs."""
    context = {"workspace": request.workspace, "deep": queries.deep_tier(request.workspace)}
    return render(request, "nlp/_deep_tier.html", context)


@workspace_page(post=True)
def train_now(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    task = request.POST.get("task", "")
    try:
        row = learning.train(workspace, task, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        said = switch.comparison(row)
        if row.active:
            flash.success(request, _("Version %(v)d is learned. %(check)s") % {"v": row.version, "check": said})
        else:
            flash.warning(request, _("Version %(v)d is learned. %(check)s") % {"v": row.version, "check": said})
    return redirect("nlp:models", slug=slug)


@workspace_page(post=True)
def activate(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    raw = request.POST.get("version", "")
    try:
        version = None if raw == "shipped" else int(raw)
        learning.activate(workspace, request.POST.get("task", ""), version, by=request.user)
    except ValueError:
        flash.error(request, _("This version does not exist."))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    return redirect("nlp:models", slug=slug)


@workspace_page(post=True)
def correct_sentiment(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    message = get_object_or_404(Message.objects.select_related("workspace"), workspace=workspace, pk=pk)
    try:
        learning.correct_sentiment(message, request.POST.get("sentiment", ""), request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Thanks: the tone is corrected, and this workspace's model will learn from it."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(back)
    return redirect("inbox:thread", slug=slug, pk=message.conversation_id)


@workspace_page()
def why_refined(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """Which words moved a refined message's scores: a POST asks the worker to work it out (once), the page then
    asks again (GET) until it is there."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    message = get_object_or_404(Message, workspace=request.workspace, pk=pk)
    refined = (message.nlp or {}).get("tier") == "deep"
    ready = message.nlp.get("deep", {}).get("why") if refined else None
    if request.method == "POST" and refined and not ready:
        explain.ask(message.pk)
    context = {"workspace": request.workspace, "m": message, "explained": refined_rows(message), "ready": ready}
    return render(request, "nlp/_why_refined.html", {**context, "waiting": not ready, "unrefined": not refined})
