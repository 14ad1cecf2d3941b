"""federe moderation: rules, back-tests and decisions from the command line."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from federe.accounts.models import Workspace
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.inbox.models import Message
from federe.moderation import queries, services
from federe.moderation.models import Rule


class Command(WorkspaceCommand):
    help = "Moderation: list rules, back-test a rule on past messages, or decide on messages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["rules", "backtest", "queue", "decide"])
        add_workspace_argument(parser)
        parser.add_argument("--rule", type=int, help="Rule id (backtest).")
        parser.add_argument("--action", help="approve, hold, spam, remove, delete or ban (decide).")
        parser.add_argument("--as", dest="username", help="The moderator deciding (decide).")
        parser.add_argument(
            "--messages", dest="message_ids", nargs="+", type=int, default=[], help="Message ids (decide)."
        )

    def do_rules(self, workspace: Workspace, options: dict[str, Any]) -> None:
        for rule in queries.rules_of(workspace):
            version = rule.current
            state = "on " if rule.enabled else "off"
            self.stdout.write(
                f"{rule.pk:>4} {state} v{version.number} {rule.name}: {version.match} "
                f"{version.conditions} -> {version.actions}"
            )

    def do_backtest(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rule = Rule.objects.filter(workspace=workspace, pk=options["rule"]).first()
        if rule is None:
            raise CommandError("Give an existing --rule id (see 'federe moderation rules').")
        v = rule.current
        result = services.backtest(workspace=workspace, match=v.match, conditions=v.conditions, actions=v.actions)
        self.stdout.write(f"{rule.name} v{v.number}: matched {result.matched} of {result.examined} messages")
        self.stdout.write(f"  moderators' decisions on those: {dict(result.human)}")
        self.stdout.write(f"  would miss: {dict(result.missed)}")

    def do_queue(self, workspace: Workspace, options: dict[str, Any]) -> None:
        for message in queries.queue(workspace)[:100]:
            reasons = "; ".join(r for d in message.decisions.all() for r in d.reason_texts)
            self.stdout.write(
                f"{message.pk:>6} [{message.network_status}] {message.author}: {message.body_text[:70]!r} {reasons}"
            )

    def do_decide(self, workspace: Workspace, options: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=options["username"] or "").first()
        if user is None:
            raise CommandError("Name the moderator with --as USERNAME.")
        messages = list(Message.objects.filter(workspace=workspace, pk__in=options["message_ids"]))
        if not messages:
            raise CommandError("Give message ids of this workspace (see 'federe moderation queue').")
        for decision in services.decide(messages=messages, action=options["action"] or "", by=user):
            self.stdout.write(
                f"{decision.message_id}: {decision.action} -> {decision.network_state} {decision.network_detail}"
            )
