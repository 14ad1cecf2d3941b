"""The Team page (/w/<slug>/team/) and the invitation link (/invitation/<token>/)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federe.accounts import team
from federe.accounts.forms import AddMemberForm, JoinForm, RoleForm, add_errors
from federe.accounts.models import Invitation, Membership, Role, Workspace
from federe.accounts.queries import members_of, workspace_for
from federe.core.requests import AuthedRequest


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _errors(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
def team_page(request: AuthedRequest, slug: str) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
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
            flash.error(request, _errors(exc))
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
    membership = Membership.objects.filter(workspace=workspace, pk=pk).select_related("user", "workspace").first()
    if membership is None:
        raise Http404
    return membership


@login_required
@require_POST
def change_role(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    membership = _membership(workspace, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Choose one of the roles offered."))
        return redirect("accounts:team", slug=slug)
    try:
        team.change_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
    else:
        flash.success(request, _("%(user)s's role is changed.") % {"user": membership.user.get_username()})
    return redirect("accounts:team", slug=slug)


@login_required
@require_POST
def remove_member(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    membership = _membership(workspace, pk)
    try:
        team.remove(membership=membership, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, _errors(exc))
        return redirect("accounts:team", slug=slug)
    flash.success(request, _("%(user)s left the team.") % {"user": membership.user.get_username()})
    if membership.user_id == request.user.pk:
        return redirect("core:home")
    return redirect("accounts:team", slug=slug)


@login_required
@require_POST
def revoke_invitation(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_for(request.user, slug)
    invitation = Invitation.objects.filter(workspace=workspace, pk=pk).select_related("workspace").first()
    if invitation is None:
        raise Http404
    try:
        team.revoke_invitation(invitation=invitation, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, _errors(exc))
    else:
        flash.success(request, _("Invitation withdrawn."))
    return redirect("accounts:team", slug=slug)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link: a logged-in user joins as themselves, a visitor creates their account."""
    try:
        invitation = team.invitation_for(token)
    except ValidationError as exc:
        return render(request, "accounts/invitation.html", {"problem": _errors(exc)}, status=410)
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
    if request.user.is_authenticated:
        return team.accept(token=token, user=request.user)  # type: ignore[arg-type]
    membership = team.accept(
        token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
    )
    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return membership
