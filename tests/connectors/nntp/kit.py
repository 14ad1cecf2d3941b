"""The NNTP kit for the contract suite: INN's answers replayed from the dialogue recorded on the real server
(fake.py, fixtures/dialogue.json) and the moderator's Maildir as recorded (fixtures/moderation, read-only)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

from django.test import override_settings

from federe.connectors.capabilities import Capability
from federe.connectors.nntp import client
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit
from tests.connectors.nntp import dialogue
from tests.connectors.nntp.fake import FIXTURES, Replay, load, replaying

RECORDED = load()
IDS = RECORDED["ids"]


@contextmanager
def network() -> Iterator[Replay]:
    with replaying() as replay, override_settings(FEDERE_MAILDIR_ROOTS=[str(FIXTURES)]):
        yield replay


def failing(setup: Callable[[Replay], None]) -> Callable[[], object]:
    @contextmanager
    def context() -> Iterator[Callable[[], object]]:
        with network() as replay:
            setup(replay)
            yield lambda: KIT.build().fetch(None)

    return context


def _wrong_password(replay: Replay) -> None:
    KIT.credentials["password"] = "wrong-password"


def _hang_up(replay: Replay) -> None:
    replay.hang_up_after = "ARTICLE 2"  # the server goes away in the middle of a page


def _not_news(replay: Replay) -> None:
    replay.answers["<greeting>"] = ["HTTP/1.1 400 Bad Request\r\n"]


def _refused(replay: Replay) -> None:
    def refuse(host: str, port: int, *, tls: bool, timeout: float) -> socket.socket:
        raise ConnectionRefusedError(111, "Connection refused")

    mock.patch.object(client, "open_socket", refuse).start()


@contextmanager
def _restoring(context: Callable[[], object]) -> Iterator[Callable[[], object]]:
    try:
        with context() as attempt:  # type: ignore[attr-defined]
            yield attempt
    finally:
        KIT.credentials["password"] = dialogue.PASSWORD
        mock.patch.stopall()


CONFIG = {**dialogue.CONFIG, "moderation_maildir": str(FIXTURES / "moderation")}
KIT = Kit(
    "nntp",
    config=CONFIG,
    unreachable={"host": "127.0.0.1", "port": "9", "user": "community", "password": "s3cret-news-pass"},
    unreachable_words="The news server 127.0.0.1:9 did not answer",
    credentials={"password": dialogue.PASSWORD},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(
            OutgoingReply(IDS["root"], IDS["follow"], "<p>Merci !</p><p>À bientôt.</p>", RECORDED["keys"]["reply"])
        ),
        Capability.MODERATE: lambda c: c.act(ModerationAction(ActionKind.APPROVE, external_id=IDS["held"])),
        Capability.PUBLISH: lambda c: c.publish(
            OutgoingPost("<p>Réunion</p>", RECORDED["keys"]["post"], title="Réunion jeudi", body_text="Jeudi 18 h.")
        ),
    },
    actions={
        ActionKind.APPROVE: lambda c: c.act(ModerationAction(ActionKind.APPROVE, external_id=IDS["held"])),
        ActionKind.REJECT: lambda c: c.act(ModerationAction(ActionKind.REJECT, external_id=IDS["held2"])),
        ActionKind.DELETE: lambda c: c.act(ModerationAction(ActionKind.DELETE, external_id=IDS["follow"])),
    },
)
KIT.failures = {
    name: (lambda setup=setup: _restoring(failing(setup)))
    for name, setup in {
        "wrong password": _wrong_password,
        "server gone mid-page": _hang_up,
        "not a news server": _not_news,
        "connection refused": _refused,
    }.items()
}
