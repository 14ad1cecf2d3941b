"""The Team page (/w/<slug>/team/) and the invitation link (/invitation/<token>/)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from federe.accounts import team
from federe.accounts.forms import AddMemberForm, JoinForm, RoleForm
from federe.accounts.models import Invitation, Membership, Role, User, Workspace
from federe.accounts.queries import members_of
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@workspace_page()
def team_page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    form = AddMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = team.add_or_invite(
                workspace=workspace,
                who=form.cleaned_data["who"],
                role=form.cleaned_data["role"],
                by=request.user,
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            flash.error(request, error_text(exc))
        else:
            if isinstance(added, Invitation):
                flash.success(request, _("Invitation sent to %(email)s.") % {"email": added.email})
            else:
                flash.success(request, _("%(user)s joined the team.") % {"user": added.user.get_username()})
            return redirect("accounts:team", slug=slug)
    context = {
        "workspace": workspace,
        "nav": "team",
        "form": form,
        "members": members_of(workspace),
        "invitations": team.pending(workspace).select_related("invited_by"),
        "roles": Role.choices,
    }
    return render(request, "accounts/team.html", context, status=422 if form.errors else 200)


def _membership(workspace: Workspace, pk: int) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("user", "workspace"), workspace=workspace, pk=pk)
    return membership


@workspace_page(post=True)
def change_role(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    membership = _membership(workspace, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Choose one of the roles offered."))
        return redirect("accounts:team", slug=slug)
    try:
        team.change_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("%(user)s's role is changed.") % {"user": membership.user.get_username()})
    return redirect("accounts:team", slug=slug)


@workspace_page(post=True)
def remove_member(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    membership = _membership(workspace, pk)
    try:
        team.remove(membership=membership, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
        return redirect("accounts:team", slug=slug)
    flash.success(request, _("%(user)s left the team.") % {"user": membership.user.get_username()})
    if membership.user_id == request.user.pk:
        return redirect("core:home")
    return redirect("accounts:team", slug=slug)


@workspace_page(post=True)
def revoke_invitation(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    invitation = get_object_or_404(Invitation.objects.select_related("workspace"), workspace=workspace, pk=pk)
    try:
        team.revoke_invitation(invitation=invitation, by=request.user)
    except (PermissionDenied, ValidationError) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Invitation withdrawn."))
    return redirect("accounts:team", slug=slug)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link: a logged-in user joins as themselves, a visitor creates their account."""
    try:
        invitation = team.invitation_for(token)
    except ValidationError as exc:
        return render(request, "accounts/invitation.html", {"problem": error_text(exc)}, status=410)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and (request.user.is_authenticated or form.is_valid()):
        try:
            membership = _accept(request, token, form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            flash.success(request, _("Welcome to %(ws)s.") % {"ws": membership.workspace.name})
            return redirect("core:overview", slug=membership.workspace.slug)
    context = {"invitation": invitation, "form": form}
    return render(request, "accounts/invitation.html", context, status=422 if form.errors else 200)


def _accept(request: HttpRequest, token: str, form: JoinForm) -> Membership:
    if isinstance(request.user, User):  # logged in: joins as themselves
        return team.accept(token=token, user=request.user)
    membership = team.accept(
        token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
    )
    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return membership
