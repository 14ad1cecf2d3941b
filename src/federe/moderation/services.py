"""Rules, decisions and their execution on the networks: the only code that writes moderation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.analytics import rollup as analytics_rollup
from federe.connections.models import Connection
from federe.connections.runtime import connected
from federe.connectors.errors import ConnectorError
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus
from federe.core import audit
from federe.inbox import services as inbox
from federe.inbox.models import Message, ReviewState
from federe.moderation import actions, rules, side_effects
from federe.moderation.backtest import Backtest, backtest, is_too_broad
from federe.moderation.models import Decision, NetworkState, Rule, RuleVersion, SideAction, Verdict
from federe.nlp import learning
from federe.webhooks import announce as webhooks_announce

MAX_ATTEMPTS = 6
notify_moderators = side_effects.notify_moderators  # moved to side_effects.py; callers still find it here
QUEUE_LEASE = timedelta(minutes=10)  # how long an enqueued decision waits for a worker before it is queued again
# What each verdict means for the message's status on its network.
VERDICT_STATUS = {
    Verdict.APPROVE: NetworkStatus.PUBLISHED,
    Verdict.HOLD: NetworkStatus.HELD,
    Verdict.SPAM: NetworkStatus.SPAM,
    Verdict.REMOVE: NetworkStatus.REMOVED,
    Verdict.DELETE: NetworkStatus.REMOVED,
    Verdict.RESTORE: NetworkStatus.PUBLISHED,
    Verdict.REJECT: NetworkStatus.REMOVED,
}


class RuleTooBroad(Exception):
    """Switching on a rule that would have matched more than half of recent messages needs an explicit "anyway"."""

    def __init__(self, result: Backtest) -> None:
        super().__init__(f"{result.matched}/{result.examined}")
        self.result, self.matched, self.examined = result, result.matched, result.examined


def _breadth(workspace: Workspace, version: RuleVersion) -> Backtest:
    return backtest(workspace=workspace, match=version.match, conditions=version.conditions, actions=version.actions)


@transaction.atomic
def save_rule(
    *,
    workspace: Workspace,
    by: Any,
    name: str,
    match: str,
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    rule: Rule | None = None,
) -> Rule:
    """Create a rule, or a new version of it: versions are never edited in place.

    A definition that would have matched more than half of recent messages is saved switched off
    (``rule.too_broad`` holds the back-test); switching it on then needs ``set_rule_enabled(anyway=True)``.
    """
    require(by, workspace, Perm.MODERATE)
    rules.validate_definition(match, conditions, actions, workspace.pk)
    if rule is None:
        position = (Rule.objects.filter(workspace=workspace).aggregate(m=Max("position"))["m"] or 0) + 1
        rule = Rule.objects.create(workspace=workspace, name=name.strip()[:120], position=position, created_by=by)
    else:
        rule.name = name.strip()[:120] or rule.name
        rule.broken_at = None  # the new version passed validation
        rule.save(update_fields=["name", "broken_at", "updated_at"])
    number = (rule.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = RuleVersion.objects.create(
        rule=rule, number=number, match=match, conditions=conditions, actions=actions, created_by=by
    )
    audit.record(
        "rule.saved",
        workspace=workspace,
        actor=by,
        target=rule,
        details={"version": version.number, "match": match, "conditions": conditions, "actions": actions},
    )
    result = _breadth(workspace, version)
    rule.too_broad = result if is_too_broad(result) else None  # type: ignore[attr-defined]
    if rule.too_broad and rule.enabled:  # type: ignore[attr-defined]
        Rule.objects.filter(pk=rule.pk).update(enabled=False)
        rule.enabled = False
        audit.record(
            "rule.disabled",
            workspace=workspace,
            actor=by,
            target=rule,
            details={"too_broad": True, "matched": result.matched, "examined": result.examined},
        )
    return rule


def set_rule_enabled(*, rule: Rule, enabled: bool, by: Any, anyway: bool = False) -> None:
    require(by, rule.workspace, Perm.MODERATE)
    details: dict[str, Any] = {}
    if enabled:
        result = _breadth(rule.workspace, rule.current)
        if is_too_broad(result):
            if not anyway:
                raise RuleTooBroad(result)
            details = {"anyway": True, "matched": result.matched, "examined": result.examined}
    Rule.objects.filter(pk=rule.pk).update(enabled=enabled, **({"broken_at": None} if enabled else {}))
    audit.record(
        "rule.enabled" if enabled else "rule.disabled", workspace=rule.workspace, actor=by, target=rule, details=details
    )


def delete_rule(*, rule: Rule, by: Any) -> None:
    """Delete a rule and its versions; its past decisions stay (without their rule), and so does the log."""
    require(by, rule.workspace, Perm.MODERATE)
    audit.record("rule.deleted", workspace=rule.workspace, actor=by, details={"name": rule.name})
    rule.delete()


def active_versions(workspace_id: int) -> list[RuleVersion]:
    active = Rule.objects.filter(workspace_id=workspace_id, enabled=True).order_by("position", "id")
    versions = []
    for rule in active.prefetch_related("versions"):
        latest = max(rule.versions.all(), key=lambda v: v.number, default=None)
        if latest is not None:
            versions.append(latest)
    return versions


def _network_state(action: str, message: Message) -> tuple[str, str]:
    """Whether the decision has something to do on the network (and, when the network lacks it, why not)."""
    if action not in Verdict.values:
        return NetworkState.NOT_NEEDED, ""  # a side action (label, assign, notify)
    if action not in actions.network_actions(message.connection):
        if not actions.moderates(message.connection) and action in actions.RECORDED_ONLY:
            return NetworkState.NOT_NEEDED, ""  # recorded in Fédère only, as the channel page says
        if action == Verdict.APPROVE and message.network_status == NetworkStatus.PUBLISHED:
            return NetworkState.NOT_NEEDED, ""  # kept: already public on a network that has no approval
        return NetworkState.UNSUPPORTED, actions.cannot_text(action, message.connection)
    status = VERDICT_STATUS.get(Verdict(action))
    if status is not None and status == message.network_status:
        return NetworkState.NOT_NEEDED, ""
    return NetworkState.PENDING, ""


def _decision(
    message: Message,
    action: str,
    *,
    reasons: list[Any],
    version: RuleVersion | None = None,
    actor: Any = None,
    detail: str = "",
) -> Decision:
    state, why = _network_state(action, message)
    pending = state == NetworkState.PENDING
    return Decision(
        workspace_id=message.workspace_id,
        message=message,
        action=action,
        detail=detail[:200],
        rule_version=version,
        actor=actor,
        reasons=reasons,
        network_state=state,
        network_detail=why,
        next_attempt_at=timezone.now() if pending else None,
        # Rules' decisions are enqueued on commit (moderate_new_messages); a moderator's run at once (decide).
        queued_until=timezone.now() + QUEUE_LEASE if pending else None,
    )


def moderate_new_messages(connection: Connection, messages: Sequence[Message]) -> list[Decision]:
    """Run the workspace's rules on freshly ingested messages (inside the page's transaction)."""
    versions = active_versions(connection.workspace_id)
    if not versions or not messages:
        return []
    facts = rules.facts_for(messages)
    decisions: list[Decision] = []
    to_review = []
    broken: dict[int, RuleVersion] = {}
    for message in messages:
        verdict, sides = rules.first_verdict_and_sides(versions, facts[message.pk], broken)
        if verdict is not None:
            action = next(a for a in verdict.version.actions if a["type"] in Verdict.values)
            decisions.append(_decision(message, action["type"], reasons=verdict.reasons, version=verdict.version))
            if action["type"] in (Verdict.HOLD, Verdict.SPAM):
                to_review.append(message.pk)
        for side in sides:
            for action in side.version.actions:
                if action["type"] in SideAction.values:
                    decisions.append(
                        _decision(
                            message,
                            action["type"],
                            reasons=side.reasons,
                            version=side.version,
                            detail=str(action.get("label") or action.get("username") or ""),
                        )
                    )
                    if action["type"] in (SideAction.LABEL, SideAction.NOTIFY):
                        to_review.append(message.pk)
    if broken:
        _switch_off_broken(connection.workspace_id, list(broken.values()))
    Decision.objects.bulk_create(decisions)
    analytics_rollup.count_decisions(decisions)
    webhooks_announce.decisions_made(connection.workspace_id, decisions)
    _audit_rule_decisions(connection, decisions)
    inbox.set_review(to_review, ReviewState.PENDING)
    side_actions = [d for d in decisions if d.action in (SideAction.ASSIGN, SideAction.NOTIFY)]
    if side_actions:  # members_of() is a query: only when a rule assigns or notifies
        side_effects.apply_side_actions(connection, side_actions)
    pending = [d.pk for d in decisions if d.network_state == NetworkState.PENDING]
    if pending:
        from federe.moderation.tasks import apply_decisions_task

        transaction.on_commit(partial(apply_decisions_task.enqueue, pending))
    return decisions


def _switch_off_broken(workspace_id: int, versions: list[RuleVersion]) -> None:
    """A rule that cannot be evaluated is switched off, with a notice on the rules page and in the activity log."""
    now = timezone.now()
    for version in versions:
        if Rule.objects.filter(pk=version.rule_id, enabled=True).update(enabled=False, broken_at=now):
            audit.record(
                "rule.switched_off_broken",
                workspace=version.rule.workspace,
                actor_label="ingest",
                target=version.rule,
                details={"version": version.number},
            )


def _audit_rule_decisions(connection: Connection, decisions: list[Decision]) -> None:
    """Automatic decisions go to the audit log like human ones: which rule, which version, why."""
    audit.record_many(
        audit.Event(
            f"moderation.{d.action}",
            workspace=connection.workspace_id,
            actor_label=f"rule:{d.rule_version.rule_id}@v{d.rule_version.number}" if d.rule_version else "rule",
            target=d.message,
            target_repr=d.message.body_text,
            details={"decision": d.pk, "rule": d.by, "reasons": d.reasons},
        )
        for d in decisions
    )


def move_rule(*, rule: Rule, step: int, by: Any) -> None:
    """Move a rule up (-1) or down (+1) in the order rules run."""
    require(by, rule.workspace, Perm.MODERATE)
    ordered = list(Rule.objects.filter(workspace=rule.workspace).order_by("position", "id"))
    index = next(i for i, r in enumerate(ordered) if r.pk == rule.pk)
    target = index + step
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    Rule.objects.bulk_update(ordered, ["position"])
    audit.record("rule.moved", workspace=rule.workspace, actor=by, target=rule, details={"position": target + 1})


def decide(*, messages: Sequence[Message], action: str, by: Any, reason: str = "") -> list[Decision]:
    """A moderator's decision on one or many messages, applied on the network at once."""
    if not messages:
        return []
    workspace = messages[0].workspace
    require(by, workspace, Perm.MODERATE)
    if action not in Verdict.values:
        raise ValidationError({"action": _("Unknown action.")})
    refusals = sorted({why for m in messages if (why := actions.refusal(action, m.connection))})
    if refusals:
        raise ValidationError({"action": " ".join(refusals)})
    if action in actions.NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": _("Say why: the reason is sent to the author.")})
    decisions = []
    for message in messages:
        decision = _decision(
            message,
            action,
            reasons=[{"code": "note", "params": {"text": reason}}] if reason else [],
            actor=by,
            detail=reason.strip() if action in actions.NEEDS_REASON else "",
        )
        decision.save()
        analytics_rollup.count_decisions([decision])
        inbox.set_review([message.pk], ReviewState.REVIEWED)
        audit.record(
            f"moderation.{action}", workspace=workspace, actor=by, target=message, details={"decision": decision.pk}
        )
        if decision.network_state == NetworkState.PENDING:
            execute_decision(decision.pk)
            decision.refresh_from_db()
        decisions.append(decision)
    webhooks_announce.decisions_made(workspace.pk, decisions)
    # Every moderator decision teaches the workspace's own models (nlp.learning).
    learning.record_decision(workspace.pk, [m.pk for m in messages], action, by)
    return decisions


