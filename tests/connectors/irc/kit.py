"""IRC's kit for the contract suite: a spool as the live bot writes it, and a small IRC server (fake_server.py)
for replies and moderation. The proof against a real server is test_peer.py (ngIRCd)."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.test import override_settings

from federe.connectors import registry
from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from federe.connectors.irc.spool import Spool
from federe.connectors.types import ActionKind, ModerationAction, OutgoingReply
from tests.connectors.contract import Kit
from tests.connectors.irc.fake_server import OPER_PASSWORD, Server

SERVER = Server()
CONFIG = {"host": "127.0.0.1", "port": SERVER.port, "nick": "kitbot", "channels": "#kit", "oper_name": "op"}
START = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
SPOOL = "0123456789abcdef"


def fill(spool: Spool, count: int = 250) -> None:
    """What a bot would have heard: ``count`` messages from three people, a silence of an hour midway, a gap."""
    for index in range(count):
        at = START + timedelta(minutes=index + (60 if index >= count // 2 else 0))
        spool.append(
            "message", channel="#kit", nick=f"user{index % 3}", userhost="~u@h", text=f"line {index}", at=at.isoformat()
        )
        if index == count // 2:
            spool.append("gap", start=at.isoformat(), end=(at + timedelta(minutes=5)).isoformat())
            spool.append("malformed", raw=":only-a-prefix", at=at.isoformat())


@contextmanager
def network() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory, override_settings(FEDERE_IRC_SPOOL_DIR=directory):
        fill(Spool(Path(directory), SPOOL))
        yield Path(directory)


MESSAGE = f"#kit user1 {'0' * 24}"
THREAD = "#kit 2026-11-30T20:00:00Z"


def _act(kind: ActionKind) -> Callable[[object], object]:
    return lambda c: c.act(ModerationAction(kind, MESSAGE, author_id="user1", thread_id=THREAD))  # type: ignore[attr-defined]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _failing(
    config: dict[str, object], call: str, oper_password: str = OPER_PASSWORD
) -> Iterator[Callable[[], object]]:
    def build() -> Connector:
        credentials = {"oper_password": oper_password}
        return registry.build("irc", config={**KIT.config, **config}, credentials=credentials)

    reply = OutgoingReply(THREAD, MESSAGE, "<p>Bonjour</p>", "k-fail")
    calls = {"reply": lambda: build().reply(reply), "fetch": lambda: build().fetch(None)}
    with network():
        yield calls[call]


KIT = Kit(
    "irc",
    config={**CONFIG, "spool": SPOOL},
    credentials={"oper_password": OPER_PASSWORD},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply(THREAD, MESSAGE, "<p>Merci !</p>", "k1")),
        Capability.MODERATE: _act(ActionKind.BAN),
    },
    actions={kind: _act(kind) for kind in (ActionKind.KICK, ActionKind.BAN, ActionKind.UNBAN, ActionKind.MUTE)},
    failures={
        "unreachable": lambda: _failing({"port": _closed_port()}, "reply"),
        "wrong operator password": lambda: _failing({}, "reply", "not-the-password"),
        "no channel": lambda: _failing({"channels": ""}, "fetch"),
    },
)
