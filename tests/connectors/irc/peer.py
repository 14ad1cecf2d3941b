"""The ngIRCd peer (../shared/peers/irc) for the peer tests: its values, a raw client, a server of one's own."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.peers import env_file, read_env_file

SCRIPT = Path(__file__).resolve().parents[4] / "shared" / "peers" / "irc" / "irc-ci.sh"
KEYS = ("IRC_HOST", "IRC_PORT", "IRC_OPER_NAME", "IRC_OPER_PASSWORD")


def irc_env() -> dict[str, str]:
    values = {key: os.environ[key] for key in KEYS if os.environ.get(key)}
    if len(values) < len(KEYS):
        values = {**read_env_file(env_file("irc")), **values}
    if any(not values.get(key) for key in KEYS):
        pytest.skip(f"no IRC peer: start one with {SCRIPT} start")
    try:
        socket.create_connection((values["IRC_HOST"], int(values["IRC_PORT"])), timeout=3).close()
    except OSError:
        pytest.skip(f"the IRC peer at {values['IRC_HOST']}:{values['IRC_PORT']} does not answer")
    return values


class Raw:
    """A person on the server, with a plain socket: what they send and what they see."""

    def __init__(self, host: str, port: int, nick: str) -> None:
        self.nick, self.buffer = nick, b""
        self.sock = socket.create_connection((host, port), timeout=10)
        self.send(f"NICK {nick}", f"USER {nick} 0 * :{nick}")
        assert self.wait("001"), f"{nick} could not register"

    def send(self, *lines: str) -> None:
        self.sock.sendall("".join(f"{line}\r\n" for line in lines).encode())

    def lines(self, seconds: float) -> Iterator[tuple[str, list[str]]]:
        """(command, params) of each line within ``seconds``; PINGs answered."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            while b"\r\n" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\r\n", 1)
                text = raw.decode(errors="replace")
                if text.startswith(":"):
                    text = text.split(" ", 1)[1]
                head, colon, trailing = text.partition(" :")
                words = head.split(" ")
                if words[0] == "PING":
                    self.send(f"PONG :{trailing}")
                yield words[0], words[1:] + ([trailing] if colon else [])
            self.sock.settimeout(max(0.05, end - time.monotonic()))
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                return
            if not data:
                return
            self.buffer += data

    def wait(self, *commands: str, seconds: float = 10) -> list[str] | None:
        for command, params in self.lines(seconds):
            if command in commands:
                return [command, *params]
        return None

    def join(self, channel: str) -> str:
        self.send(f"JOIN {channel}")
        answer = self.wait("JOIN", "474", "473", "471")
        return answer[0] if answer else ""

    def close(self) -> None:
        try:
            self.send("QUIT :bye")
        finally:
            self.sock.close()


@contextmanager
def own_server(port: int) -> Iterator[dict[str, str]]:
    """An ngIRCd of this test's own (the peer's script, another state dir and port): it may be stopped at will."""
    state = tempfile.mkdtemp(prefix="federe-irc-fault-")
    os.chmod(state, 0o755)  # noqa: S103 - ngIRCd runs as the user irc and reads its config there
    env = {**os.environ, "PEERS_STATE": state, "PEERS_IRC_PORT": str(port)}

    def run(verb: str) -> None:
        subprocess.run([str(SCRIPT), verb], env=env, check=True, capture_output=True, timeout=60)

    run("start")
    try:
        yield {"start": lambda: run("start"), "stop": lambda: run("stop")}  # type: ignore[dict-item]
    finally:
        run("stop")
        subprocess.run(["rm", "-rf", state], check=False)
