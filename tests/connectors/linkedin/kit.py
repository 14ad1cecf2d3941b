"""LinkedIn's kit for the contract suite: the API served from the payloads written from its documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import respx

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import HTTP_FAILURES, Kit, public_dns
from tests.connectors.linkedin.fake import HOSTS, ORG, FakeLinkedIn

POST = "urn:li:share:7100000000000000002"
COMMENT = "urn:li:comment:(urn:li:activity:7100000000000000002,7100000000000000101)"


@contextmanager
def network() -> Iterator[None]:
    with FakeLinkedIn(strict=False).serve():
        yield


KIT = Kit(
    "linkedin",
    config={"organization": ORG},
    credentials={
        "client_id": "kit-linkedin-client",
        "client_secret": "kit-linkedin-secret",
        "refresh_token": "kit-linkedin-refresh-0000",
    },
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply(POST, COMMENT, "<p>Until 13:00.</p>", "k1")),
        Capability.MODERATE: lambda c: c.act(ModerationAction(ActionKind.DELETE, external_id=COMMENT)),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1")),
    },
    actions={ActionKind.DELETE: lambda c: c.act(ModerationAction(ActionKind.DELETE, external_id=COMMENT))},
)


def _failing_everywhere(answer):
    """The standard failure on both LinkedIn hosts (the token is refreshed on www.linkedin.com first)."""

    @contextmanager
    def failing():
        with public_dns(*HOSTS), respx.mock(assert_all_called=False) as router:
            for host in HOSTS:
                router.route(host=host).mock(side_effect=answer)
            yield lambda: KIT.build().fetch(None)

    return failing


KIT.failures = {name: _failing_everywhere(answer) for name, answer in HTTP_FAILURES.items()}
