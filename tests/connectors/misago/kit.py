"""Misago's kit for the contract suite: a forum served from the payloads recorded on the real Misago (fake.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures
from tests.connectors.misago.fake import HOST, URL, serving


@contextmanager
def network() -> Iterator[None]:
    with serving():
        yield


# (post, thread) each action is tried on: an unapproved reply, a visible reply, a hidden one, a first post.
ON = {
    ActionKind.APPROVE: ("7", "3"),
    ActionKind.REMOVE: ("2", "1"),
    ActionKind.RESTORE: ("3", "1"),
    ActionKind.CLOSE: ("6", "3"),
    ActionKind.PIN: ("6", "3"),
    ActionKind.DELETE: ("7", "3"),
}

KIT = Kit(
    "misago",
    config={"forum_url": URL},
    credentials={"username": "kit-moderator", "password": "kit-secret-pass"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply("3", "6", "<p>Merci</p>", idempotency_key="k1")),
        Capability.MODERATE: lambda c: c.act(ModerationAction(ActionKind.REMOVE, external_id="2", thread_id="1")),
        Capability.PUBLISH: lambda c: c.publish(
            OutgoingPost("<p>Ouvert</p>", idempotency_key="k2", title="Horaires d'été", body_text="Ouvert lundi")
        ),
    },
    actions={
        kind: (lambda c, kind=kind: c.act(ModerationAction(kind, external_id=ON[kind][0], thread_id=ON[kind][1])))
        for kind in ON
    },
)
KIT.failures = http_failures(KIT.build, HOST)
