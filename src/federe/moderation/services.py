"""Rules, decisions and their execution on the networks: the only code that writes moderation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import ROLE_PERMS, Perm, require
from federe.accounts.queries import members_of, members_who_can
from federe.connections.models import Connection
from federe.connections.runtime import can, connector_for
from federe.connectors.capabilities import Capability
from federe.connectors.errors import ConnectorError
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus
from federe.core import audit
from federe.core.models import AuditEvent
from federe.inbox.models import ConversationStatus, Message, ReviewState
from federe.moderation import rules
from federe.moderation.conditions import describe
from federe.moderation.models import Decision, NetworkState, Rule, RuleVersion, SideAction, Verdict
from federe.nlp import learning

MAX_ATTEMPTS = 6
# What each verdict means for the message's status on its network.
VERDICT_STATUS = {
    Verdict.APPROVE: NetworkStatus.PUBLISHED,
    Verdict.HOLD: NetworkStatus.HELD,
    Verdict.SPAM: NetworkStatus.SPAM,
    Verdict.REMOVE: NetworkStatus.REMOVED,
    Verdict.DELETE: NetworkStatus.REMOVED,
}


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
    """Create a rule, or a new version of it: versions are never edited in place."""
    require(by, workspace, Perm.MODERATE)
    rules.validate_definition(match, conditions, actions, workspace.pk)
    if rule is None:
        position = (Rule.objects.filter(workspace=workspace).aggregate(m=Max("position"))["m"] or 0) + 1
        rule = Rule.objects.create(workspace=workspace, name=name.strip()[:120], position=position, created_by=by)
    elif name.strip() and name.strip() != rule.name:
        rule.name = name.strip()[:120]
        rule.save(update_fields=["name", "updated_at"])
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
    return rule


def set_rule_enabled(*, rule: Rule, enabled: bool, by: Any) -> None:
    require(by, rule.workspace, Perm.MODERATE)
    Rule.objects.filter(pk=rule.pk).update(enabled=enabled)
    audit.record("rule.enabled" if enabled else "rule.disabled", workspace=rule.workspace, actor=by, target=rule)


def active_versions(workspace_id: int) -> list[RuleVersion]:
    active = Rule.objects.filter(workspace_id=workspace_id, enabled=True).order_by("position", "id")
    versions = []
    for rule in active.prefetch_related("versions"):
        latest = max(rule.versions.all(), key=lambda v: v.number, default=None)
        if latest is not None:
            versions.append(latest)
    return versions


def _needs_network(action: str, message: Message, can_moderate: bool) -> bool:
    if not can_moderate or (action not in VERDICT_STATUS and action != Verdict.BAN):
        return False
    return action == Verdict.BAN or VERDICT_STATUS[Verdict(action)] != message.network_status


def _decision(
    message: Message,
    action: str,
    *,
    can_moderate: bool,
    reasons: list[Any],
    version: RuleVersion | None = None,
    actor: Any = None,
    detail: str = "",
) -> Decision:
    pending = _needs_network(action, message, can_moderate)
    return Decision(
        workspace_id=message.workspace_id,
        message=message,
        action=action,
        detail=detail[:200],
        rule_version=version,
        actor=actor,
        reasons=reasons,
        network_state=NetworkState.PENDING if pending else NetworkState.NOT_NEEDED,
        next_attempt_at=timezone.now() if pending else None,
    )


def moderate_new_messages(connection: Connection, messages: Sequence[Message]) -> list[Decision]:
    """Run the workspace's rules on freshly ingested messages (inside the page's transaction)."""
    versions = active_versions(connection.workspace_id)
    if not versions or not messages:
        return []
    can_moderate = can(connection, Capability.MODERATE)
    facts = rules.facts_for(messages)
    decisions: list[Decision] = []
    to_review = []
    for message in messages:
        verdict, sides = rules.first_verdict_and_sides(versions, facts[message.pk])
        if verdict is not None:
            action = next(a for a in verdict.version.actions if a["type"] in Verdict.values)
            decisions.append(
                _decision(
                    message, action["type"], can_moderate=can_moderate, reasons=verdict.reasons, version=verdict.version
                )
            )
            if action["type"] in (Verdict.HOLD, Verdict.SPAM):
                to_review.append(message.pk)
        for side in sides:
            for action in side.version.actions:
                if action["type"] in SideAction.values:
                    decisions.append(
                        _decision(
                            message,
                            action["type"],
                            can_moderate=False,
                            reasons=side.reasons,
                            version=side.version,
                            detail=str(action.get("label") or action.get("username") or ""),
                        )
                    )
                    if action["type"] in (SideAction.LABEL, SideAction.NOTIFY):
                        to_review.append(message.pk)
    Decision.objects.bulk_create(decisions)
    _audit_rule_decisions(connection, decisions)
    Message.objects.filter(pk__in=to_review).update(review=ReviewState.PENDING)
    side_actions = [d for d in decisions if d.action in (SideAction.ASSIGN, SideAction.NOTIFY)]
    if side_actions:  # members_of() is a query: only when a rule assigns or notifies
        _apply_side_actions(connection, side_actions)
    pending = [d.pk for d in decisions if d.network_state == NetworkState.PENDING]
    if pending:
        from federe.moderation.tasks import apply_decisions_task

        transaction.on_commit(partial(apply_decisions_task.enqueue, pending))
    return decisions


def _audit_rule_decisions(connection: Connection, decisions: list[Decision]) -> None:
    """Automatic decisions go to the audit log like human ones: which rule, which version, why."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            workspace_id=connection.workspace_id,
            actor_label=f"rule:{d.rule_version.rule_id}@v{d.rule_version.number}" if d.rule_version else "rule",
            verb=f"moderation.{d.action}",
            object_type="inbox.message",
            object_id=str(d.message_id),
            object_repr=d.message.body_text[:200],
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


