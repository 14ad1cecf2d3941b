"""Facebook's kit for the contract suite: a Page served from the payloads written from the Graph API reference."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures
from tests.connectors.facebook.graph import HOST
from tests.connectors.facebook.page import PAGE_ID, FakePage


@contextmanager
def network() -> Iterator[None]:
    with FakePage(page_size=2).serve():
        yield


def _action(kind: ActionKind) -> ModerationAction:
    target = "2001_3001" if kind != ActionKind.RESTORE else "2001_3002"
    return ModerationAction(kind, external_id=target, author_id="7710003", thread_id="104857600_2001")


KIT = Kit(
    "facebook",
    config={"page_id": PAGE_ID},
    credentials={"page_access_token": "kit-facebook-page-token-EAAB0123456789"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply("104857600_2001", "2001_3001", "<p>Yes!</p>", "k1")),
        Capability.MODERATE: lambda c: c.act(_action(ActionKind.REMOVE)),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1")),
    },
    actions={
        kind: (lambda c, kind=kind: c.act(_action(kind)))
        for kind in (ActionKind.REMOVE, ActionKind.RESTORE, ActionKind.DELETE, ActionKind.BAN, ActionKind.UNBAN)
    },
)
KIT.failures = http_failures(KIT.build, HOST)
