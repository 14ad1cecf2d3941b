"""X's kit for the contract suite: the API served from the payloads written from the v2 documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures
from tests.connectors.x.fake import HOST, FakeX

REFRESH_TOKEN = "kit-x-refresh-token-0000"


@contextmanager
def network() -> Iterator[None]:
    with FakeX(strict=False).serve():  # every build starts from the kit's refresh token
        yield


def _action(kind: ActionKind) -> ModerationAction:
    return ModerationAction(kind, external_id="1860000000000000103", author_id="783214", reason="spam")


KIT = Kit(
    "x",
    config={},
    credentials={
        "client_id": "kit-x-client-id",
        "client_secret": "kit-x-client-secret",
        "refresh_token": REFRESH_TOKEN,
    },
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(
            OutgoingReply("1860000000000000104", "1860000000000000104", "<p>Yes, from 9 to 13.</p>", "k1")
        ),
        Capability.MODERATE: lambda c: c.act(_action(ActionKind.REMOVE)),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1")),
    },
    actions={kind: (lambda c, kind=kind: c.act(_action(kind))) for kind in sorted(ActionKind)},
)
KIT.failures = http_failures(KIT.build, HOST)
KIT.actions = {kind: KIT.actions[kind] for kind in KIT.actions if kind in KIT.build().actions}
