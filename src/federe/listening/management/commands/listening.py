"""federe listening: saved queries, their mentions, the live preview, share of voice and alerts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Count

from federe.accounts.models import Workspace
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.listening import services, voice
from federe.listening.models import Alert, Mention, SavedQuery


class Command(WorkspaceCommand):
    help = "Listening: list, add and preview queries, print mentions, share of voice (CSV) and alerts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["queries", "add", "preview", "mentions", "voice", "alerts"])
        add_workspace_argument(parser)
        parser.add_argument("--name", help="Query name (add).")
        parser.add_argument("--kind", help="brand, product, competitor or topic (add; required).")
        parser.add_argument("--brand", default="", help="The brand a brand or competitor query counts for (add).")
        parser.add_argument("--query", help="Query text (add, preview); see docs/query-language.md.")
        parser.add_argument("--id", type=int, help="Query id (mentions).")
        parser.add_argument("--by", default="day", choices=["day", "week"], help="Period (voice).")
        parser.add_argument("--as", dest="username", help="The member making the change (add).")

    def do_queries(self, workspace: Workspace, options: dict[str, Any]) -> None:
        for q in SavedQuery.objects.filter(workspace=workspace).annotate(n=Count("mentions")):
            brand = f" [{q.brand}]" if q.brand else ""
            self.stdout.write(f"{q.pk:>4} {q.kind:<10} {q.name}{brand}: {q.text}  ({q.n} mentions)")

    def do_add(self, workspace: Workspace, options: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=options["username"] or "").first()
        if user is None or not options["name"] or not options["query"] or not options["kind"]:
            raise CommandError("Give --name, --kind, --query and --as USERNAME.")
        q = services.save_query(
            workspace=workspace,
            by=user,
            name=options["name"],
            kind=options["kind"],
            brand=options["brand"],
            text=options["query"],
        )
        self.stdout.write(f"query {q.pk} saved; {q.mentions.count()} recent messages match")

    def do_preview(self, workspace: Workspace, options: dict[str, Any]) -> None:
        for m in services.preview(workspace, options["query"] or ""):
            self.stdout.write(f"{m.posted_at:%Y-%m-%d %H:%M} {m.connection.name}: {m.body_text[:120]}")

    def do_mentions(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rows = Mention.objects.filter(workspace=workspace, query_id=options["id"]).select_related("message")[:100]
        for mention in rows:
            m = mention.message
            self.stdout.write(f"{mention.posted_at:%Y-%m-%d %H:%M} [{m.sentiment or '-'}] {m.body_text[:120]} {m.url}")

    def do_voice(self, workspace: Workspace, options: dict[str, Any]) -> None:
        by = options["by"]
        points = voice.share_of_voice(workspace, days=90 if by == "week" else 30, by=by)
        self.stdout.write(voice.voice_csv(points), ending="")

    def do_alerts(self, workspace: Workspace, options: dict[str, Any]) -> None:
        for alert in Alert.objects.filter(workspace=workspace).select_related("query")[:50]:
            state = "ongoing" if alert.ended_at is None else f"ended {alert.ended_at:%Y-%m-%d %H:%M}"
            self.stdout.write(f"{alert.fired_at:%Y-%m-%d %H:%M} {alert.kind} ({state}): {services.describe(alert)}")
