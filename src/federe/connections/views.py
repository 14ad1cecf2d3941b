from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, has_perm
from federe.connections import queries, schedule, services, targets
from federe.connections.forms import ConnectionForm
from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.base import setup_steps
from federe.connectors.capabilities import CAPABILITY_LABELS
from federe.core.pages import add_errors, workspace_page
from federe.core.refusals import error_text
from federe.core.requests import WorkspaceRequest
from federe.moderation.actions import moderates
from federe.moderation.actions import offered as offered_actions


@workspace_page()
def channel_list(request: WorkspaceRequest, slug: str) -> HttpResponse:
    workspace = request.workspace
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        config, credentials = form.config_and_credentials()
        try:
            connection = services.create_connection(
                workspace=workspace,
                network=form.cleaned_data["network"],
                name=form.cleaned_data["name"],
                config=config,
                credentials=credentials,
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            flash.success(
                request, _("Channel “%(name)s” added; its first sync starts now.") % {"name": connection.name}
            )
            return redirect("connections:detail", slug=slug, pk=connection.pk)
    return render(
        request,
        "connections/list.html",
        {
            "workspace": workspace,
            "nav": "channels",
            "connections": queries.connections_of(workspace),
            "form": form,
            "can_manage": has_perm(request.user, workspace, Perm.MANAGE_CONNECTIONS),
        },
    )


@workspace_page()
def channel_detail(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    connection = _channel_or_404(workspace, pk)
    connector_cls = registry.connector_class(connection.network)
    return render(
        request,
        "connections/detail.html",
        {
            "workspace": workspace,
            "nav": "channels",
            "connection": connection,
            "connector": connector_cls,
            "capabilities": [CAPABILITY_LABELS[c] for c in sorted(connector_cls.capabilities)],
            "runs": queries.recent_runs(workspace, connection),
            "setup_help": setup_steps(
                connector_cls, {"hook_url": _hook_url(request, connection), "workspace": workspace.slug}
            ),
            "can_sync": has_perm(request.user, workspace, Perm.SYNC),
            "can_manage": has_perm(request.user, workspace, Perm.MANAGE_CONNECTIONS),
            "actions": [verdict.label for verdict in offered_actions(connection)],
            "moderates": moderates(connection),
            "chosen_targets": targets.chosen(connection),
            "missed": connector_cls.missed_periods(connection.cursor),
            "pace": _pace_text(connection),
        },
    )


def _pace_text(connection: Connection) -> str:
    """How often the channel is polled, when its network paces it (connections.pacing); empty otherwise."""
    pace = schedule.channel_pace(connection)
    if pace is None:
        return ""
    return ngettext(
        "Every %(floor)s s while new messages arrive, then less and less often, down to every %(ceiling)s s when "
        "the channel is quiet; at most %(count)s sync per hour. A notification from the network brings a sync "
        "forward at once.",
        "Every %(floor)s s while new messages arrive, then less and less often, down to every %(ceiling)s s when "
        "the channel is quiet; at most %(count)s syncs per hour. A notification from the network brings a sync "
        "forward at once.",
        pace.budget,
    ) % {"floor": f"{pace.floor:g}", "ceiling": f"{pace.ceiling:g}", "count": pace.budget}


@workspace_page(Perm.MANAGE_CONNECTIONS)
def channel_targets(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    """The places the channel may follow, fetched from the network on demand (no transaction is open here)."""
    workspace = request.workspace
    connection = _channel_or_404(workspace, pk)
    if not targets.chooses_targets(connection):  # nothing to choose on this network: back to its page, saying so
        flash.error(request, _("%(network)s has nothing to choose from.") % {"network": connection.network_label})
        return redirect("connections:detail", slug=slug, pk=pk)
    listing = targets.fetch_targets(connection)
    selected, error, status = targets.chosen(connection), "", 200
    if request.method == "POST" and not listing.error:
        selected = request.POST.getlist("targets")
        try:
            targets.choose_targets(connection=connection, ids=selected, listed=listing.targets, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            error, status = error_text(exc), 400
        else:
            flash.success(request, _("Saved: the channel follows what you chose from its next sync."))
            return redirect("connections:detail", slug=slug, pk=pk)
    context = {
        "workspace": workspace,
        "nav": "channels",
        "connection": connection,
        "connector": registry.connector_class(connection.network),
        "listing": listing,
        "selected": selected,
        "error": error,
    }
    return render(request, "connections/targets.html", context, status=status)


def _channel_or_404(workspace: Workspace, pk: int) -> Connection:
    try:
        return queries.connection_of(workspace, pk)
    except Connection.DoesNotExist as exc:
        raise Http404 from exc


def _hook_url(request: WorkspaceRequest, connection: Connection) -> str:
    """The channel's private sync address, for those who manage channels ("" for the others)."""
    if not has_perm(request.user, request.workspace, Perm.MANAGE_CONNECTIONS):
        return ""
    token = services.sync_hook_token(connection.pk)
    return request.build_absolute_uri(reverse("connections:sync-hook", args=[connection.pk, token]))


@workspace_page(post=True)
def channel_sync(request: WorkspaceRequest, slug: str, pk: int) -> HttpResponse:
    workspace = request.workspace
    connection = _channel_or_404(workspace, pk)
    try:
        services.request_sync(connection, by=request.user)
    except PermissionDenied as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("Sync requested: a worker picks it up within seconds."))
    return redirect("connections:detail", slug=slug, pk=pk)


@csrf_exempt
@require_POST
def sync_hook(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Called by a network (e.g. contrib/wordpress/federe-notify.php) when something changed."""
    comment = request.POST.get("comment", "")
    about = comment if comment.isascii() and comment.isdigit() and len(comment) < 20 else ""  # logged: digits only
    if not services.nudge_sync(pk, token, about=about):
        raise Http404
    return HttpResponse(status=202)
