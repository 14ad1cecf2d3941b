"""federe saved-replies list|import: the workspace's saved replies with their uses; import a CSV file (columns
title, language, body, and optionally folder and channel, the channel's name) in one go: every row is checked as
the page checks it, and nothing is created unless every row is right (--dry-run: check only)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import User, Workspace
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.replies import queries, transfer

MAX_BYTES = 1_000_000


class Command(WorkspaceCommand):
    help = "Saved replies: list them with their uses, or import a CSV file (title, language, body[, folder, channel])."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["list", "import"])
        parser.add_argument("file", nargs="?", help="The CSV file to import (UTF-8, a header line).")
        add_workspace_argument(parser)
        parser.add_argument("--language", choices=["fr", "en"], default="", help="Only this language (list).")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, create nothing (import).")
        parser.add_argument("--as", dest="username", help="Act as this member; the operator otherwise.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace_from(options)
        self.run(options["what"], workspace, options)

    def do_list(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rows = list(queries.listing(workspace, language=options["language"]))
        if not rows:
            self.stdout.write(_("No saved reply yet."))
        for r in rows:
            uses = ngettext("%(counter)s use", "%(counter)s uses", r.usage_count) % {"counter": r.usage_count}
            scope = r.connection.name if r.connection else _("every channel")
            self.stdout.write(f"{r.pk} · {r.folder or '-'} · {r.title} · {r.language} · {scope} · {uses}")

    def do_import(self, workspace: Workspace, options: dict[str, Any]) -> None:
        by = None
        if options["username"]:
            by = User.objects.filter(username=options["username"]).first()
            if by is None:
                raise CommandError(_("No user named %(name)s.") % {"name": options["username"]})
        rows = _read(options["file"])
        report = transfer.import_rows(workspace, rows, by=by, dry_run=options["dry_run"])
        for line, problem in report.problems:
            self.stdout.write(_("Line %(line)d: %(problem)s") % {"line": line, "problem": problem})
        if report.problems:
            raise CommandError(_("Nothing imported: correct the lines above first."))
        count = len(report.rows)
        if options["dry_run"]:
            self.stdout.write(
                ngettext(
                    "%(count)d saved reply would be imported.", "%(count)d saved replies would be imported.", count
                )
                % {"count": count}
            )
        else:
            self.stdout.write(
                ngettext("%(count)d saved reply imported.", "%(count)d saved replies imported.", count)
                % {"count": count}
            )


def _read(name: str | None) -> list[dict[str, str]]:
    if not name:
        raise CommandError(_("Give the CSV file to import."))
    path = Path(name)
    if not path.is_file():
        raise CommandError(_("No file %(name)s.") % {"name": name})
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise CommandError(_("The file is larger than 1 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(_("The file is not UTF-8 text.")) from exc
    reader = csv.DictReader(text.splitlines())
    missing = {"title", "language", "body"} - set(reader.fieldnames or [])
    if missing:
        raise CommandError(_("The header line lacks: %(columns)s.") % {"columns": ", ".join(sorted(missing))})
    return [{k: (v or "") for k, v in row.items() if k} for row in reader]
