"""Mastodon's kit for the contract suite: a hashtag timeline served from the payloads in fixtures/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import respx

from federe.connectors.capabilities import Capability
from federe.connectors.types import OutgoingPost
from tests.connectors.contract import Kit, http_failures, public_dns
from tests.connectors.mastodon.conftest import INSTANCE, load

HOST = "mastodon.example"


def _timeline(request: httpx.Request) -> httpx.Response:
    """The statuses newer than min_id (all of them without it), newest first, at most ``limit``."""
    statuses = sorted(load("tag_federe.json") + load("tag_federe_after.json"), key=lambda s: int(s["id"]))
    floor = int(request.url.params.get("min_id") or 0)
    limit = int(request.url.params.get("limit") or 20)
    newer = [s for s in statuses if int(s["id"]) > floor]
    page = newer[:limit] if floor else newer[-limit:]
    return httpx.Response(200, json=list(reversed(page)))


@contextmanager
def network() -> Iterator[None]:
    with public_dns(HOST), respx.mock(assert_all_called=False) as router:
        router.get(f"{INSTANCE}/api/v1/timelines/tag/federe").mock(side_effect=_timeline)
        router.post(f"{INSTANCE}/api/v1/statuses").respond(200, json=load("status_created.json"))
        yield


KIT = Kit(
    "mastodon",
    config={"instance_url": INSTANCE, "hashtags": "federe", "limit": 2},
    credentials={"access_token": "kit-secret-token-mastodon"},
    network=network,
    calls={Capability.PUBLISH: lambda c: c.publish(OutgoingPost("", idempotency_key="k2", body_text="Ouvert !"))},
)
KIT.failures = http_failures(KIT.build, HOST)
