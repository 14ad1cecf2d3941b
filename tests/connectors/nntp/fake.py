"""A news server that replays a dialogue recorded on the real INN (fixtures/dialogue.json, record_fixtures.py).

Served through a socket pair in place of ``client.open_socket``, so the client's own socket code runs. Each
connection starts the recording over: a command gets, in turn, the answers it got on the real server (the last
one again when they run out), the greeting first. An article sent after POST's 340 is kept (``posted``) and
answered with the next recorded answer to an article. A command never recorded gets INN's "500 What?".
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from federe.connectors.nntp import client

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = "<article>"
GREETING = "<greeting>"


def load(name: str = "dialogue.json") -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Replay:
    def __init__(self, turns: list[dict[str, str]]) -> None:
        self.answers: dict[str, list[str]] = defaultdict(list)
        for turn in turns:
            self.answers[turn["sent"]].append(turn["answer"])
        self.posted: list[bytes] = []
        self.commands: list[str] = []
        self.hang_up_after: str | None = None  # a command after which the server drops the connection

    def serve(self, sock: socket.socket) -> None:
        used: dict[str, int] = defaultdict(int)

        def answer(key: str) -> bytes:
            recorded = self.answers.get(key)
            if not recorded:
                return b"500 What?\r\n"
            index = min(used[key], len(recorded) - 1)
            used[key] += 1
            return recorded[index].encode("latin-1")

        stream = sock.makefile("rwb")
        try:
            stream.write(answer(GREETING))
            stream.flush()
            while line := stream.readline():
                command = line.decode("latin-1").rstrip("\r\n")
                self.commands.append(command)
                if command == self.hang_up_after:
                    break
                stream.write(answer(command))
                stream.flush()
                if command == "QUIT":
                    break
                if command == "POST" and self.answers["POST"][0].startswith("340"):
                    article = b""
                    while (body := stream.readline()) not in (b".\r\n", b""):
                        article += body
                    self.posted.append(article)
                    stream.write(answer(ARTICLE))
                    stream.flush()
        except OSError:
            pass
        finally:
            for thing in (stream, sock):
                with contextlib.suppress(OSError):
                    thing.close()

    def open_socket(self, host: str, port: int, *, tls: bool, timeout: float) -> socket.socket:
        ours, theirs = socket.socketpair()
        ours.settimeout(timeout)
        threading.Thread(target=self.serve, args=(theirs,), daemon=True).start()
        return ours


@contextmanager
def replaying(turns: list[dict[str, str]] | None = None) -> Iterator[Replay]:
    replay = Replay(turns if turns is not None else load()["turns"])
    with mock.patch.object(client, "open_socket", replay.open_socket):
        yield replay
