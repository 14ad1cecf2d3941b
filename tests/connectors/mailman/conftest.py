from __future__ import annotations

import mailbox
import smtplib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import peers
from tests.peers import peer_env

ENV_KEYS = (
    "MAILMAN_REST_URL",
    "MAILMAN_REST_USER",
    "MAILMAN_REST_PASSWORD",
    "MAILMAN_LMTP_HOST",
    "MAILMAN_LMTP_PORT",
    "MAILMAN_SMTP_SINK_MAILDIR",
)


@pytest.fixture(scope="session")
def mm_env() -> dict[str, str]:
    """The running Mailman peer's addresses and credentials: from the environment, else its env file."""
    return peer_env(
        "mailman",
        "Mailman",
        ENV_KEYS,
        ("MAILMAN_REST_URL", "/system/versions"),
        "start one with ../shared/peers/mailman/mailman-ci.sh start",
    )


@pytest.fixture
def rest(mm_env) -> Iterator[httpx.Client]:
    auth = (mm_env["MAILMAN_REST_USER"], mm_env["MAILMAN_REST_PASSWORD"])
    with httpx.Client(base_url=mm_env["MAILMAN_REST_URL"], auth=auth, trust_env=False, timeout=30) as client:
        yield client


def until(check: Callable[[], Any], timeout: float = 40, what: str = "") -> Any:
    """Mailman is asynchronous (a runner per queue): poll until ``check`` gives something."""
    return peers.until(check, timeout=timeout, server="Mailman", what=what, every=0.3)


def text_of(message: mailbox.MaildirMessage) -> str:
    """Every text part of a message, decoded (a notice may be quoted-printable or base64)."""
    texts = []
    for part in message.walk():
        payload = part.get_payload(decode=True) if part.get_content_maintype() == "text" else None
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


@dataclass
class MailingList:
    """A fresh list on the real Mailman, its members, and ways to post to it over LMTP as a real client would."""

    rest: httpx.Client
    env: dict[str, str]
    name: str
    list_id: str
    address: str

    def subscribe(self, email: str, moderation: str = "") -> str:
        data = {"list_id": self.list_id, "subscriber": email, "pre_verified": True, "pre_confirmed": True}
        created = self.rest.post("/members", json={**data, "pre_approved": True})
        assert created.status_code == 201, created.text
        member_id = created.headers["location"].rstrip("/").rsplit("/", 1)[1]
        if moderation:
            self.rest.patch(f"/members/{member_id}", json={"moderation_action": moderation}).raise_for_status()
        return member_id

    def post(self, sender: str, subject: str, body: str, message_id: str = "", headers: str = "") -> str:
        message_id = message_id or f"{uuid.uuid4().hex}@{sender.rsplit('@', 1)[1].strip('>')}"
        text = (
            f"From: {sender}\r\nTo: {self.address}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n{headers}"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        )
        with smtplib.LMTP(self.env["MAILMAN_LMTP_HOST"], int(self.env["MAILMAN_LMTP_PORT"])) as lmtp:
            assert lmtp.sendmail(sender, [self.address], text.encode("utf-8")) == {}
        return message_id

    def held(self) -> list[dict[str, Any]]:
        return self.rest.get(f"/lists/{self.list_id}/held").json().get("entries", [])

    def held_ids(self) -> set[str]:
        return {entry["message_id"].strip("<>") for entry in self.held()}

    def delivered(self, message_id: str) -> list[mailbox.MaildirMessage]:
        """The copies of a message Mailman delivered (to the sink that stands for the members' mailboxes)."""
        sink = mailbox.Maildir(self.env["MAILMAN_SMTP_SINK_MAILDIR"], create=False)
        return [
            m
            for m in sink
            if (m["Message-ID"] or "").strip().strip("<>") == message_id
            and self.list_id in (m["List-Id"] or "")
            and m["List-Post"]
        ]

    def sent_to(self, recipient: str) -> list[mailbox.MaildirMessage]:
        sink = mailbox.Maildir(self.env["MAILMAN_SMTP_SINK_MAILDIR"], create=False)
        return [m for m in sink if m["X-RcptTo"] == recipient and self.list_id in (m["List-Id"] or "")]


@pytest.fixture
def mailing_list(rest, mm_env) -> Iterator[MailingList]:
    """A moderated list (members' posts are held) named after this engineer and a random suffix; deleted after."""
    name = f"mailman-{uuid.uuid4().hex[:8]}"
    rest.post("/domains", json={"mail_host": "lists.example.com"})
    created = rest.post("/lists", json={"fqdn_listname": f"{name}@lists.example.com"})
    assert created.status_code == 201, created.text
    list_id = f"{name}.lists.example.com"
    settings = {"default_member_action": "hold", "default_nonmember_action": "hold", "send_welcome_message": False}
    rest.patch(f"/lists/{list_id}/config", json=settings).raise_for_status()
    yield MailingList(rest, mm_env, name, list_id, f"{name}@lists.example.com")
    rest.delete(f"/lists/{list_id}")


@pytest.fixture
def sink_root(mm_env, settings) -> str:
    """The peer's sink stands for a subscriber's mailbox; the operator allows Fédère to read under its folder."""
    sink = mm_env["MAILMAN_SMTP_SINK_MAILDIR"]
    settings.FEDERE_MAILDIR_ROOTS = [str(Path(sink).parent)]
    return sink
