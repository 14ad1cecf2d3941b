"""federe sla list|show|refresh: the workspace's SLA policies in the order they are tried; a thread's clocks (each
target: due time, met or time left); the clocks of every open thread computed again (after an upgrade, or for
threads older than the first policy)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.core.params import whole_number
from federe.inbox import queries as inbox_queries
from federe.inbox.models import Conversation
from federe.sla import queries, tracking, words


def _minutes(value: int | None) -> str:
    return "-" if value is None else words.duration(timedelta(minutes=value))


class Command(WorkspaceCommand):
    help = "SLA policies: list them in order, show a thread's clocks, or compute every open thread's clocks again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["list", "show", "refresh"])
        parser.add_argument("thread", nargs="?", default="", help="The thread's id (show).")
        add_workspace_argument(parser)

    def do_list(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rows = list(queries.policies(workspace))
        if not rows:
            self.stdout.write(_("No SLA policy yet."))
        for p in rows:
            channels = ", ".join(c.name for c in p.channels.all()) or _("every channel")
            priorities = ", ".join(p.priorities) or _("every priority")
            targets = " / ".join(
                _minutes(m) for m in (p.first_response_minutes, p.next_response_minutes, p.resolution_minutes)
            )
            self.stdout.write(
                f"{p.position + 1}. {p.name} · {channels} · {priorities} · {targets} · {p.get_hours_display()}"
            )

    def do_show(self, workspace: Workspace, options: dict[str, Any]) -> None:
        pk = whole_number(options["thread"])
        try:
            conv = inbox_queries.conversation(workspace, pk) if pk else None
        except Conversation.DoesNotExist:
            conv = None
        if conv is None:
            raise CommandError(_("No thread %(id)s in this workspace.") % {"id": options["thread"][:20]})
        clock = queries.clock_of(conv)
        if clock is None or clock.policy is None:
            self.stdout.write(_("No SLA policy applies to this thread."))
            return
        self.stdout.write(_("Policy: %(name)s") % {"name": clock.policy.name})
        for line in words.lines(clock, timezone.now()):
            self.stdout.write(f"{capfirst(line.label)}: {line.words}")

    def do_refresh(self, workspace: Workspace, options: dict[str, Any]) -> None:
        count = tracking.refresh_open(workspace.pk)
        self.stdout.write(
            ngettext("%(count)d open thread's clocks computed.", "%(count)d open threads' clocks computed.", count)
            % {"count": count}
        )
