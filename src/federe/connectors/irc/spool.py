"""The spool: what the live bot heard, kept on disk until a sync reads it.

IRC keeps no history, so the worker's live bot (``bot.py``) writes each event it receives to an append-only file,
one JSON object a line, each with a sequence number one more than the last (``seq``); the connector's ``fetch``
reads the lines after the cursor's ``seq``. A line is written with one ``write`` under an exclusive ``flock``, so
a reader never sees half of one and two writers never share a number.

Kinds of line: ``message`` (a PRIVMSG or NOTICE to a channel: channel, nick, userhost, text, at), ``event`` (JOIN,
PART, KICK, QUIT, NICK, MODE: kept for the record, not stored as messages), ``malformed`` (a line the parser
refused, cut to 200 characters: counted by the sync, never a crash) and ``gap`` (start, end: the bot was not
connected and heard nothing meanwhile). ``<name>.alive`` beside it holds the last time the bot knew it was
connected; at the next connection the time between is recorded as a gap, whether the bot lost the server or the
worker was stopped.

Files live in ``FEDERE_DATA_DIR/irc/`` (``spool_dir`` in a channel's config for tests), named by the channel's
``spool`` key, chosen once when the channel is set up.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MIN_GAP_SECONDS = 1.0


def now() -> datetime:
    return datetime.now(UTC)


class Spool:
    def __init__(self, directory: Path, name: str) -> None:
        self.path = directory / f"{name}.jsonl"
        self.alive_path = directory / f"{name}.alive"

    def __repr__(self) -> str:
        return f"<Spool {self.path.name}>"

    @contextmanager
    def sole_listener(self) -> Iterator[bool]:
        """True while this process is the one listener of the spool on this machine (an exclusive ``flock`` on
        ``<name>.listener``, released when the bot stops or its process dies); False at once when another holds it.
        Every worker process runs the live thread: without this, two bots would spool each line twice."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path.with_suffix(".listener"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(descriptor)

    def append(self, kind: str, **fields: Any) -> int:
        """Write one line; its sequence number."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            seq = self._last_seq(descriptor) + 1
            line = json.dumps({"seq": seq, "kind": kind, **fields}, ensure_ascii=False) + "\n"
            os.write(descriptor, line.encode("utf-8"))
            return seq
        finally:
            os.close(descriptor)

    @staticmethod
    def _last_seq(descriptor: int) -> int:
        size = os.lseek(descriptor, 0, os.SEEK_END)
        if not size:
            return 0
        tail = os.pread(descriptor, min(size, 65536), max(0, size - 65536))
        lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
        return int(json.loads(lines[-1])["seq"])

    def read_after(self, seq: int, offset: int = 0) -> Iterator[tuple[dict[str, Any], int]]:
        """The lines after ``seq``, in order, each with the byte offset just past it. ``offset`` (one given back
        before) lets a reader start there instead of at the top; an offset that is not a line's start is ignored."""
        if not self.path.exists():
            return
        with self.path.open("rb") as lines:
            if offset > 0:
                lines.seek(offset - 1)
                if lines.read(1) != b"\n":
                    lines.seek(0)
            position = lines.tell()
            while (raw := lines.readline()).endswith(b"\n"):
                position += len(raw)
                entry = json.loads(raw)
                if entry["seq"] > seq:
                    yield entry, position

    # -- the bot's presence, for gaps ----------------------------------------------------------------------------

    def still_here(self, at: datetime | None = None) -> None:
        """The bot is connected at ``at`` (written often while connected; read at the next connection)."""
        self.alive_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.alive_path.with_suffix(".alive-new")
        temporary.write_text((at or now()).isoformat(), encoding="utf-8")
        temporary.replace(self.alive_path)

    def last_here(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.alive_path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None

    def connected(self, at: datetime | None = None) -> dict[str, str] | None:
        """The bot has just joined its channels: the gap since it was last here is recorded (and returned)."""
        at = at or now()
        before = self.last_here()
        self.still_here(at)
        if before is None or (at - before).total_seconds() < MIN_GAP_SECONDS:
            return None
        gap = {"start": before.isoformat(), "end": at.isoformat()}
        self.append("gap", **gap)
        return gap