def _claim_decision(decision_id: int) -> Decision | None:
    now = timezone.now()
    claimed = Decision.objects.filter(
        pk=decision_id, network_state__in=[NetworkState.PENDING, NetworkState.FAILED], next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(minutes=5), attempts=F("attempts") + 1, queued_until=None)
    if not claimed:
        return None
    return Decision.objects.select_related(
        "message__connection", "message__author", "message__conversation", "workspace"
    ).get(pk=decision_id)


def execute_decision(decision_id: int) -> Decision | None:
    """Apply one decision on its network; transient failures are retried with backoff."""
    decision = _claim_decision(decision_id)
    if decision is None:
        return None
    message = decision.message
    action = moderation_action(decision, message)
    try:
        with connected(message.connection) as connector:
            result = connector.act(action)
    except ConnectorError as exc:
        retry = exc.retryable and decision.attempts < MAX_ATTEMPTS
        delay = getattr(exc, "retry_after", None) or 30 * 2**decision.attempts
        Decision.objects.filter(pk=decision.pk).update(
            network_state=NetworkState.FAILED,
            network_detail=exc.message,
            next_attempt_at=timezone.now() + timedelta(seconds=delay) if retry else None,
        )
        audit.record(
            "moderation.network_failed",
            workspace=decision.workspace,
            actor_label="worker",
            target=message,
            details={"decision": decision.pk, "error": exc.message, "retry": retry},
        )
        return decision
    Decision.objects.filter(pk=decision.pk).update(
        network_state=NetworkState.DONE, network_detail=result.detail, next_attempt_at=None
    )
    if decision.action in VERDICT_STATUS:
        inbox.set_network_status(message.pk, VERDICT_STATUS[Verdict(decision.action)])
    audit.record(
        "moderation.network_done",
        workspace=decision.workspace,
        actor_label="worker",
        target=message,
        details={"decision": decision.pk, "action": decision.action},
    )
    return decision


