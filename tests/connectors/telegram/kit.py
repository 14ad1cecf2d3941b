"""Telegram's kit for the contract suite: a bot served from the payloads written from the Bot API docs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures
from tests.connectors.telegram.bot import HOST, TOKEN, FakeBot


@contextmanager
def network() -> Iterator[None]:
    with FakeBot().serve():
        yield


def _action(kind: ActionKind) -> ModerationAction:
    return ModerationAction(kind, external_id="-1001234567890:4401", author_id="51234001", reason="spam")


KIT = Kit(
    "telegram",
    config={"chats": "@acme_community -1009876543210"},
    credentials={"bot_token": TOKEN},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(
            OutgoingReply("-1001234567890 2026-12-05T10:00:00Z", "-1001234567890:4401", "<p>Yes</p>", "k1")
        ),
        Capability.MODERATE: lambda c: c.act(_action(ActionKind.DELETE)),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1")),
    },
    actions={kind: (lambda c, kind=kind: c.act(_action(kind))) for kind in sorted(ActionKind)},
)
KIT.failures = http_failures(KIT.build, HOST)
KIT.actions = {kind: KIT.actions[kind] for kind in KIT.actions if kind in KIT.build().actions}