def _apply_side_actions(connection: Connection, decisions: list[Decision]) -> None:
    """Assignments happen now; notices are e-mailed after the page's transaction commits."""
    members = {m.user.get_username(): m.user for m in members_who_can(connection.workspace, Perm.REPLY)}
    for decision in decisions:
        conversation = decision.message.conversation
        if decision.action == SideAction.ASSIGN and decision.detail in members:
            conversation.assignee = members[decision.detail]
            if conversation.status == ConversationStatus.NEW:
                conversation.status = ConversationStatus.ASSIGNED
            conversation.save(update_fields=["assignee", "status", "updated_at"])
            audit.record(
                "conversation.assigned",
                workspace=connection.workspace,
                actor_label=f"rule:{decision.by}",
                target=conversation,
                details={"assignee": decision.detail, "message": decision.message_id},
            )
    notices = [d.pk for d in decisions if d.action == SideAction.NOTIFY]
    if notices:
        transaction.on_commit(partial(notify_moderators, notices))


def notify_moderators(decision_ids: list[int]) -> int:
    """E-mail the workspace's moderators (in their language) about messages a rule flagged."""
    decisions = list(Decision.objects.filter(pk__in=decision_ids).select_related("message__connection", "workspace"))
    if not decisions:
        return 0
    workspace = decisions[0].workspace
    sent = 0
    for membership in members_of(workspace):
        user = membership.user
        if not user.email or not user.notify_reviews or Perm.MODERATE not in ROLE_PERMS[membership.role]:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = ngettext(
                "[%(workspace)s] %(n)d message to review", "[%(workspace)s] %(n)d messages to review", len(decisions)
            ) % {
                "workspace": workspace.name,
                "n": len(decisions),
            }
            lines = [
                f"- {d.message.connection.name}: {d.message.body_text[:200]}\n  {'; '.join(d.reason_texts)} ({d.by})"
                for d in decisions
            ]
            body = _("A rule flagged these messages:") + "\n\n" + "\n".join(lines)
        send_mail(subject, body, None, [user.email], fail_silently=True)
        sent += 1
    return sent


