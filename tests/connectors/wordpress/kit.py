"""WordPress's kit for the contract suite: a blog's comment list served from the recorded payloads in fixtures/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import respx

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures, public_dns
from tests.connectors.wordpress.conftest import load
from tests.connectors.wordpress.test_fetch import FakeWordPress

HOST = "blog.example.org"
API = f"https://{HOST}/wp-json"


def _blog() -> FakeWordPress:
    blog = FakeWordPress()
    blog.add(9, status="approved", age=timedelta(days=10))
    blog.add(3, status="hold", age=timedelta(days=9))
    return blog


@contextmanager
def network() -> Iterator[None]:
    blog = _blog()
    with public_dns(HOST), respx.mock(base_url=API, assert_all_called=False) as router:
        router.get("/wp/v2/comments").mock(side_effect=blog)
        router.post("/wp/v2/comments").respond(201, json=load("created_comment.json"))
        router.get("/wp/v2/comments/3").mock(side_effect=lambda request: httpx.Response(200, json=blog.comments[3]))
        router.post("/wp/v2/comments/3").respond(200, json={**blog.comments[3], "status": "approved"})
        router.delete("/wp/v2/comments/3").respond(200, json={**blog.comments[3], "status": "trash"})
        router.get("/wp/v2/posts").respond(200, json=[])  # no earlier attempt of the delivery
        router.post("/wp/v2/posts").respond(201, json=load("post_published.json"))
        yield


KIT = Kit(
    "wordpress",
    config={"site_url": f"https://{HOST}", "page_size": 5, "recheck_last": 3, "recheck_days": 0},
    credentials={"username": "kit-brand-user", "app_password": "kit1 secr etap pass word"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply("7", "", "<p>Thanks</p>", idempotency_key="k1")),
        Capability.MODERATE: lambda c: c.act(ModerationAction(ActionKind.SPAM, external_id="3")),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("<p>Menu</p>", idempotency_key="k2", title="Menu")),
    },
)
KIT.failures = http_failures(KIT.build, HOST)
KIT.actions = {
    kind: (lambda c, kind=kind: c.act(ModerationAction(kind, external_id="3")))
    for kind in (ActionKind.APPROVE, ActionKind.HOLD, ActionKind.SPAM, ActionKind.REMOVE, ActionKind.DELETE)
}
