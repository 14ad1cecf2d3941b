"""Instagram's kit for the contract suite: an account served from payloads written from the Graph API reference."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures
from tests.connectors.facebook.graph import HOST
from tests.connectors.instagram.account import IG_USER_ID, FakeAccount


@contextmanager
def network() -> Iterator[None]:
    with FakeAccount(page_size=2).serve():
        yield


def _action(kind: ActionKind) -> ModerationAction:
    target = "17850000000000012" if kind == ActionKind.RESTORE else "17850000000000011"
    return ModerationAction(kind, external_id=target, thread_id="17900000000000002")


KIT = Kit(
    "instagram",
    config={"ig_user_id": IG_USER_ID, "media_base_url": "https://media.example.org"},
    credentials={"page_access_token": "kit-instagram-page-token-EAAB0123456789"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(
            OutgoingReply("17900000000000002", "17850000000000011", "<p>See you Sunday</p>", "k1")
        ),
        Capability.MODERATE: lambda c: c.act(_action(ActionKind.REMOVE)),
        Capability.PUBLISH: lambda c: c.publish(
            OutgoingPost(
                "<p>Open on Sunday</p>",
                idempotency_key="p1",
                options={"image_url": "https://media.example.org/posts/sunday.jpg"},
            )
        ),
    },
    actions={
        kind: (lambda c, kind=kind: c.act(_action(kind)))
        for kind in (ActionKind.REMOVE, ActionKind.RESTORE, ActionKind.DELETE)
    },
)
KIT.failures = http_failures(KIT.build, HOST)
