"""The action menu a moderator sees on a message (review queue, thread page): its channel's actions only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from federe.inbox.models import Message
from federe.moderation import actions
from federe.moderation.effects import network_effect
from federe.moderation.models import Verdict

# The review queue's keys (moderation.js); d and b ask first, as every confirmed action does.
KEYS = {Verdict.APPROVE: "a", Verdict.SPAM: "s", Verdict.REMOVE: "r", Verdict.DELETE: "d", Verdict.BAN: "b"}
CONFIRM_TITLES = {
    Verdict.DELETE: _("Delete this message for good?"),
    Verdict.REJECT: _("Reject this message?"),
    Verdict.BAN: _("Ban this author?"),
    Verdict.KICK: _("Kick this author out?"),
    Verdict.SUSPEND: _("Suspend this author's account?"),
}


@dataclass(frozen=True)
class Item:
    action: str
    label: Any
    key: str = ""
    confirm: str = ""  # what happens on the network, when it cannot be undone
    confirm_title: Any = ""
    reason: bool = False  # the moderator writes the reason sent to the author


KEEP = _("Keep")  # 'approve' on a network that cannot approve: the message stays as it is


def items_for(message: Message) -> list[Item]:
    """One item per action the message's channel offers, with its confirmation text when it needs one."""
    keeps = actions.keeps_only(message.connection)
    return [
        Item(
            action=str(verdict),
            label=KEEP if keeps and verdict == Verdict.APPROVE else verdict.label,
            key=KEYS.get(verdict, ""),
            confirm=network_effect(verdict, message) if verdict in actions.CONFIRMED else "",
            confirm_title=CONFIRM_TITLES.get(verdict, ""),
            reason=verdict in actions.NEEDS_REASON,
        )
        for verdict in actions.offered(message.connection)
    ]


def attach(messages: Iterable[Message]) -> None:
    """Give each message its ``menu`` (the template's buttons); one registry lookup per message, no query."""
    for message in messages:
        shown: Any = message
        shown.menu = items_for(message)


def common_items(messages: Iterable[Message]) -> list[Item]:
    """The actions every message of a page offers, without confirmation ones (the bulk bar decides at once)."""
    offers = [set(actions.offered(m.connection)) for m in messages]
    common = set.intersection(*offers) if offers else set()
    return [
        Item(action=str(v), label=v.label)
        for v in Verdict
        if v in common and v not in actions.CONFIRMED and v not in actions.NEEDS_REASON
    ]