def moderation_action(decision: Decision, message: Message) -> ModerationAction:
    """What the connector is asked: the message, its author's id on the network and its thread's external id
    (actions on the author and on the thread need them; others may, as a Matrix redaction needs the room)."""
    notes = [r.get("params", {}).get("text", "") for r in decision.reasons if r.get("code") == "note"]
    return ModerationAction(
        kind=ActionKind(decision.action),
        external_id=message.external_id,
        reason=decision.detail or (notes[0] if notes else ""),
        author_id=message.author.external_id if message.author else "",
        thread_id=message.conversation.external_id,
    )


def dispatch_due_decisions(limit: int = 200) -> list[int]:
    """Enqueue decisions whose network step is due (first try or retry), once each."""
    from federe.moderation.tasks import apply_decisions_task

    now = timezone.now()
    with transaction.atomic():
        due = list(
            Decision.objects.select_for_update(skip_locked=True)
            .filter(network_state__in=[NetworkState.PENDING, NetworkState.FAILED], next_attempt_at__lte=now)
            .filter(Q(queued_until__isnull=True) | Q(queued_until__lte=now))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if due:
            Decision.objects.filter(pk__in=due).update(queued_until=now + QUEUE_LEASE)
            transaction.on_commit(partial(apply_decisions_task.enqueue, due))
    return due
