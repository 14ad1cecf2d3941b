"""Discord's kit for the contract suite: a server served from the payloads written from the API v10 docs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures
from tests.connectors.discord.server import GUILD, HOST, NEWS, SUPPORT, TOKEN, FakeDiscord


@contextmanager
def network() -> Iterator[None]:
    with FakeDiscord().serve():
        yield


def _action(kind: ActionKind) -> ModerationAction:
    message = f"{SUPPORT}:1180000000000001001"
    return ModerationAction(kind, external_id=message, author_id="1180000000000000601", reason="spam")


KIT = Kit(
    "discord",
    config={"guild_id": GUILD, "targets": [SUPPORT, NEWS]},
    credentials={"bot_token": TOKEN},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(
            OutgoingReply(f"{SUPPORT} 2026-12-05T10:00:00Z", f"{SUPPORT}:1180000000000001001", "<p>Yes</p>", "k1")
        ),
        Capability.MODERATE: lambda c: c.act(_action(ActionKind.DELETE)),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1")),
    },
    actions={kind: (lambda c, kind=kind: c.act(_action(kind))) for kind in sorted(ActionKind)},
)
KIT.failures = http_failures(KIT.build, HOST)
KIT.actions = {kind: KIT.actions[kind] for kind in KIT.actions if kind in KIT.build().actions}
