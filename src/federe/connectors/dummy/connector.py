"""The dummy network connector: realistic traffic for the demo and tests, with failures on demand.

Config keys: ``seed``, ``start`` (ISO datetime), ``interval_seconds``, ``brand``,
``french_share``, ``total``, ``page_size``, and for tests ``fail`` (one of
timeout, rate_limit, server_error, unauthorized, malformed_response),
``fail_after_pages``, ``malformed_every``, ``fail_replies``, ``same_reply_same_id`` (a repeated reply, same
thread, parent and text, answers with the first one's id, as WordPress does with a duplicate comment),
``fail_publish``, ``rotate_token`` (each call to the network hands out a new token, as X does with its refresh
tokens: the old one would stop working), and ``publish_log`` (a file path: each publication appends one JSON line
with its key, so that a test can count what reached the "network"; ``find_published`` reads it back).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federe.connectors.base import Connector, SetupField
from federe.connectors.capabilities import Capability
from federe.connectors.dummy.mapping import map_item
from federe.connectors.dummy.network import DummyNetwork
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionKind,
    ActionResult,
    Batch,
    Cursor,
    Item,
    MalformedItem,
    ModerationAction,
    OutgoingPost,
    OutgoingReply,
    PostRules,
    PublishResult,
)

# The failures a test can ask for, each as its error class and its words (translated when raised).
FAILURES: dict[str, tuple[type[ConnectorError], Any]] = {
    "timeout": (Transient, _("The network did not answer within 10 seconds (timeout).")),
    "rate_limit": (RateLimited, _("The network asked us to slow down (HTTP 429).")),
    "server_error": (Transient, _("The network had an internal error (HTTP 500).")),
    "unauthorized": (Unauthorized, _("The network refused the credentials (HTTP 401): check the token.")),
    "malformed_response": (Permanent, _("The network answered with something that is not valid JSON.")),
}


def failure(mode: str) -> ConnectorError:
    kind, words = FAILURES[mode]
    if kind is RateLimited:
        return RateLimited(str(words), retry_after=120)
    return kind(str(words))


@register
class DummyConnector(Connector):
    key = "dummy"
    label = _("Demo network")
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = True  # it is its own server
    actions = frozenset(
        {
            ActionKind.APPROVE,
            ActionKind.HOLD,
            ActionKind.SPAM,
            ActionKind.REMOVE,
            ActionKind.RESTORE,
            ActionKind.DELETE,
            ActionKind.BAN,
            ActionKind.UNBAN,
            ActionKind.MUTE,
        }
    )
    post_rules = PostRules(max_length=500, title=True, media_max=4, alt_text_required=True, language=True)
    setup_fields = (
        SetupField("brand", _("Brand name in the generated messages"), required=False),
        SetupField("token", _("Access token (any value)"), secret=True, required=False, kind="password"),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.pages_fetched = 0
        start = config.get("start")
        self.network = DummyNetwork(
            seed=int(config.get("seed", 1)),
            start=datetime.fromisoformat(start) if start else timezone.now(),
            interval_seconds=float(config.get("interval_seconds", 60)),
            brand=str(config.get("brand", "Café Lumière")),
            french_share=float(config.get("french_share", 0.5)),
            total=int(config["total"]) if config.get("total") is not None else None,
        )

    def _maybe_fail(self, key: str = "fail") -> None:
        mode = self.config.get(key)
        if mode and self.pages_fetched >= int(self.config.get("fail_after_pages", 0)):
            raise failure(mode)

    def _maybe_rotate(self) -> None:
        if self.config.get("rotate_token"):  # a new token at each call, stored at once as a real network's
            self.credentials["generation"] = int(self.credentials.get("generation", 0)) + 1
            self.credentials["token"] = f"rotated-{self.credentials['generation']}"
            self.keep_credentials()

    def check(self) -> None:
        if self.credentials.get("token") == "wrong":
            raise failure("unauthorized")

    def fetch(self, cursor: Cursor | None) -> Batch:
        self.check()
        self._maybe_rotate()
        self._maybe_fail()
        position = int((cursor or {}).get("position", 0))
        end = min(position + int(self.config.get("page_size", 100)), self.network.available(timezone.now()))
        every = int(self.config.get("malformed_every", 0))
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        for index in range(position, max(position, end)):
            raw = self.network.item(index)
            if every and (index + 1) % every == 0:
                raw.pop("author")
            mapped = map_item(raw)
            (malformed if isinstance(mapped, MalformedItem) else items).append(mapped)  # type: ignore[arg-type]
        self.pages_fetched += 1
        next_position = max(position, end)
        return Batch(
            items=items,
            malformed=malformed,
            cursor={"position": next_position},
            has_more=next_position < self.network.available(timezone.now()),
        )

    def reply(self, reply: OutgoingReply) -> PublishResult:
        self._maybe_rotate()
        self._maybe_fail("fail_replies")
        if self.config.get("same_reply_same_id"):
            digest = hashlib.sha256(f"{reply.thread_id}|{reply.parent_id}|{reply.body_html}".encode()).hexdigest()
            return PublishResult(external_id=f"reply-{digest[:32]}", created_at=timezone.now())
        return PublishResult(external_id=f"reply-{reply.idempotency_key}", created_at=timezone.now())

    def act(self, action: ModerationAction) -> ActionResult:
        self._maybe_rotate()
        self._maybe_fail("fail_actions")
        return ActionResult(done=True, detail=f"{action.kind} applied")

    def publish(self, post: OutgoingPost) -> PublishResult:
        self._maybe_rotate()
        self._maybe_fail("fail_publish")
        if self.config.get("publish_log"):
            line = json.dumps({"key": post.idempotency_key, "title": post.title, "at": timezone.now().isoformat()})
            descriptor = os.open(str(self.config["publish_log"]), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, (line + "\n").encode())  # one write with O_APPEND: lines never interleave
            finally:
                os.close(descriptor)
        return PublishResult(external_id=f"post-{post.idempotency_key}", created_at=timezone.now())

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        path = self.config.get("publish_log")
        if not path or not os.path.exists(str(path)):
            return None
        with open(str(path), encoding="utf-8") as log:
            for line in log:
                if line.strip() and json.loads(line).get("key") == post.idempotency_key:
                    return PublishResult(external_id=f"post-{post.idempotency_key}")
        return None
