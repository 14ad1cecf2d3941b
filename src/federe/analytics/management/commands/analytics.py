"""federe analytics show|rebuild: the dashboards' tables in the terminal (every family, or one, for a period and
optionally a channel, or as CSV); the summary tables counted again from every message, with progress."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.analytics import period as periods
from federe.analytics import rebuild, tables
from federe.connections.models import Connection
from federe.core.csvexport import csv_text
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument


class Command(WorkspaceCommand):
    help = "Dashboards: show the figures of a period (--days 7|30|90 or --since/--until), or rebuild the counts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["show", "rebuild"])
        add_workspace_argument(parser)
        parser.add_argument("--family", choices=list(tables.FAMILIES), help="One figure family (show).")
        parser.add_argument("--channel", type=int, help="One channel's id (show).")
        parser.add_argument("--days", help="7, 30 or 90 (show; 30 by default).")
        parser.add_argument("--since", help="First day, YYYY-MM-DD (show).")
        parser.add_argument("--until", help="Last day, YYYY-MM-DD, included (show).")
        parser.add_argument("--csv", action="store_true", help="One family as CSV (show, with --family).")

    def do_show(self, workspace: Workspace, options: dict[str, Any]) -> None:
        period = periods.parse(options["days"], options["since"], options["until"])
        channel = options["channel"]
        if channel is not None and not Connection.objects.filter(workspace=workspace, pk=channel).exists():
            raise CommandError(_("No channel %(id)s in this workspace.") % {"id": channel})
        scope = tables.Scope(workspace.pk, period, channel)
        if options["csv"]:
            if not options["family"]:
                raise CommandError(_("Say which family to write as CSV: --family."))
            header, rows = tables.FAMILIES[options["family"]](scope).csv()
            self.stdout.write(csv_text(header, rows, bom=False), ending="")
            return
        chosen = [tables.FAMILIES[options["family"]](scope)] if options["family"] else tables.dashboard(scope)
        compared = ngettext(
            "From %(since)s to %(last)s, compared with the previous %(n)d day.",
            "From %(since)s to %(last)s, compared with the previous %(n)d days.",
            period.days,
        )
        self.stdout.write(compared % {"since": period.since, "last": period.last, "n": period.days})
        for table in chosen:
            self.stdout.write("")
            self.stdout.write(f"== {table.title} ==")
            self._print(table.header, table.rows)
            for note in table.notes:
                self.stdout.write(note)

    def _print(self, header: list[str], rows: list[list[Any]]) -> None:
        if not rows:
            self.stdout.write(_("Nothing in this period."))
            return
        cells = [[str(c) for c in row] for row in [header, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        for row in cells:
            self.stdout.write(
                "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )

    def do_rebuild(self, workspace: Workspace, options: dict[str, Any]) -> None:
        def progress(what: str, done: int, total: int) -> None:
            label = _("messages") if what == "messages" else _("decisions")
            sys.stderr.write(f"\r{label}: {done:,}/{total:,}")
            if done >= total:
                sys.stderr.write("\n")

        messages, decisions = rebuild.rebuild(workspace.pk, progress)
        self.stdout.write(
            ngettext("%(n)d message counted again.", "%(n)d messages counted again.", messages) % {"n": messages}
        )
        self.stdout.write(
            ngettext("%(n)d decision counted again.", "%(n)d decisions counted again.", decisions) % {"n": decisions}
        )
