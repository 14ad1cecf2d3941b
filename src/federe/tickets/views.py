"""The escalation teams page (managers and owners: destinations, secrets shown once), the thread's "Escalate…"
and status actions, and the teams' public inbound webhook (JSON answers, never a page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from federe.accounts.permissions import Perm
from federe.core.confirm import ask_again, is_confirmed
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.inbox import queries as inbox_queries
from federe.inbox.models import Conversation, Message
from federe.listening.models import Mention
from federe.tickets import inbound, queries, services, teams
from federe.tickets.forms import EscalateForm, StatusForm, TeamForm
from federe.tickets.models import Team, Ticket
from federe.tickets.thread import escalate_choices


def inbound_url(team: Team) -> str:
    from django.conf import settings

    return settings.FEDERE_BASE_URL.rstrip("/") + reverse("tickets:hook", args=[team.public_id])


def _render(
    request: WorkspaceRequest,
    *,
    form: TeamForm | None = None,
    edit_forms: dict[int, TeamForm] | None = None,
    given: tuple[Team, dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    edit_forms = edit_forms or {}
    rows = [
        (
            team,
            inbound_url(team),
            edit_forms.get(team.pk)
            or TeamForm(
                prefix=f"t{team.pk}",
                initial={
                    "kind": team.kind,
                    "name": team.name,
                    "email": team.email,
                    "webhook_url": team.endpoint.url if team.endpoint else "",
                    "language": team.language,
                },
            ),
        )
        for team in queries.teams_of(request.workspace)
    ]
    response = render(
        request,
        "tickets/teams.html",
        {
            "workspace": request.workspace,
            "nav": "escalation",
            "form": form or TeamForm(initial={"language": request.LANGUAGE_CODE[:2]}),
            "teams": rows,
            "given": given,
        },
        status=status,
    )
    if given:
        response["Cache-Control"] = "no-store"  # the secrets are on this page once: never kept by a cache
    return response


def _choices(form: TeamForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in ("kind", "name", "email", "webhook_url", "language")}


@workspace_page(perm=Perm.MANAGE_WEBHOOKS)
def teams_page(request: WorkspaceRequest, slug: str) -> HttpResponse:
    return _render(request)


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def create_team(request: WorkspaceRequest, slug: str) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team, given = teams.create_team(workspace=request.workspace, by=request.user, **_choices(form))
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            return _render(request, given=(team, given))
    return _render(request, form=form, status=400)


def _team(request: WorkspaceRequest, pk: int) -> Team:
    return get_object_or_404(Team.objects.select_related("endpoint", "workspace"), workspace=request.workspace, pk=pk)


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def edit_team(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    team = _team(request, pk)
    form = TeamForm(request.POST, prefix=f"t{team.pk}")
    if form.is_valid():
        try:
            team, new_secret = teams.update_team(team=team, by=request.user, **_choices(form))
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            if new_secret:
                return _render(request, given=(team, {"outgoing": new_secret}))
            flash.success(request, _("Saved."))
            return redirect("tickets:teams", slug)
    return _render(request, edit_forms={team.pk: form}, status=400)


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def rotate_team_secret(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    team = _team(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("A new secret replaces the current one at once: the team must sign with the new one."),
            confirm_label=_("Rotate the secret"),
            back=reverse("tickets:teams", args=[slug]),
        )
    return _render(request, given=(team, {"inbound": teams.rotate_inbound_secret(team=team, by=request.user)}))


@workspace_page(perm=Perm.MANAGE_WEBHOOKS, post=True)
def delete_team(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    team = _team(request, pk)
    if not is_confirmed(request):
        return ask_again(
            request,
            consequence=_("The team and its webhook are deleted; its address stops accepting updates."),
            confirm_label=_("Delete this team"),
            back=reverse("tickets:teams", args=[slug]),
        )
    try:
        teams.delete_team(team=team, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Team deleted."))
    return redirect("tickets:teams", slug)


@workspace_page(post=True)
def escalate(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    try:
        conv = inbox_queries.conversation(workspace, pk)
    except Conversation.DoesNotExist as exc:
        raise Http404 from exc
    form = EscalateForm(request.POST, **escalate_choices(workspace, conv))
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("inbox:thread", slug, conv.pk)
    data = form.cleaned_data
    mention_id = data.get("mention")
    try:
        services.create_ticket(
            message=Message.objects.get(workspace=workspace, conversation=conv, pk=data["message"]),
            team=Team.objects.get(workspace=workspace, pk=data["team"]),
            by=request.user,
            priority=data["priority"],
            note=data["note"],
            mention=Mention.objects.filter(workspace=workspace, pk=mention_id).first() if mention_id else None,
        )
    except (ValidationError, PermissionDenied) as exc:
        flash.error(request, error_text(exc))
    else:
        flash.success(request, _("Ticket sent to the team."))
    return redirect("inbox:thread", slug, conv.pk)


@workspace_page(post=True)
def change_status(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("team", "workspace"), workspace=request.workspace, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            services.set_status(
                ticket=ticket, status=form.cleaned_data["status"], by=request.user, note=form.cleaned_data["note"]
            )
        except (ValidationError, PermissionDenied) as exc:
            flash.error(request, error_text(exc))
        else:
            flash.success(request, _("Ticket status saved; the team is told."))
    return redirect("inbox:thread", slug, ticket.conversation_id)


def _refusal(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
@require_POST
def hook(request: HttpRequest, public_id: str) -> HttpResponse:
    """A team's signed status update (inbound.py); JSON in, JSON out."""
    try:
        body = request.body
    except RequestDataTooBig:
        return _refusal(413, "too_big", _("The body is too big."))
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        ticket, change, duplicate = inbound.receive(public_id, headers, body)
    except inbound.Refused as refused:
        return _refusal(refused.status, refused.code, refused.message)
    return JsonResponse(
        {"ticket": ticket.pk, "status": ticket.status, "changed": change is not None, "duplicate": duplicate},
        json_dumps_params={"ensure_ascii": False},
    )
