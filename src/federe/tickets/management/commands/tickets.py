"""federe tickets teams|list|create|status: the workspace's escalation teams, its tickets, escalate a message as a
member, move a ticket's status as a member (the team is told as from the page)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from federe.accounts.models import User, Workspace
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.core.params import whole_number
from federe.inbox.models import Message
from federe.listening.models import Mention
from federe.tickets import queries, services
from federe.tickets.models import Priority, Team, Ticket, TicketStatus


class Command(WorkspaceCommand):
    help = "Escalation tickets: federe tickets teams|list|create|status --workspace SLUG."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["teams", "list", "create", "status"])
        parser.add_argument("ticket", nargs="?", help="The ticket's id (status).")
        add_workspace_argument(parser)
        parser.add_argument("--message", help="The message to escalate (create).")
        parser.add_argument("--team", help="The team's id (create; a filter for list).")
        parser.add_argument("--priority", choices=Priority.values, default=Priority.NORMAL)
        parser.add_argument("--note", default="", help="A note for the team (create, status).")
        parser.add_argument("--mention", help="A listening mention's id (create, marketing teams).")
        parser.add_argument("--status", choices=TicketStatus.values, help="The new status (status); a filter (list).")
        parser.add_argument("--as", dest="username", help="The member who acts (create, status).")

    def do_teams(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rows = list(queries.teams_of(workspace))
        if not rows:
            self.stdout.write(_("No escalation team yet."))
        for t in rows:
            where = " + ".join(x for x in (t.email, t.endpoint.url if t.endpoint else "") if x)
            self.stdout.write(f"{t.pk} · {t.name} · {t.get_kind_display()} · {where}")

    def do_list(self, workspace: Workspace, options: dict[str, Any]) -> None:
        team_id = _number(options["team"], "--team") if options["team"] else None
        rows = list(queries.tickets_of(workspace, status=options["status"] or "", team_id=team_id)[:500])
        if not rows:
            self.stdout.write(_("No ticket."))
        for t in rows:
            self.stdout.write(
                f"{t.pk} · {t.team.name} · {t.get_status_display()} · {t.get_priority_display()} · "
                f"{_('thread')} {t.conversation_id} · {t.created_at:%Y-%m-%d %H:%M}"
            )

    def do_create(self, workspace: Workspace, options: dict[str, Any]) -> None:
        by = _member(options)
        message = Message.objects.filter(workspace=workspace, pk=_number(options["message"], "--message")).first()
        team = Team.objects.filter(workspace=workspace, pk=_number(options["team"], "--team")).first()
        if message is None or team is None:
            raise CommandError(_("No such message or team in this workspace."))
        mention = None
        if options["mention"]:
            mention = Mention.objects.filter(workspace=workspace, pk=_number(options["mention"], "--mention")).first()
            if mention is None:
                raise CommandError(_("No such mention in this workspace."))
        ticket = services.create_ticket(
            message=message, team=team, by=by, priority=options["priority"], note=options["note"], mention=mention
        )
        self.stdout.write(_("Ticket %(n)s sent to %(team)s.") % {"n": ticket.pk, "team": team.name})

    def do_status(self, workspace: Workspace, options: dict[str, Any]) -> None:
        by = _member(options)
        if not options["status"]:
            raise CommandError(_("Give the new status with --status."))
        ticket = Ticket.objects.filter(workspace=workspace, pk=_number(options["ticket"], "ticket")).first()
        if ticket is None:
            raise CommandError(_("No such ticket in this workspace."))
        change = services.set_status(ticket=ticket, status=options["status"], by=by, note=options["note"])
        ticket.refresh_from_db()
        if change is None:
            self.stdout.write(_("Nothing changed."))
        else:
            self.stdout.write(
                _("Ticket %(n)s is now %(status)s.") % {"n": ticket.pk, "status": ticket.get_status_display()}
            )


def _number(raw: Any, name: str) -> int:
    value = whole_number(raw or "")
    if value is None:
        raise CommandError(_("%(name)s must be a whole number.") % {"name": name})
    return value


def _member(options: dict[str, Any]) -> Any:
    if not options["username"]:
        raise CommandError(_("Say who acts with --as USERNAME."))
    user = User.objects.filter(username=options["username"]).first()
    if user is None:
        raise CommandError(_("No user named %(name)s.") % {"name": options["username"]})
    return user