def decide(*, messages: Sequence[Message], action: str, by: Any, reason: str = "") -> list[Decision]:
    """A moderator's decision on one or many messages, applied on the network at once."""
    if not messages:
        return []
    workspace = messages[0].workspace
    require(by, workspace, Perm.MODERATE)
    if action not in Verdict.values:
        raise ValidationError({"action": _("Unknown action.")})
    decisions = []
    for message in messages:
        decision = _decision(
            message,
            action,
            can_moderate=can(message.connection, Capability.MODERATE),
            reasons=[{"code": "note", "params": {"text": reason}}] if reason else [],
            actor=by,
        )
        decision.save()
        Message.objects.filter(pk=message.pk).update(review=ReviewState.REVIEWED)
        audit.record(
            f"moderation.{action}", workspace=workspace, actor=by, target=message, details={"decision": decision.pk}
        )
        if decision.network_state == NetworkState.PENDING:
            execute_decision(decision.pk)
            decision.refresh_from_db()
        decisions.append(decision)
    # Every moderator decision teaches the workspace's own models (nlp.learning).
    learning.record_decision(workspace.pk, [m.pk for m in messages], action, by)
    return decisions


def _claim_decision(decision_id: int) -> Decision | None:
    now = timezone.now()
    claimed = Decision.objects.filter(
        pk=decision_id, network_state__in=[NetworkState.PENDING, NetworkState.FAILED], next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(minutes=5), attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Decision.objects.select_related("message__connection", "message__author", "workspace").get(pk=decision_id)


def execute_decision(decision_id: int) -> Decision | None:
    """Apply one decision on its network; transient failures are retried with backoff."""
    decision = _claim_decision(decision_id)
    if decision is None:
        return None
    message = decision.message
    action = ModerationAction(
        kind=ActionKind(decision.action),
        external_id=message.external_id,
        reason=decision.detail,
        author_id=message.author.external_id if message.author else "",
    )
    try:
        result = connector_for(message.connection).act(action)
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
        Message.objects.filter(pk=message.pk).update(network_status=VERDICT_STATUS[Verdict(decision.action)])
    audit.record(
        "moderation.network_done",
        workspace=decision.workspace,
        actor_label="worker",
        target=message,
        details={"decision": decision.pk, "action": decision.action},
    )
    return decision


def dispatch_due_decisions(limit: int = 200) -> list[int]:
    """Enqueue decisions whose network step is due (first try or retry), once each."""
    from federe.moderation.tasks import apply_decisions_task

    with transaction.atomic():
        due = list(
            Decision.objects.select_for_update(skip_locked=True)
            .filter(network_state__in=[NetworkState.PENDING, NetworkState.FAILED], next_attempt_at__lte=timezone.now())
            .values_list("pk", flat=True)[:limit]
        )
        if due:
            transaction.on_commit(partial(apply_decisions_task.enqueue, due))
    return due


@dataclass
class Backtest:
    examined: int = 0
    matched: int = 0
    human: Counter[str] = field(default_factory=Counter)  # what moderators decided on the matched ones
    missed: Counter[str] = field(default_factory=Counter)  # moderators' spam/remove the rule would not catch
    sample: list[tuple[Message, list[str]]] = field(default_factory=list)


def backtest(
    *,
    workspace: Workspace,
    match: str,
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    limit: int = 5000,
) -> Backtest:
    """What the rule would have done on the latest ``limit`` messages, against moderators' decisions."""
    rules.validate_definition(match, conditions, actions, workspace.pk)
    messages = list(
        Message.objects.filter(workspace=workspace, direction="in")
        .select_related("author", "conversation")
        .order_by("-posted_at")[:limit]
    )
    facts = rules.facts_for(messages)
    human = dict(
        Decision.objects.filter(message__in=messages, actor__isnull=False, action__in=Verdict.values)
        .order_by("message_id", "created_at")
        .values_list("message_id", "action")
    )
    result = Backtest(examined=len(messages))
    definition = {"match": match, "conditions": conditions}
    for message in messages:
        reasons = rules.matches(definition, facts[message.pk])
        decided = human.get(message.pk)
        decided = Verdict.REMOVE if decided == Verdict.DELETE else decided  # both take the message away
        if reasons is not None:
            result.matched += 1
            result.human[decided or "none"] += 1
            if len(result.sample) < 25:
                result.sample.append((message, [describe(r) for r in reasons]))
        elif decided in (Verdict.SPAM, Verdict.REMOVE, Verdict.BAN):
            result.missed[decided] += 1
    return result
