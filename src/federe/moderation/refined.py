"""The score-based rules again, on the deep tier's refined scores (``nlp.refine``): in the batch's transaction.

- A rule acts at most once on a message: a rule that already has a decision on it (at ingest, or an earlier
  refinement) is not run again.
- A message that already has a verdict (a rule's or a moderator's, applied on the network or on its way) is never
  reversed by refined scores: where a rule would now decide otherwise, or a rule that decided no longer matches,
  the message goes back to the review queue with a "review" decision that says why, in words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import transaction

from federe.analytics import rollup as analytics_rollup
from federe.inbox import services as inbox
from federe.inbox.models import Message, ReviewState
from federe.moderation import rules, side_effects
from federe.moderation.models import Decision, NetworkState, RuleVersion, SideAction, Verdict
from federe.moderation.services import _audit_rule_decisions, _decision, active_versions
from federe.webhooks import announce as webhooks_announce

#: What puts a message in the review queue when a rule decides it.
TO_REVIEW = {Verdict.HOLD, Verdict.SPAM, SideAction.LABEL, SideAction.NOTIFY, SideAction.REVIEW}


def score_rules(workspace_id: int) -> list[RuleVersion]:
    """The workspace's active rules that test a classifier score, in the order they run."""
    return [v for v in active_versions(workspace_id) if any(c.get("type") == "score" for c in v.conditions)]


def after_refined(workspace_id: int, messages: Sequence[Message]) -> list[Decision]:
    """Run the score-based rules on messages whose scores were just refined; the decisions made."""
    versions = score_rules(workspace_id)
    if not versions or not messages:
        return []
    facts = rules.facts_for(messages)
    earlier = defaultdict(list)  # message id → its decisions so far, oldest first
    for d in Decision.objects.filter(message__in=messages).select_related("rule_version").order_by("created_at", "pk"):
        earlier[d.message_id].append(d)
    decisions: list[Decision] = []
    for message in messages:
        decisions += _decide(message, versions, facts[message.pk], earlier[message.pk])
    if decisions:
        _record(workspace_id, decisions)
    return decisions


def _decide(message: Message, versions: list[RuleVersion], facts: Any, earlier: list[Decision]) -> list[Decision]:
    acted = {d.rule_version.rule_id for d in earlier if d.rule_version_id}  # type: ignore[union-attr]
    verdict = next((d for d in earlier if d.action in Verdict.values), None)
    out: list[Decision] = []
    for version in versions:
        try:
            reasons = rules.matches(version, facts)
        except Exception:  # noqa: S112 - a rule that cannot be evaluated is switched off by ingest, not here
            continue
        if version.rule_id in acted:
            mine = [d for d in earlier if d.rule_version_id and d.rule_version.rule_id == version.rule_id]  # type: ignore[union-attr]
            decided = next((d for d in mine if d.action in Verdict.values), None)
            flagged = any(d.action == SideAction.REVIEW for d in mine)
            if reasons is None and decided is not None and not flagged:
                out.append(_flag(message, version, "refined_unmet", decided, facts))
            continue
        if reasons is None:
            continue
        wanted = next((a["type"] for a in version.actions if a["type"] in Verdict.values), None)
        if wanted is not None and verdict is None:
            verdict = _decision(message, wanted, reasons=reasons, version=version)
            out.append(verdict)
        elif wanted is not None and verdict is not None and verdict.action != wanted:
            out.append(_flag(message, version, "refined_would", verdict, facts, would=wanted))
        for action in version.actions:
            if action["type"] in (SideAction.LABEL, SideAction.ASSIGN, SideAction.NOTIFY):
                detail = str(action.get("label") or action.get("username") or "")
                out.append(_decision(message, action["type"], reasons=reasons, version=version, detail=detail))
        acted.add(version.rule_id)
    return out


def _flag(
    message: Message, version: RuleVersion, code: str, decided: Decision, facts: Any, would: str = ""
) -> Decision:
    """A "review" decision: what the refined scores say, and the earlier decision they would have changed."""
    scores = [
        {"task": c["task"], "value": round(facts.scores.get(c["task"], 0.0), 2), "min": c.get("min")}
        for c in version.conditions
        if c.get("type") == "score"
    ]
    params = {"decided": decided.action, "applied": decided.network_state == NetworkState.DONE, "scores": scores}
    if would:
        params["would"] = would
    return _decision(message, SideAction.REVIEW, reasons=[{"code": code, "params": params}], version=version)


def _record(workspace_id: int, decisions: list[Decision]) -> None:
    Decision.objects.bulk_create(decisions)
    analytics_rollup.count_decisions(decisions)
    webhooks_announce.decisions_made(workspace_id, decisions)
    by_connection: dict[int, list[Decision]] = defaultdict(list)
    for d in decisions:
        by_connection[d.message.connection_id].append(d)
    for group in by_connection.values():
        connection = group[0].message.connection
        _audit_rule_decisions(connection, group)
        sides = [d for d in group if d.action in (SideAction.ASSIGN, SideAction.NOTIFY)]
        if sides:
            side_effects.apply_side_actions(connection, sides)
    inbox.set_review({d.message_id for d in decisions if d.action in TO_REVIEW}, ReviewState.PENDING)
    pending = [d.pk for d in decisions if d.network_state == NetworkState.PENDING]
    if pending:
        from federe.moderation.tasks import apply_decisions_task

        transaction.on_commit(partial(apply_decisions_task.enqueue, pending))
