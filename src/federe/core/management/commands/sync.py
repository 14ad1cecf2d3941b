"""federe sync: fetch new messages now, without waiting for the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from federe.connections.models import Connection
from federe.connections.services import sync_connection


class Command(BaseCommand):
    help = "Fetch new messages now from the given channels (ids), or every channel of --workspace."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("connection_ids", nargs="*", type=int, help="Channel ids (see the Channels page).")
        parser.add_argument("--workspace", help="Sync every enabled channel of this workspace (short name).")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = Connection.objects.filter(enabled=True)
        if options["workspace"]:
            qs = qs.filter(workspace__slug=options["workspace"])
        if options["connection_ids"]:
            qs = qs.filter(pk__in=options["connection_ids"])
        elif not options["workspace"]:
            raise CommandError("Name channel ids, or --workspace SLUG.")
        connections = list(qs.order_by("pk"))
        if not connections:
            raise CommandError("No enabled channel matches.")
        failed = 0
        for connection in connections:
            outcome = sync_connection(connection.pk, worker_id="cli")
            if outcome is None:
                self.stdout.write(f"{connection.name}: another worker is syncing it right now; skipped.")
                continue
            run = outcome.run
            line = f"{connection.name}: {run.stored} new, {run.updated} updated, {run.malformed} skipped"
            if run.error:
                failed += 1
                line += f" — failed: {run.error}"
            self.stdout.write(line)
        if failed:
            raise CommandError(f"Channels that failed: {failed}; their cursor is kept and the next sync retries.")
