from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema

from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.inbox.models import Message
from federe.moderation import queries, services
from federe.moderation.backtest import broad_notice
from federe.moderation.models import Decision, Rule

router = Router()


class DecisionOut(Schema):
    id: int
    message_id: int
    action: str
    detail: str
    by: str
    reasons: list[str]
    network_state: str
    network_detail: str
    attempts: int
    created_at: datetime


class QueueItemOut(Schema):
    id: int
    connection_id: int
    author: str | None
    body_text: str
    network_status: str
    posted_at: datetime
    decisions: list[DecisionOut]


class DecideIn(Schema):
    message_ids: list[Id] = Field(min_length=1, max_length=500)
    action: str = Field(
        description="One of the actions of each message's channel (GET /connections: actions); another is a 422"
    )
    reason: str = Field("", description="Required for reject: it is sent to the author")


class RuleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    match: str = "any"
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]


class RuleVersionOut(Schema):
    number: int
    match: str
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    created_at: datetime


class RuleOut(Schema):
    id: int
    name: str
    position: int
    enabled: bool
    versions: list[RuleVersionOut]
    notice: str = Field("", description="Why the rule was saved switched off, when it was (too broad).")


class BacktestOut(Schema):
    examined: int
    matched: int
    moderators_decided: dict[str, int]
    would_miss: dict[str, int]
    sample: list[dict[str, Any]]


def decision_out(d: Decision) -> DecisionOut:
    return DecisionOut(
        id=d.pk,
        message_id=d.message_id,
        action=d.action,
        detail=d.detail,
        by=d.by,
        reasons=d.reason_texts,
        network_state=d.network_state,
        network_detail=d.network_detail,
        attempts=d.attempts,
        created_at=d.created_at,
    )


def rule_out(rule: Rule) -> RuleOut:
    versions = [
        RuleVersionOut(
            number=v.number, match=v.match, conditions=v.conditions, actions=v.actions, created_at=v.created_at
        )
        for v in sorted(rule.versions.all(), key=lambda v: -v.number)
    ]
    broad = getattr(rule, "too_broad", None)
    return RuleOut(
        id=rule.pk,
        name=rule.name,
        position=rule.position,
        enabled=rule.enabled,
        versions=versions,
        notice=broad_notice(broad) if broad else "",
    )


@router.get("/queue", response=list[QueueItemOut])
def review_queue(request: ApiRequest, limit: int = 50) -> list[QueueItemOut]:
    """Held and flagged messages waiting for a moderator, with the decisions and their network outcome."""
    rows = queries.queue(request.workspace)[: max(1, min(limit, 500))]
    return [
        QueueItemOut(
            id=m.pk,
            connection_id=m.connection_id,
            author=str(m.author) if m.author else None,
            body_text=m.body_text,
            network_status=m.network_status,
            posted_at=m.posted_at,
            decisions=[decision_out(d) for d in m.decisions.all()],
        )
        for m in rows
    ]


@router.post("/decisions", response={201: list[DecisionOut]})
def decide(request: ApiRequest, payload: DecideIn) -> tuple[int, list[DecisionOut]]:
    """An action the messages' channels offer (approve, remove, ban, close…), applied on the network at once;
    outcome in network_state. An action a channel lacks is refused (422) and nothing is decided."""
    messages = list(
        Message.objects.filter(workspace=request.workspace, pk__in=payload.message_ids).select_related(
            "connection", "author", "workspace"
        )
    )
    if len(messages) != len(set(payload.message_ids)):
        raise Http404
    decisions = services.decide(messages=messages, action=payload.action, by=request.user, reason=payload.reason)
    return 201, [decision_out(d) for d in decisions]


@router.get("/rules", response=list[RuleOut])
def list_rules(request: ApiRequest) -> list[RuleOut]:
    return [rule_out(r) for r in queries.rules_of(request.workspace)]


@router.post("/rules", response={201: RuleOut})
def create_rule(request: ApiRequest, payload: RuleIn) -> tuple[int, RuleOut]:
    rule = services.save_rule(
        workspace=request.workspace,
        by=request.user,
        name=payload.name,
        match=payload.match,
        conditions=payload.conditions,
        actions=payload.actions,
    )
    return 201, rule_out(rule)


@router.post("/rules/backtest", response=BacktestOut)
def backtest_rule(request: ApiRequest, payload: RuleIn) -> BacktestOut:
    """What this rule would have done on past messages, against what moderators decided. Saves nothing."""
    result = services.backtest(
        workspace=request.workspace,
        match=payload.match,
        conditions=payload.conditions,
        actions=payload.actions,
    )
    return BacktestOut(
        examined=result.examined,
        matched=result.matched,
        moderators_decided=dict(result.human),
        would_miss=dict(result.missed),
        sample=[{"message_id": m.pk, "body_text": m.body_text[:200], "reasons": r} for m, r in result.sample],
    )


@router.put("/rules/{rule_id}", response=RuleOut)
def update_rule(request: ApiRequest, rule_id: Id, payload: RuleIn) -> RuleOut:
    """Save a new version of the rule; earlier versions are kept."""
    rule = queries.rule_of(request.workspace, rule_id)
    rule = services.save_rule(
        workspace=rule.workspace,
        by=request.user,
        name=payload.name,
        match=payload.match,
        conditions=payload.conditions,
        actions=payload.actions,
        rule=rule,
    )
    return rule_out(rule)
