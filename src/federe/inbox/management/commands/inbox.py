"""federe inbox views|bulk|filters: a member's named views with their counts, one bulk action on threads (assign,
close, label, unlabel, read, unread: all threads or none), and a member's saved filters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from federe.accounts.models import User, Workspace
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.inbox import bulk_actions, named_views, queries, saved_filters
from federe.inbox.models import Conversation


class Command(WorkspaceCommand):
    help = "Inbox: a member's views and counts, a bulk action on threads, a member's saved filters."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["views", "bulk", "filters"])
        parser.add_argument("action", nargs="?", choices=bulk_actions.ACTIONS, help="The bulk action (bulk).")
        add_workspace_argument(parser)
        parser.add_argument("--as", dest="username", required=True, help="The member acting (or reading).")
        parser.add_argument("--threads", nargs="+", type=int, default=[], help="Thread ids (bulk).")
        parser.add_argument("--assignee", default="", help="assign: a member's username; empty: nobody.")
        parser.add_argument("--label", default="", help="label / unlabel: the label's name.")

    def _member(self, workspace: Workspace, options: dict[str, Any]) -> User:
        user = User.objects.filter(username=options["username"], memberships__workspace=workspace).first()
        if user is None:
            raise CommandError(_("This person is not a member of the workspace."))
        return user

    def do_views(self, workspace: Workspace, options: dict[str, Any]) -> None:
        counts = queries.view_counts(workspace, self._member(workspace, options))
        for slug, view in named_views.VIEWS.items():
            self.stdout.write(f"{slug:<12} {counts[slug]:>6}  {view.label}")

    def do_filters(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rows = list(saved_filters.of(workspace, self._member(workspace, options)))
        if not rows:
            self.stdout.write(_("No saved filter yet."))
        for f in rows:
            self.stdout.write(f"{f.pk} · {f.name} · ?{f.query}")

    def do_bulk(self, workspace: Workspace, options: dict[str, Any]) -> None:
        by, ids, action = self._member(workspace, options), options["threads"], options["action"]
        if not action:
            raise CommandError(_("Choose what to do with the selected threads."))
        try:
            if action == "assign":
                assignee = None
                if options["assignee"]:
                    assignee = User.objects.filter(username=options["assignee"]).first()
                    if assignee is None:
                        raise ValidationError(_("This person is not a member of the workspace."))
                done = bulk_actions.assign(workspace, ids, assignee, by=by)
            elif action == "close":
                done = bulk_actions.close(workspace, ids, by=by)
            elif action in ("label", "unlabel"):
                done = bulk_actions.label(workspace, ids, options["label"], by=by, remove=action == "unlabel")
            else:
                done = bulk_actions.mark(workspace, ids, by=by, read=action == "read")
        except Conversation.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(done.message)
