"""The team's side of approvals: submit a post, approve or reject it, share and revoke client links, and the
workspace's workflow (owners)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.publishing import approvals
from federe.publishing.models import Post
from federe.publishing.models.approvals import ApprovalLink, Verdict
from federe.publishing.views import detail_context
from federe.publishing.workflow_forms import WorkflowForm


def _post(request: WorkspaceRequest, pk: int) -> Post:
    return get_object_or_404(Post, workspace=request.workspace, pk=pk, deleted_at__isnull=True)


def _back(request: WorkspaceRequest, post: Post) -> HttpResponse:
    return redirect("publishing:post", request.workspace.slug, post.pk)


@workspace_page(perm=Perm.PUBLISH, post=True)
def submit(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    post = _post(request, pk)
    try:
        round_ = approvals.submit(post, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Sent for approval.") if round_ else _("This workspace asks for no approval."))
    return _back(request, post)


@workspace_page(post=True)
def decide(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    post = _post(request, pk)
    verdict = request.POST.get("verdict", "")
    try:
        approvals.decide(post, by=request.user, verdict=verdict, comment=request.POST.get("comment", "")[:2000])
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Approved.") if verdict == Verdict.APPROVE else _("Rejected."))
    return _back(request, post)


@workspace_page(perm=Perm.PUBLISH, post=True)
def link_create(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """The new link is shown in this answer only: its token is stored nowhere but in the link itself."""
    post = _post(request, pk)
    try:
        _link, token = approvals.create_link(post, by=request.user, label=request.POST.get("label", "")[:100])
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
        return _back(request, post)
    address = request.build_absolute_uri(reverse("publishing:client", args=[post.pk, token]))
    return render(request, "publishing/post.html", detail_context(request, post, new_link=address))


@workspace_page(perm=Perm.PUBLISH, post=True)
def link_revoke(request: WorkspaceRequest, slug: str, pk: int, link_id: int) -> HttpResponse:
    post = _post(request, pk)
    link = get_object_or_404(ApprovalLink, workspace=request.workspace, post=post, pk=link_id)
    try:
        approvals.revoke_link(link, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("The link no longer works."))
    return _back(request, post)


@workspace_page(perm=Perm.MANAGE_MEMBERS)
def workflow(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    form = WorkflowForm(request.POST or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            approvals.save_workflow(workspace, by=request.user, **form.values())
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Approval workflow saved."))
            return redirect("publishing:workflow", workspace.slug)
    return render(request, "publishing/workflow.html", {"workspace": workspace, "nav": "posts", "form": form})
