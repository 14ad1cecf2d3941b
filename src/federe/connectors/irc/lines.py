"""IRC lines, read and written: RFC 1459 §2.3 / RFC 2812 §2.3 message format, with IRCv3 message tags.

A line is ``[@tags ][:prefix ]COMMAND[ params][ :trailing]`` ending in CR LF, at most 512 bytes without the tags
(RFC 2812 §2.3). Tags (https://ircv3.net/specs/extensions/message-tags) are ``key[=value]`` separated by ``;``,
their values escaped (``\\:`` ``;``, ``\\s`` space, ``\\\\`` backslash, ``\\r``, ``\\n``). The ``time`` tag
(https://ircv3.net/specs/extensions/server-time) gives the server's time of a message when the server sends it.

``parse`` raises ``Malformed`` for a line that is not a message (no command, a bad prefix...): the caller counts it
and goes on. Bytes that are not UTF-8 are read as Latin-1 (what older clients send), never refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

MAX_LINE_BYTES = 512  # RFC 2812 §2.3, CR LF included
COMMAND = re.compile(r"^(?:[A-Za-z]+|\d{3})$")
TAG_ESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}


class Malformed(ValueError):
    """A line that is not an IRC message."""


@dataclass(frozen=True, slots=True)
class Message:
    command: str  # upper case: PRIVMSG, JOIN, 001...
    params: tuple[str, ...] = ()
    prefix: str = ""  # nick!user@host, or a server name
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def nick(self) -> str:
        """The sender's nick (the prefix before ``!``), or the server name."""
        return self.prefix.split("!", 1)[0].split("@", 1)[0]

    @property
    def userhost(self) -> str:
        return self.prefix.split("!", 1)[1] if "!" in self.prefix else ""

    def server_time(self) -> datetime | None:
        """The IRCv3 ``time`` tag, when the server sent one and it is a valid time."""
        value = self.tags.get("time", "")
        try:
            at = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
        except ValueError:
            return None
        return at.astimezone(UTC) if at and at.tzinfo else None


def _unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append(TAG_ESCAPES.get(following, following))
        else:
            out.append(char)
    return "".join(out)


def _tags(text: str) -> dict[str, str]:
    tags = {}
    for part in text.split(";"):
        if part:
            key, _, value = part.partition("=")
            tags[key] = _unescape(value)
    return tags


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse(line: str) -> Message:
    """One message from one line (its CR LF already removed)."""
    rest = line.rstrip("\r\n")
    tags: dict[str, str] = {}
    if rest.startswith("@"):
        head, _, rest = rest.partition(" ")
        tags = _tags(head[1:])
    rest = rest.lstrip(" ")
    prefix = ""
    if rest.startswith(":"):
        prefix, _, rest = rest[1:].partition(" ")
        if not prefix:
            raise Malformed("empty prefix")
    head, colon, trailing = rest.partition(" :")
    words = [word for word in head.split(" ") if word]  # SPACE only (RFC 2812 §2.3.1), not any whitespace
    if head.startswith(":"):  # ":trailing" with no command
        raise Malformed("no command")
    if not words or not COMMAND.match(words[0]):
        raise Malformed("no command")
    params = words[1:] + ([trailing] if colon else [])
    return Message(command=words[0].upper(), params=tuple(params), prefix=prefix, tags=tags)


def format_line(command: str, *params: str) -> bytes:
    """A line to send: the last parameter as a trailing one when it needs to be (spaces, a colon, empty)."""
    parts = [command]
    for index, param in enumerate(params):
        if any(c in param for c in "\r\n\0"):
            raise ValueError("an IRC parameter cannot hold CR, LF or NUL")
        last = index == len(params) - 1
        if last and (not param or " " in param or param.startswith(":")):
            parts.append(":" + param)
        else:
            parts.append(param)
    return (" ".join(parts) + "\r\n").encode("utf-8")


def split_text(text: str, room: int) -> list[str]:
    """``text`` cut into pieces of at most ``room`` UTF-8 bytes, at spaces where it can, never inside a character;
    line breaks start a new piece (a PRIVMSG cannot hold one)."""
    pieces: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        while len(line.encode()) > room:
            cut = len(line.encode()[:room].decode("utf-8", "ignore"))
            space = line.rfind(" ", 0, cut)
            cut = space if space > 0 else cut
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        if line:
            pieces.append(line)
    return pieces
