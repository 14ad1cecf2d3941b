"""Back-testing a rule definition on the workspace's recent messages (reads only)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.inbox.models import Message
from federe.moderation import rules
from federe.moderation.conditions import describe
from federe.moderation.models import Decision, Verdict


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


def is_too_broad(result: Backtest) -> bool:
    """More than half of recent messages: most likely a mistake (the rule "*" once held 336 of 336)."""
    return result.examined > 0 and result.matched * 2 > result.examined


def broad_notice(result: Backtest) -> str:
    return ngettext(
        "This rule would have matched %(matched)d of the last %(examined)d message, more than half: it was saved"
        " switched off. Check the back-test, then switch it on from the rules page if you are sure.",
        "This rule would have matched %(matched)d of the last %(examined)d messages, more than half: it was saved"
        " switched off. Check the back-test, then switch it on from the rules page if you are sure.",
        result.examined,
    ) % {"matched": result.matched, "examined": result.examined}
