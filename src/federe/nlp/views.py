"""The workspace's models page: which model scores each task, how well on this workspace's own labels,
its versions (switch one back on), and a button to learn now. Plus sentiment corrections from the thread."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federe.accounts.permissions import Perm, has_perm
from federe.accounts.queries import workspace_for
from federe.core.requests import AuthedRequest
from federe.inbox.models import Message
from federe.nlp import learning, queries
from federe.nlp.explain import TASK_NAMES, model_name


def _errors(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
def models_page(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
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
        },
    )


@login_required
@require_POST
def train_now(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    task = request.POST.get("task", "")
    try:
        row = learning.train(workspace, task, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    else:
        if row.active:
            flash.success(request, _("Version %(v)d is learned and switched on.") % {"v": row.version})
        else:
            flash.warning(
                request,
                _("Version %(v)d is learned but kept off: it did worse than the shipped model on held-out labels.")
                % {"v": row.version},
            )
    return redirect("nlp:models", slug=slug)


@login_required
@require_POST
def activate(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    raw = request.POST.get("version", "")
    try:
        version = None if raw == "shipped" else int(raw)
        learning.activate(workspace, request.POST.get("task", ""), version, by=request.user)
    except ValueError:
        flash.error(request, _("This version does not exist."))
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    return redirect("nlp:models", slug=slug)


@login_required
@require_POST
def correct_sentiment(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    message = Message.objects.filter(workspace=workspace, pk=pk).select_related("workspace").first()
    if message is None:
        raise Http404
    try:
        learning.correct_sentiment(message, request.POST.get("sentiment", ""), request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    else:
        flash.success(request, _("Thanks: the tone is corrected, and this workspace's model will learn from it."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(back)
    return redirect("inbox:thread", slug=slug, pk=message.conversation_id)
