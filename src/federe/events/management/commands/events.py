"""federe events list|create|show|collect|check-in: events from the command line (--as a member for changes)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from federe.accounts.models import User, Workspace
from federe.core import params
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.events import queries, services
from federe.events.models import EntryRule, Event, Registration, Status


class Command(WorkspaceCommand):
    help = "Events: list, create, show ID (registrations and counts), collect ID, check-in ID REGISTRATION (--undo)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["list", "create", "show", "collect", "check-in"])
        parser.add_argument("target", nargs="?", help="The event's number (show, collect, check-in).")
        parser.add_argument("registration", nargs="?", type=int, help="check-in: the registration's number.")
        add_workspace_argument(parser)
        parser.add_argument("--as", dest="username", help="The member who acts (create, collect, check-in).")
        parser.add_argument("--title", default="")
        parser.add_argument("--description", default="")
        parser.add_argument("--start", default="", help="2026-12-01T18:00 (the workspace's clock) or with an offset.")
        parser.add_argument("--end", default="")
        parser.add_argument("--place", default="")
        parser.add_argument("--link", default="", help="An online event's address.")
        parser.add_argument("--capacity", type=int, default=None)
        parser.add_argument("--status", choices=Status.values, default=Status.OPEN)
        parser.add_argument("--rule", choices=[r for r in EntryRule.values if r], default="")
        parser.add_argument("--term", default="", help="The hashtag or the keyword that registers by message.")
        parser.add_argument("--undo", action="store_true", help="check-in: undo it.")

    def _member(self, workspace: Workspace, options: dict[str, Any]) -> User:
        user = User.objects.filter(username=options["username"] or "", memberships__workspace=workspace).first()
        if user is None:
            raise CommandError(_("Give --as with the username of a member of the workspace."))
        return user

    def _event(self, workspace: Workspace, options: dict[str, Any]) -> Event:
        try:
            return queries.event(workspace, int(options["target"] or 0))
        except (Event.DoesNotExist, ValueError) as exc:
            raise CommandError(_("No event %(id)s in this workspace.") % {"id": options["target"]}) from exc

    def do_list(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rows = list(queries.events(workspace))
        if not rows:
            self.stdout.write(_("No event yet."))
        for e in rows:
            self.stdout.write(
                f"{e.pk} · {e.title} · {e.get_status_display()} · {e.starts_at:%Y-%m-%d %H:%M} UTC · "
                + _("registered: %(registered)d, checked in: %(checked)d")
                % {"registered": getattr(e, "registered_count", 0), "checked": getattr(e, "checked_in_count", 0)}
                + f" · /e/{e.public_id}/"
            )

    def do_create(self, workspace: Workspace, options: dict[str, Any]) -> None:
        zone = ZoneInfo(workspace.timezone)
        fields = services.Fields(
            title=options["title"],
            description=options["description"],
            starts_at=params.moment(options["start"], zone),
            ends_at=params.moment(options["end"], zone),
            online=bool(options["link"]),
            place=options["place"],
            link=options["link"],
            capacity=options["capacity"],
            status=options["status"],
            rule=options["rule"],
            term=options["term"],
        )
        event = services.add(workspace=workspace, fields=fields, by=self._member(workspace, options))
        self.stdout.write(_("Event %(id)d created: %(title)s.") % {"id": event.pk, "title": event.title})

    def do_show(self, workspace: Workspace, options: dict[str, Any]) -> None:
        event = self._event(workspace, options)
        for r in queries.registrations(event):
            checked = _("checked in") if r.checked_in_at else ""
            self.stdout.write(f"{r.pk} · {r.name} · {r.get_source_display()} · {r.get_state_display()} {checked}")
        c = queries.counts(event)
        self.stdout.write(
            _("Registered: %(registered)d · waiting list: %(waiting)d · checked in: %(checked)d · no-shows: %(absent)d")
            % {"registered": c.registered, "waiting": c.waiting, "checked": c.checked_in, "absent": c.no_shows}
        )

    def do_collect(self, workspace: Workspace, options: dict[str, Any]) -> None:
        event = self._event(workspace, options)
        created = services.collect_registrations(event=event, by=self._member(workspace, options))
        self.stdout.write(_("New registrations from messages: %(count)d") % {"count": created})

    def do_check_in(self, workspace: Workspace, options: dict[str, Any]) -> None:
        event = self._event(workspace, options)
        try:
            registration = queries.registration(event, options["registration"] or 0)
        except Registration.DoesNotExist as exc:
            raise CommandError(_("No such registration for this event.")) from exc
        done = services.check_in(registration=registration, by=self._member(workspace, options), undo=options["undo"])
        self.stdout.write(
            (_("%(name)s is no longer checked in.") if options["undo"] else _("%(name)s is checked in."))
            % {"name": done.name}
        )
