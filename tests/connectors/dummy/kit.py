"""The demo network's kit for the contract suite: its own generated traffic, and its failures on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from federe.connectors.capabilities import Capability
from federe.connectors.dummy.connector import FAILURES, DummyConnector
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Failure, Kit


def _failing(mode: str) -> Failure:
    @contextmanager
    def failing() -> Iterator[Callable[[], object]]:
        yield lambda: KIT.build({"fail": mode}).fetch(None)

    return failing


KIT = Kit(
    "dummy",
    config={"seed": 7, "start": "2026-01-05T09:00:00+00:00", "interval_seconds": 60, "total": 25, "page_size": 10},
    credentials={"token": "kit-secret-token-dummy"},
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply("t1", "m1", "<p>Thanks</p>", idempotency_key="k1")),
        Capability.MODERATE: lambda c: c.act(ModerationAction(ActionKind.APPROVE, external_id="m1")),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("<p>News</p>", idempotency_key="k2")),
    },
    failures={mode: _failing(mode) for mode in FAILURES},
)
KIT.actions = {
    kind: (lambda c, kind=kind: c.act(ModerationAction(kind, external_id="m1", author_id="u1")))
    for kind in DummyConnector.actions
}
