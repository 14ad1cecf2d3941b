from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from federe.connectors.nntp.client import NewsClient
from tests import peers
from tests.peers import env_file, read_env_file

ENV_KEYS = (
    "NNTP_HOST",
    "NNTP_PORT",
    "NNTP_USER",
    "NNTP_PASSWORD",
    "NNTP_MEMBER_USER",
    "NNTP_MEMBER_PASSWORD",
    "NNTP_GROUP",
    "NNTP_MODERATED_GROUP",
    "NNTP_MODERATOR_ADDRESS",
    "NNTP_MODERATION_MAILDIR",
)
PEER = Path(__file__).resolve().parents[3].parent / "shared" / "peers" / "nntp" / "nntp-ci.sh"


def answers(values: dict[str, str]) -> bool:
    try:
        with socket.create_connection((values["NNTP_HOST"], int(values["NNTP_PORT"])), timeout=3) as sock:
            return sock.recv(3) in (b"200", b"201")
    except OSError:
        return False


@pytest.fixture(scope="session")
def news_env() -> dict[str, str]:
    """The running INN peer's values: from the environment, else its env file; a skip that says what is missing."""
    values = {key: os.environ[key] for key in ENV_KEYS if os.environ.get(key)}
    if len(values) < len(ENV_KEYS):
        values = {**read_env_file(env_file("nntp")), **values}
    missing = [key for key in ENV_KEYS if not values.get(key)]
    if missing:
        pytest.skip(f"no INN peer: {', '.join(missing)} not set and not in {env_file('nntp')} ({PEER} start)")
    if not answers(values):
        pytest.skip(f"the INN peer at {values['NNTP_HOST']}:{values['NNTP_PORT']} does not answer")
    return values


def until(check: Callable[[], Any], timeout: float = 15, what: str = "") -> Any:
    return peers.until(check, timeout=timeout, server="INN", what=what)


class Member:
    """A member of the news server posting as a newsreader does (AUTHINFO, POST)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def client(self, user: str = "", password: str = "") -> NewsClient:
        return NewsClient(
            self.env["NNTP_HOST"],
            int(self.env["NNTP_PORT"]),
            user or self.env["NNTP_MEMBER_USER"],
            password or self.env["NNTP_MEMBER_PASSWORD"],
        )

    def post(self, group: str, subject: str, body: str, references: str = "", raw: bytes = b"") -> str:
        message_id = f"{uuid.uuid4().hex}@members.example.net"
        head = f"From: Alice <alice@example.net>\r\nNewsgroups: {group}\r\nSubject: {subject}\r\n"
        head += f"Message-ID: <{message_id}>\r\n" + (f"References: {references}\r\n" if references else "")
        with self.client() as client:
            answer = client.post(raw or (head + "\r\n" + body + "\r\n").encode("utf-8"))
        assert answer.code == 240, answer
        return message_id

    def on_server(self, message_id: str) -> bytes | None:
        with self.client() as client:
            return client.article(message_id)


@pytest.fixture
def member(news_env) -> Member:
    return Member(news_env)
