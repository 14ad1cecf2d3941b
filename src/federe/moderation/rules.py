"""Validating rule definitions and running them over messages (no writes here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from federe.core.params import whole_number
from federe.inbox.models import Message
from federe.moderation import schema
from federe.moderation.conditions import Facts, Reason, evaluate
from federe.moderation.models import RuleVersion, SideAction, Verdict
from federe.people.models import Identity, Person


def validate_definition(
    match: str, conditions: list[dict[str, Any]], actions: list[dict[str, Any]], workspace_id: int | None = None
) -> None:
    """Refuse, in words, any definition the typed schema (moderation/schema.py) or this workspace would not take."""
    if match not in ("all", "any"):
        raise ValidationError({"match": _("Choose whether all conditions or any condition must match.")})
    if not conditions or not isinstance(conditions, list):
        raise ValidationError({"conditions": _("Add at least one condition.")})
    for cond in conditions:
        problem = schema.condition_problem(cond)
        if problem:
            raise ValidationError({"conditions": problem})
        if cond["type"] == "channel" and workspace_id is not None:
            _check_channels(cond["in"], workspace_id)
    if not actions or not isinstance(actions, list):
        raise ValidationError({"actions": _("Choose at least one action.")})
    for action in actions:
        problem = schema.action_problem(action)
        if problem:
            raise ValidationError({"actions": problem})
    if len([a for a in actions if a["type"] in Verdict.values]) > 1:
        raise ValidationError({"actions": schema.one_verdict()})
    if any(a["type"] == SideAction.LABEL and not a["label"].strip() for a in actions):
        raise ValidationError({"actions": _("Give the label a name.")})
    for action in actions:
        if action["type"] == SideAction.ASSIGN and workspace_id is not None:
            _check_member(action["username"], workspace_id)


def scores_of(message: Message) -> dict[str, float]:
    """The classifier scores a rule can test: spam, toxicity, and how surely the message is negative."""
    scores: dict[str, float] = {}
    if message.spam_score is not None:
        scores["spam"] = message.spam_score
    if message.toxicity_score is not None:
        scores["toxicity"] = message.toxicity_score
    if message.sentiment_score is not None:
        scores["negative"] = message.sentiment_score if message.sentiment == "negative" else 0.0
    return scores


def _check_channels(ids: list[Any], workspace_id: int) -> None:
    from federe.connections.models import Connection

    wanted = {n for i in ids if (n := whole_number(i)) is not None}
    known = set(Connection.objects.filter(workspace_id=workspace_id, pk__in=wanted).values_list("pk", flat=True))
    if not wanted or len(wanted) != len(ids) or known != wanted:
        raise ValidationError({"conditions": _("Choose channels of this workspace.")})


def _check_member(username: str, workspace_id: int) -> None:
    from federe.accounts.models import Workspace
    from federe.accounts.permissions import Perm
    from federe.accounts.queries import members_who_can

    workspace = Workspace(pk=workspace_id)
    if not members_who_can(workspace, Perm.REPLY).filter(user__username=username).exists():
        raise ValidationError({"actions": _("Assign to a member of this workspace who can answer threads.")})


def matches(version: RuleVersion | dict[str, Any], facts: Facts) -> list[Reason] | None:
    """The reasons the rule matched, or None when it did not."""
    definition = version if isinstance(version, dict) else {"match": version.match, "conditions": version.conditions}
    reasons = [evaluate(cond, facts) for cond in definition["conditions"]]
    hits = [r for r in reasons if r]
    if definition["match"] == "all" and len(hits) == len(reasons):
        return hits
    if definition["match"] == "any" and hits:
        return hits
    return None


def facts_for(messages: Sequence[Message]) -> dict[int, Facts]:
    """Facts for a batch of messages, with "first message of this person" in one query."""
    author_ids = {m.author_id for m in messages if m.author_id}
    person_of = dict(Identity.objects.filter(pk__in=author_ids).values_list("pk", "person_id"))
    # Person.first_seen_at, set by ingest, instead of MIN(posted_at) over each person's whole history.
    first_seen = dict(
        Person.objects.filter(pk__in=set(person_of.values())).order_by().values_list("pk", "first_seen_at")
    )
    facts = {}
    for m in messages:
        person = person_of.get(m.author_id) if m.author_id else None
        facts[m.pk] = Facts(
            text=m.body_text,
            html=m.body_html,
            language=m.language,
            connection_id=m.connection_id,
            author_is_new=person is not None and first_seen.get(person) == m.posted_at,
            scores=scores_of(m),
        )
    return facts


@dataclass(frozen=True)
class Match:
    version: RuleVersion
    reasons: list[Reason]


def first_verdict_and_sides(
    versions: Iterable[RuleVersion], facts: Facts, broken: dict[int, RuleVersion] | None = None
) -> tuple[Match | None, list[Match]]:
    """The first matching rule with a verdict decides; every matching rule adds its labels and notices.

    A version that fails to evaluate (a definition stored before validation, or written around it) is put in
    ``broken`` and skipped: one bad rule never stops the others, nor ingest.
    """
    verdict: Match | None = None
    sides: list[Match] = []
    for version in versions:
        if broken is not None and version.rule_id in broken:
            continue
        try:
            reasons = matches(version, facts)
            types = [a["type"] for a in version.actions]
        except Exception:
            if broken is None:
                raise
            broken[version.rule_id] = version
            continue
        if reasons is None:
            continue
        if verdict is None and any(t in Verdict.values for t in types):
            verdict = Match(version, reasons)
        if any(t in SideAction.values for t in types):
            sides.append(Match(version, reasons))
    return verdict, sides
