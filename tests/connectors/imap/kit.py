"""The IMAP connector's kit for the contract suite: the mail recorded on the real Dovecot (fixtures/, see
record_fixtures.py) served by an in-memory server that answers as imaplib does; mail handed to the SMTP server is
kept in the yielded list instead of sent. Failures go through the real imaplib error paths."""

from __future__ import annotations

import imaplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from federe.connectors.capabilities import Capability
from federe.connectors.imap import client as imap_client
from federe.connectors.mail import outgoing
from federe.connectors.types import ActionKind, ModerationAction, OutgoingReply
from tests.connectors.contract import Kit
from tests.connectors.imap.fake import FakeServer

CONFIG = {
    "imap_host": "imap.example.org",
    "user": "support@example.org",
    "page_size": 2,
    "long_poll_seconds": 0,
}


@dataclass
class Wire:
    server: FakeServer
    sent: list = field(default_factory=list)  # (message, how) handed to the SMTP server


@contextmanager
def network() -> Iterator[Wire]:
    wire = Wire(FakeServer())
    with (
        mock.patch.object(imap_client.netsafe, "imap_connection", wire.server.connect),
        mock.patch.object(outgoing, "send", lambda smtp, message, **kw: wire.sent.append((message, kw))),
    ):
        yield wire


def failing(fault: Callable[..., object]) -> Callable[[], object]:
    @contextmanager
    def failure() -> Iterator[Callable[[], object]]:
        with mock.patch.object(imap_client.netsafe, "imap_connection", fault):
            yield lambda: KIT.build().fetch(None)

    return failure


def _raise(exc: BaseException) -> Callable[..., object]:
    def connect(*args: object, **kwargs: object) -> object:
        raise exc

    return connect


class _Dropping(FakeServer):
    """Logs in, then the connection drops in the middle of the first command."""

    def connect(self, *args: object, **kwargs: object):  # type: ignore[override]
        session = super().connect(*args, **kwargs)  # type: ignore[arg-type]
        session.list = _raise(imaplib.IMAP4.abort("socket error: EOF"))  # type: ignore[method-assign]
        session.select = _raise(imaplib.IMAP4.abort("socket error: EOF"))  # type: ignore[method-assign]
        return session


KIT = Kit(
    "imap",
    config=CONFIG,
    unreachable={
        "imap_host": "127.0.0.1",
        "imap_port": "9",
        "user": "support@example.org",
        "password": "s3cret-mailbox-pass",
    },
    unreachable_words="The mail server 127.0.0.1:9 did not answer",
    credentials={"password": "kit-secret"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(
            OutgoingReply("question-1@member.test", "question-2@member.test", "<p>Oui, dès 10 h</p>", "k1")
        ),
        Capability.MODERATE: lambda c: c.act(ModerationAction(ActionKind.SPAM, external_id="facture-1@member.test")),
    },
    failures={
        "wrong password": failing(FakeServer(password="another").connect),
        "refused": failing(_raise(ConnectionRefusedError(111, "Connection refused"))),
        "timeout": failing(_raise(TimeoutError("timed out"))),
        "dropped": failing(_Dropping().connect),
    },
)
KIT.actions = {
    kind: (lambda c, kind=kind: c.act(ModerationAction(kind, external_id="question-1@member.test")))
    for kind in (ActionKind.SPAM, ActionKind.REMOVE)
}
KIT.actions[ActionKind.RESTORE] = lambda c: (
    c.act(ModerationAction(ActionKind.SPAM, external_id="question-1@member.test")),
    c.act(ModerationAction(ActionKind.RESTORE, external_id="question-1@member.test")),
)[1]
