"""The IMAP peer (../shared/peers/imap: Dovecot + an SMTP relay): its values, and a member who writes and reads."""

from __future__ import annotations

import imaplib
import os
import smtplib
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest

from tests import peers
from tests.peers import env_file, read_env_file

ENV_KEYS = (
    "IMAP_HOST",
    "IMAP_PORT",
    "IMAP_USER",
    "IMAP_PASSWORD",
    "IMAP_MEMBER_USER",
    "IMAP_MEMBER_PASSWORD",
    "IMAP_SPAM_FOLDER",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_RELAY_PORT",
)


@pytest.fixture(scope="session")
def imap_env() -> dict[str, str]:
    """The running peer's addresses and users: from the environment, else its env file; a skip otherwise."""
    values = {key: os.environ[key] for key in ENV_KEYS if os.environ.get(key)}
    if len(values) < len(ENV_KEYS):
        values = {**read_env_file(env_file("imap")), **values}
    missing = [key for key in ENV_KEYS if not values.get(key)]
    if missing:
        pytest.skip(f"no IMAP peer: {', '.join(missing)} not set (../shared/peers/imap/imap-ci.sh start)")
    try:
        socket.create_connection((values["IMAP_HOST"], int(values["IMAP_PORT"])), timeout=3).close()
    except OSError:
        pytest.skip(f"the IMAP peer at {values['IMAP_HOST']}:{values['IMAP_PORT']} does not answer")
    return values


def until(check: Callable[[], Any], timeout: float = 20, what: str = "") -> Any:
    return peers.until(check, timeout=timeout, server="the mail server", what=what)


@dataclass
class Mailbox:
    """One user's mailbox on the peer, read and written with imaplib as a mail reader would."""

    env: dict[str, str]
    user: str
    password: str

    def session(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.env["IMAP_HOST"], int(self.env["IMAP_PORT"]))
        imap.login(self.user, self.password)
        return imap

    def messages(self, folder: str, message_id: str) -> list[Message]:
        imap = self.session()
        try:
            typ, _data = imap.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return []
            typ, data = imap.uid("SEARCH", None, "HEADER", "Message-ID", f'"<{message_id}>"')
            found = []
            for uid in data[0].split():
                typ, body = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                found.append(message_from_bytes(body[0][1], policy=policy.default))
            return found
        finally:
            imap.logout()

    def seen(self, folder: str, message_id: str) -> bool:
        imap = self.session()
        try:
            imap.select(f'"{folder}"', readonly=True)
            _typ, data = imap.uid("SEARCH", None, "SEEN", "HEADER", "Message-ID", f'"<{message_id}>"')
            return bool(data[0].split())
        finally:
            imap.logout()

    def append(self, folder: str, raw: bytes) -> None:
        imap = self.session()
        try:
            imap.create(f'"{folder}"')
            typ, data = imap.append(f'"{folder}"', None, None, raw)
            assert typ == "OK", data
        finally:
            imap.logout()

    def folders(self) -> list[str]:
        imap = self.session()
        try:
            return [line.decode().rsplit(" ", 1)[-1].strip('"') for line in imap.list()[1]]
        finally:
            imap.logout()


@dataclass
class Member:
    """The member who writes to the community's address through the submission server (SMTP AUTH)."""

    env: dict[str, str]
    mailbox: Mailbox

    @property
    def address(self) -> str:
        return self.env["IMAP_MEMBER_USER"]

    def write(self, subject: str, body: str, headers: str = "") -> str:
        message_id = f"{uuid.uuid4().hex}@member.test"
        text = (
            f"From: Membre <{self.address}>\r\nTo: {self.env['IMAP_USER']}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{message_id}>\r\n{headers}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        )
        with smtplib.SMTP(self.env["SMTP_HOST"], int(self.env["SMTP_PORT"]), timeout=15) as smtp:
            smtp.login(self.address, self.env["IMAP_MEMBER_PASSWORD"])
            assert smtp.sendmail(self.address, [self.env["IMAP_USER"]], text.encode("utf-8")) == {}
        return message_id


@pytest.fixture
def community(imap_env) -> Mailbox:
    return Mailbox(imap_env, imap_env["IMAP_USER"], imap_env["IMAP_PASSWORD"])


@pytest.fixture
def member(imap_env) -> Member:
    return Member(imap_env, Mailbox(imap_env, imap_env["IMAP_MEMBER_USER"], imap_env["IMAP_MEMBER_PASSWORD"]))


@pytest.fixture
def folder(community) -> Iterator[str]:
    """A folder of the community's mailbox of this test's own, deleted after."""
    name = f"Support-{uuid.uuid4().hex[:8]}"
    yield name
    imap = community.session()
    try:
        imap.delete(f'"{name}"')
    finally:
        imap.logout()
