"""Bluesky's kit for the contract suite: a fake PDS replaying the answers recorded from the real one (conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import respx

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.bluesky.conftest import ADMIN_PASSWORD, BRAND, HOST, SERVICE, FakePds, load
from tests.connectors.contract import Kit, http_failures, public_dns

# A reply by Alice to the brand's post, from the recorded repositories.
REPLY_URI = next(r["uri"] for r in load("list_records_alice")["records"] if "reply" in r["value"])


@contextmanager
def network() -> Iterator[FakePds]:
    pds = FakePds()
    with public_dns(HOST), respx.mock(assert_all_called=False) as router:
        router.route(host=HOST).mock(side_effect=pds)
        yield pds


KIT = Kit(
    "bluesky",
    config={"service_url": SERVICE, "handle": BRAND["handle"], "repos_per_page": 2},
    credentials={"app_password": "kit-app-password-bsky", "admin_password": ADMIN_PASSWORD},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(
            OutgoingReply(REPLY_URI, REPLY_URI, "<p>Merci !</p>", idempotency_key="k1")
        ),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("", idempotency_key="k2", body_text="Ouvert !")),
        Capability.MODERATE: lambda c: c.act(ModerationAction(ActionKind.REMOVE, external_id=REPLY_URI)),
    },
    actions={
        ActionKind.REMOVE: lambda c: c.act(ModerationAction(ActionKind.REMOVE, external_id=REPLY_URI)),
        ActionKind.SUSPEND: lambda c: c.act(
            ModerationAction(ActionKind.SUSPEND, external_id=REPLY_URI, author_id=REPLY_URI.split("/")[2])
        ),
    },
)
KIT.failures = http_failures(KIT.build, HOST)
