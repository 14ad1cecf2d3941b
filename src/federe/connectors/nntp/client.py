"""A small NNTP reader client over one socket, every failure mapped into the connector error family.

Built to RFC 3977 (Network News Transfer Protocol): the greeting (§5.1: 200 posting allowed, 201 not), the
response format and multi-line blocks with dot-stuffing (§3.1.1, §3.2), LIST ACTIVE (§7.6.3), GROUP (§6.1.1),
OVER (§8.3), ARTICLE and HEAD by number or message-id (§6.2.1, §6.2.2), STAT (§6.2.4), POST (§6.3.1: 340 then
the article, 240 posted, 441 refused) and QUIT (§5.4); RFC 4643 §2.3 for AUTHINFO USER/PASS (381 then 281, 481
refused, 480 a login is needed). Python's ``nntplib`` is not used (deprecated, removed in Python 3.13).

The connection goes through ``core.netsafe.tcp_connection`` (address checks, never inside a transaction).
Articles stay bytes: they are parsed as RFC 5322 / MIME messages by ``connectors.mail.parse``.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.errors import ConnectorError, Permanent, Transient, Unauthorized
from federe.core import netsafe

MAX_LINE = 64_000  # a response line; an article line may be as long (RFC 5536 allows folding, not infinity)
MAX_BLOCK_BYTES = 25_000_000  # one multi-line answer (an article, an overview range)
PIPELINE = 50  # ARTICLE commands sent before reading their answers
MULTI_LINE = {100, 101, 215, 220, 221, 222, 224, 225, 230, 231}

REFUSED = _lazy("The news server refused the user name or password.")
LOGIN_NEEDED = _lazy("The news server needs a user name and password for this (it answered %(answer)s).")


def open_socket(host: str, port: int, *, tls: bool, timeout: float) -> socket.socket:
    """The one place a connection is opened (tests serve recorded dialogues through a socket pair here)."""
    return netsafe.tcp_connection(host, port, tls=tls, timeout=timeout)


@dataclass(frozen=True, slots=True)
class Answer:
    code: int
    text: str
    lines: tuple[bytes, ...] = ()

    @property
    def shown(self) -> str:
        return f"{self.code} {self.text}"[:200]


@dataclass(frozen=True, slots=True)
class GroupState:
    name: str
    count: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Overview:
    """One line of OVER (RFC 3977 §8.3.2): the article number and the fields we use."""

    number: int
    subject: str
    message_id: str
    references: str


class NewsClient:
    def __init__(
        self, host: str, port: int, user: str = "", password: str = "", *, tls: bool = False, timeout: float = 15
    ) -> None:
        self.host, self.port, self.tls, self.timeout = host, port, tls, timeout
        self._user, self._password = user, password
        self._sock: socket.socket | None = None
        self._file: Any = None
        self.posting_allowed = False
        self.group: str = ""

    def __repr__(self) -> str:
        return f"<NewsClient {self.host}:{self.port}>"  # never the password

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    # -- connection ------------------------------------------------------------------------------------------

    def connect(self) -> None:
        """Open, read the greeting and log in (when there is a user name)."""
        if self._file is not None:
            return
        try:
            self._sock = open_socket(self.host, self.port, tls=self.tls, timeout=self.timeout)
        except netsafe.NetError as exc:
            raise (Permanent if isinstance(exc, netsafe.NetRefused) else Transient)(exc.message) from exc
        except ssl.SSLError as exc:
            raise Permanent(netsafe.tls_refused(exc, f"{self.host}:{self.port}")) from exc
        except OSError as exc:
            raise self._unreachable(exc) from exc
        self._file = self._sock.makefile("rwb")
        greeting = self._answer()
        if greeting.code not in (200, 201):
            self.close()
            raise Transient(
                _("The news server %(where)s does not take readers now (%(answer)s).")
                % {"where": self.where, "answer": greeting.shown}
            )
        self.posting_allowed = greeting.code == 200
        if self._user:
            self._login()

    def _login(self) -> None:
        answer = self.command(f"AUTHINFO USER {self._user}")
        if answer.code == 381:
            answer = self.command(f"AUTHINFO PASS {self._password}")
        if answer.code in (481, 482, 502):
            self.close()
            raise Unauthorized(str(REFUSED), status=answer.code)
        if answer.code != 281:
            self.close()
            raise Permanent(
                _("The news server %(where)s did not accept the login (%(answer)s).")
                % {"where": self.where, "answer": answer.shown}
            )

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.write(b"QUIT\r\n")
                self._file.flush()
            except OSError:
                pass
        for thing in (self._file, self._sock):
            try:
                if thing is not None:
                    thing.close()
            except OSError:
                pass
        self._file = self._sock = None
        self.group = ""

    def __enter__(self) -> NewsClient:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- commands --------------------------------------------------------------------------------------------

    def list_active(self, pattern: str = "") -> list[tuple[str, int, int, str]]:
        """(group, high, low, status) for each group (RFC 3977 §7.6.3); status y, n or m (moderated)."""
        answer = self.expect(f"LIST ACTIVE {pattern}".strip(), 215)
        groups = []
        for line in answer.lines:
            fields = line.decode("utf-8", "replace").split()
            if len(fields) >= 4 and fields[1].isdigit() and fields[2].isdigit():
                groups.append((fields[0], int(fields[1]), int(fields[2]), fields[3]))
        return groups

    def select(self, group: str) -> GroupState:
        """GROUP (§6.1.1): 211 count low high name."""
        answer = self.command(f"GROUP {group}")
        if answer.code == 411:
            raise Permanent(_("The news server has no group %(group)s.") % {"group": group[:200]})
        fields = answer.text.split()
        if answer.code != 211 or len(fields) < 3 or not all(f.isdigit() for f in fields[:3]):
            raise self._unexpected(f"GROUP {group}", answer)
        self.group = group
        return GroupState(group, int(fields[0]), int(fields[1]), int(fields[2]))

    def over(self, first: int, last: int) -> list[Overview]:
        """OVER first-last in the selected group (§8.3); [] when the range holds no article (423)."""
        answer = self.command(f"OVER {first}-{last}")
        if answer.code == 423:
            return []
        if answer.code != 224:
            raise self._unexpected("OVER", answer)
        found = []
        for line in answer.lines:
            fields = line.decode("utf-8", "replace").split("\t")
            if len(fields) >= 6 and fields[0].isdigit():
                found.append(Overview(int(fields[0]), fields[1], fields[4].strip(), fields[5].strip()))
        return found

    def article(self, which: int | str) -> bytes | None:
        """The whole article (§6.2.1), by number in the selected group or by <message-id>; None when gone."""
        return self._text("ARTICLE", which, 220)

    def head(self, which: int | str) -> bytes | None:
        """The article's headers (§6.2.2); None when the server has no such article."""
        return self._text("HEAD", which, 221)

    def exists(self, message_id: str) -> bool:
        """STAT <message-id> (§6.2.4): whether the server has the article."""
        answer = self.command(f"STAT <{message_id}>")
        if answer.code in (423, 430):
            return False
        if answer.code != 223:
            raise self._unexpected("STAT", answer)
        return True

    def post(self, article: bytes) -> Answer:
        """POST (§6.3.1): the server's final answer, 240 or 441 (refused, in its own words); others raise."""
        answer = self.command("POST")
        if answer.code in (440, 480):
            raise Unauthorized(str(LOGIN_NEEDED) % {"answer": answer.shown}, status=answer.code)
        if answer.code != 340:
            raise self._unexpected("POST", answer)
        lines = article.replace(b"\r\n", b"\n").split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        stuffed = b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)
        self._send(stuffed + b".\r\n")
        final = self._answer()
        if final.code not in (240, 441):
            raise self._unexpected("POST", final)
        return final

    # -- plumbing --------------------------------------------------------------------------------------------

    def articles(self, numbers: list[int]) -> list[bytes | None]:
        """ARTICLE for each number of the selected group, pipelined (RFC 3977 §3.5): ``PIPELINE`` commands sent
        at once, their answers read in order. One command at a time waits for the network's round trip (and on
        loopback INN's reply meets the delayed ACK: about 40 ms an article)."""
        found: list[bytes | None] = []
        for start in range(0, len(numbers), PIPELINE):
            chunk = numbers[start : start + PIPELINE]
            self.connect()
            self._send(b"".join(f"ARTICLE {number}\r\n".encode() for number in chunk))
            found.extend(self._text_of("ARTICLE", self._checked(self._answer()), 220) for _number in chunk)
        return found

    def _text(self, verb: str, which: int | str, ok: int) -> bytes | None:
        target = str(which) if isinstance(which, int) else f"<{which}>"
        return self._text_of(verb, self.command(f"{verb} {target}"), ok)

    def _text_of(self, verb: str, answer: Answer, ok: int) -> bytes | None:
        if answer.code in (423, 430):
            return None
        if answer.code != ok:
            raise self._unexpected(verb, answer)
        return b"\r\n".join(answer.lines) + b"\r\n"

    def expect(self, line: str, code: int) -> Answer:
        answer = self.command(line)
        if answer.code != code:
            raise self._unexpected(line.split(" ", 1)[0], answer)
        return answer

    def command(self, line: str) -> Answer:
        """One command and its answer; the line is never logged nor put in an error (it may hold the password)."""
        if any(c in line for c in "\r\n\0") or len(line) > 497:  # one line of at most 512 octets (§3.1)
            raise Permanent(_("Fédère refused to send a malformed command to the news server."))
        self.connect()
        self._send(line.encode("utf-8") + b"\r\n")
        return self._checked(self._answer())

    def _checked(self, answer: Answer) -> Answer:
        """The answer, unless it says a login is needed or the session is over (then a connector error)."""
        if answer.code == 480:
            raise Unauthorized(str(LOGIN_NEEDED) % {"answer": answer.shown}, status=480)
        if answer.code in (400, 503):
            self.close()
            raise Transient(
                _("The news server %(where)s ended the session (%(answer)s); Fédère will try again.")
                % {"where": self.where, "answer": answer.shown}
            )
        return answer

    def _send(self, data: bytes) -> None:
        try:
            self._file.write(data)
            self._file.flush()
        except OSError as exc:
            self.close()
            raise self._unreachable(exc) from exc

    def _readline(self) -> bytes:
        try:
            line = self._file.readline(MAX_LINE + 2)
        except OSError as exc:
            self.close()
            raise self._unreachable(exc) from exc
        if not line:
            self.close()
            raise Transient(
                _("The news server %(where)s closed the connection; Fédère will try again.") % {"where": self.where}
            )
        return bytes(line)

    def _answer(self) -> Answer:
        line = self._readline().rstrip(b"\r\n").decode("utf-8", "replace")
        if len(line) < 3 or not line[:3].isdigit():
            self.close()
            raise Transient(
                _("The news server %(where)s answered something that is not NNTP: %(line)s")
                % {"where": self.where, "line": line[:80]}
            )
        code = int(line[:3])
        if code not in MULTI_LINE:
            return Answer(code, line[4:].strip())
        lines: list[bytes] = []
        size = 0
        while True:
            raw = self._readline()
            while not raw.endswith(b"\n") and len(raw) < MAX_BLOCK_BYTES:  # a line longer than MAX_LINE
                raw += self._readline()
            raw = raw.rstrip(b"\r\n")
            if raw == b".":
                break
            size += len(raw) + 2
            if size > MAX_BLOCK_BYTES:
                self.close()
                raise Permanent(_("The news server sent an answer larger than Fédère reads (25 MB)."))
            lines.append(raw[1:] if raw.startswith(b".") else raw)
        return Answer(code, line[4:].strip(), tuple(lines))

    def _unreachable(self, exc: BaseException) -> ConnectorError:
        why = str(getattr(exc, "strerror", "") or exc or type(exc).__name__)[:200]
        if isinstance(exc, TimeoutError | socket.timeout):
            why = _("no answer in time")
        return Transient(_("The news server %(where)s did not answer: %(why)s.") % {"where": self.where, "why": why})

    def _unexpected(self, verb: str, answer: Answer) -> ConnectorError:
        return Permanent(
            _("The news server refused %(command)s: %(answer)s.") % {"command": verb, "answer": answer.shown},
            status=answer.code,
        )
