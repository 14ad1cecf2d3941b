"""Mailman's kit for the contract suite: the REST API served from payloads recorded on the real Mailman (fixtures/)
and the subscriber's mailbox as the Maildir recorded from the peer's sink (fixtures/maildir, read-only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import httpx
import respx
from django.test import override_settings

from federe.connectors.capabilities import Capability
from federe.connectors.mail import outgoing
from federe.connectors.mailman import publishing
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures, public_dns

HOST = "lists.example.org"
API = f"https://{HOST}/3.1"
FIXTURES = Path(__file__).parent / "fixtures"
LIST_ID = "fixtures.lists.example.com"
HELD_ID = f"{LIST_ID}/promo-1@spam.example.net"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@contextmanager
def network() -> Iterator[list]:
    """The recorded Mailman; mail handed to the mail server is kept in the yielded list instead of sent."""
    sent: list = []
    lists = load("lists.json")
    with (
        public_dns(HOST),
        respx.mock(base_url=API, assert_all_called=False) as router,
        override_settings(FEDERE_MAILDIR_ROOTS=[str(FIXTURES)]),
        mock.patch.object(outgoing, "send", lambda server, message, **kw: sent.append((message, kw))),
        mock.patch.object(publishing, "IDLE_GAP_SECONDS", 0),  # the recorded queues are idle: no need to wait
    ):
        router.get("/system/versions").respond(
            200, json={"api_version": "3.1", "mailman_version": "GNU Mailman 3.3.10"}
        )
        router.get("/lists").respond(200, json=lists)
        router.get("/queues").respond(200, json=load("queues.json"))
        for entry in lists["entries"]:
            router.get(f"/lists/{entry['list_id']}").respond(200, json=entry)
            router.get(f"/lists/{entry['list_id']}/held").respond(200, json={"start": 0, "total_size": 0})
        router.get(f"/lists/{LIST_ID}/held").respond(200, json=load("held.json"))
        router.post(f"/lists/{LIST_ID}/held/2").respond(204)
        router.post(f"/lists/{LIST_ID}/bans").respond(201)
        router.get("/members/find").mock(
            side_effect=lambda request: httpx.Response(200, json={"start": 0, "total_size": 1, "entries": [MEMBER]})
        )
        router.patch("/members/5f2c").respond(204)
        yield sent


MEMBER = {"member_id": "5f2c", "email": "promo@spam.example.net", "list_id": LIST_ID, "role": "nonmember"}
CONFIG = {
    "rest_url": API,
    "rest_user": "restadmin",
    "targets": [LIST_ID],
    "maildir": str(FIXTURES / "maildir"),
    "page_size": 3,
    "from_address": "equipe@example.org",
    "mail_host": "smtp.example.org",
}

KIT = Kit(
    "mailman",
    config=CONFIG,
    credentials={"rest_password": "kit-rest-secret", "mail_password": "kit-mail-secret"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(
            OutgoingReply(
                f"{LIST_ID}/horaires-1@example.com", f"{LIST_ID}/horaires-2@example.org", "<p>Merci</p>", "k1"
            )
        ),
        Capability.MODERATE: lambda c: c.act(ModerationAction(ActionKind.APPROVE, external_id=HELD_ID)),
        Capability.PUBLISH: lambda c: c.publish(
            OutgoingPost("<p>Réunion</p>", idempotency_key="k2", title="Réunion jeudi", body_text="Réunion jeudi")
        ),
    },
)
KIT.failures = http_failures(KIT.build, HOST)
KIT.actions = {
    kind: (lambda c, kind=kind: c.act(ModerationAction(kind, external_id=HELD_ID, reason="Hors sujet")))
    for kind in (ActionKind.APPROVE, ActionKind.REJECT, ActionKind.DELETE, ActionKind.HOLD)
}
KIT.actions.update(
    {
        kind: (
            lambda c, kind=kind: c.act(ModerationAction(kind, external_id=HELD_ID, author_id="promo@spam.example.net"))
        )
        for kind in (ActionKind.BAN, ActionKind.MUTE)
    }
)
