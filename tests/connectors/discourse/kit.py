"""Discourse's kit for the contract suite: a forum served from the payloads written from the documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures
from tests.connectors.discourse.forum import HOST, SITE, FakeForum


@contextmanager
def network() -> Iterator[None]:
    with FakeForum(page_size=2).serve():
        yield


def _action(kind: ActionKind) -> ModerationAction:
    target = "queued-31" if kind in (ActionKind.APPROVE, ActionKind.REJECT) else "205"
    return ModerationAction(kind, external_id=target, thread_id="12", author_id="66", reason="spam")


KIT = Kit(
    "discourse",
    config={"site_url": SITE, "api_username": "brand_team", "backfill_pages": 5},
    credentials={"api_key": "kit-discourse-api-key-0123456789abcdef"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply("12", "202", "<p>Thanks</p>", idempotency_key="k1")),
        Capability.MODERATE: lambda c: c.act(_action(ActionKind.REMOVE)),
        Capability.PUBLISH: lambda c: c.publish(
            OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1", title="Sunday opening from December")
        ),
    },
    actions={kind: (lambda c, kind=kind: c.act(_action(kind))) for kind in sorted(ActionKind)},
)
KIT.failures = http_failures(KIT.build, HOST)
KIT.actions = {kind: KIT.actions[kind] for kind in KIT.actions if kind in KIT.build().actions}
