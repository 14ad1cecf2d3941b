"""One connection to an IRC server: register, authenticate, join, send at a flood-safe rate, read lines.

Registration follows RFC 2812 §3.1 (``PASS``, ``NICK``, ``USER``; 001 welcomes, 433 says the nick is taken, 464 a
wrong server password). With SASL configured, IRCv3 capability negotiation comes first
(https://ircv3.net/specs/extensions/capability-negotiation, ``CAP LS 302`` / ``CAP REQ :sasl``) and SASL PLAIN
(https://ircv3.net/specs/extensions/sasl-3.1, RFC 4616: ``AUTHENTICATE`` with base64 of ``user\\0user\\0password``;
903 success, 902/904/905 refusal); a server that does not offer SASL is refused in words, never skipped silently.
A NickServ password is sent after registration as ``PRIVMSG NickServ :IDENTIFY <password>`` (services answer in
free text, so nothing is awaited). An operator name (``OPER``, RFC 2812 §3.1.4: 381 yes, 464/491 no) gives the
rights moderation needs on servers such as ngIRCd. ISUPPORT (numeric 005) is kept: ``CHANMODES`` says whether
the server has a quiet list mode (``q`` among the list modes).

Sending goes through a token bucket: a burst of ``BURST`` lines, then one line every ``SECONDS_PER_LINE`` seconds,
below the usual server flood limits (ngIRCd, InspIRCd, Solanum allow about one line every 2 s sustained).
"""

from __future__ import annotations

import base64
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.errors import ConnectorError, Permanent, Transient, Unauthorized
from federe.connectors.irc.lines import MAX_LINE_BYTES, Malformed, Message, decode, format_line, parse
from federe.core import netsafe

BURST = 4
SECONDS_PER_LINE = 2.0
MAX_BUFFER = 16384  # bytes without a line end: the server is not speaking IRC
OVERHEARD = {"PRIVMSG", "NOTICE", "JOIN", "PART", "KICK", "QUIT", "NICK", "MODE", "TOPIC"}
JOIN_REFUSALS = {"403", "405", "471", "473", "474", "475", "476", "477"}


class TokenBucket:
    """``capacity`` tokens, one more every ``seconds`` seconds; ``take`` waits for one."""

    def __init__(
        self, capacity: int = BURST, seconds: float = SECONDS_PER_LINE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity, self.seconds, self.clock = capacity, seconds, clock
        self.tokens, self.stamp = float(capacity), clock()
        self.lock = threading.Lock()

    def wait_time(self) -> float:
        """Seconds until a token is free (0 when one is); takes it when it is."""
        with self.lock:
            current = self.clock()
            self.tokens = min(self.capacity, self.tokens + (current - self.stamp) / self.seconds)
            self.stamp = current
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) * self.seconds

    def take(self, sleep: Callable[[float], None] = time.sleep) -> None:
        while (delay := self.wait_time()) > 0:
            sleep(delay)


class Session:
    """An open connection. ``on_malformed(raw)`` hears every line the parser refused."""

    def __init__(self, config: dict, credentials: dict, *, nick: str = "", timeout: float = 10) -> None:
        self.host, self.port = str(config["host"]), int(config.get("port") or 6667)
        self.tls = bool(config.get("tls"))
        self.nick = nick or str(config["nick"])
        self.config, self.credentials, self.timeout = config, credentials, timeout
        self.bucket = TokenBucket()
        self.isupport: dict[str, str] = {}
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.on_malformed: Callable[[str], None] = lambda raw: None
        self.overheard: list[Message] = []  # what others said while we waited for an answer (the bot reads it)

    def __repr__(self) -> str:
        return f"<irc.Session {self.nick}@{self.host}:{self.port}>"

    # -- words ---------------------------------------------------------------------------------------------------

    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def lost(self, detail: str = "") -> Transient:
        message = _("The IRC server %(where)s does not answer or closed the connection.") % {"where": self.where()}
        return Transient(f"{message} {detail}".strip())

    # -- the wire ------------------------------------------------------------------------------------------------

    def connect(self) -> None:
        try:
            self.sock = netsafe.tcp_connection(self.host, self.port, tls=self.tls, timeout=self.timeout)
        except netsafe.NetRefused as exc:
            raise Permanent(exc.message) from exc
        except netsafe.NetError as exc:
            raise Transient(exc.message) from exc
        except ssl.SSLError as exc:
            raise Permanent(netsafe.tls_refused(exc, self.where())) from exc
        except OSError as exc:
            raise self.lost(f"({exc.strerror or exc})") from exc

    def send(self, command: str, *params: str, paced: bool = True) -> None:
        if paced:
            self.bucket.take()
        if self.sock is None:
            raise self.lost()
        try:
            self.sock.sendall(format_line(command, *params))
        except OSError as exc:
            raise self.lost() from exc

    def _next_raw(self, timeout: float) -> bytes | None:
        end = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_BUFFER:
                self.on_malformed(decode(self.buffer[:200]))
                self.buffer = b""
            remaining = end - time.monotonic()
            if remaining <= 0 or self.sock is None:
                return None
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                return None
            except OSError as exc:
                raise self.lost() from exc
            if not data:
                raise self.lost()
            self.buffer += data
        raw, self.buffer = self.buffer.split(b"\n", 1)
        return raw.rstrip(b"\r")

    def read(self, timeout: float) -> Message | None:
        """The next message within ``timeout`` seconds (PINGs answered, malformed lines reported and skipped)."""
        end = time.monotonic() + timeout
        while (raw := self._next_raw(max(0.0, end - time.monotonic()))) is not None:
            if not raw.strip():
                continue
            try:
                message = parse(decode(raw))
            except Malformed:
                self.on_malformed(decode(raw[:200]))
                continue
            if message.command == "PING":
                self.send("PONG", *(message.params[-1:] or ("",)), paced=False)
            elif message.command == "ERROR":
                raise self.lost(message.params[-1] if message.params else "")
            elif message.command == "005":
                self._isupport(message)
            return message
        return None

    def wait_for(self, commands: set[str], timeout: float | None = None) -> Message:
        end = time.monotonic() + (timeout or self.timeout)
        while (left := end - time.monotonic()) > 0:
            message = self.read(left)
            if message is not None and message.command in commands:
                return message
            if message is not None and message.command in OVERHEARD:
                self.overheard.append(message)
        seconds = round(timeout or self.timeout)
        waited = ngettext("(no answer within %(seconds)d second)", "(no answer within %(seconds)d seconds)", seconds)
        raise self.lost(waited % {"seconds": seconds})

    def _isupport(self, message: Message) -> None:
        for token in message.params[1:-1]:
            key, _sep, value = token.partition("=")
            self.isupport[key.upper()] = value

    def close(self, reason: str = "") -> None:
        if self.sock is None:
            return
        with contextlib.suppress(ConnectorError):
            self.send("QUIT", reason or "bye", paced=False)
        try:
            self.sock.close()
        finally:
            self.sock = None

    # -- registration --------------------------------------------------------------------------------------------

    def open(self) -> Session:
        """Connect, register (SASL, server password), identify, become an operator when configured."""
        self.connect()
        try:
            sasl = bool(self.credentials.get("sasl_password"))
            if sasl:
                self.send("CAP", "LS", "302", paced=False)
            if self.credentials.get("server_password"):
                self.send("PASS", str(self.credentials["server_password"]), paced=False)
            self.send("NICK", self.nick, paced=False)
            self.send("USER", self.nick[:9], "0", "*", "Fédère", paced=False)
            if sasl:
                self._sasl()
            self._welcome()
            self.wait_for({"376", "422"})  # the end of the MOTD: ISUPPORT has been sent
            if self.credentials.get("nickserv_password"):
                self.send("PRIVMSG", "NickServ", f"IDENTIFY {self.credentials['nickserv_password']}")
            if self.config.get("oper_name") and self.credentials.get("oper_password"):
                self._oper()
        except ConnectorError:
            self.close()
            raise
        return self

    def _welcome(self) -> None:
        tries = 0
        while True:
            answer = self.wait_for({"001", "433", "432", "464", "465"})
            if answer.command == "001":
                return
            if answer.command in {"464", "465"}:
                raise Unauthorized(
                    _("The IRC server %(where)s refused the connection password.") % {"where": self.where()}
                )
            if answer.command == "432":
                raise Permanent(_("The IRC server refuses the nick “%(nick)s”: choose another.") % {"nick": self.nick})
            tries += 1
            if tries > 3:
                raise Permanent(_("The nick “%(nick)s” is taken on the IRC server.") % {"nick": self.nick})
            self.nick = f"{self.nick[:27]}_{tries}" if tries > 1 else f"{self.nick}_"
            self.send("NICK", self.nick, paced=False)

    def _sasl(self) -> None:
        refused = Unauthorized(_("The IRC server refused the SASL user name or password."))
        caps = self.wait_for({"CAP"})
        if "sasl" not in " ".join(caps.params[2:]).replace("=", " ").split():
            raise Unauthorized(_("This IRC server does not offer SASL: leave the SASL password empty."))
        self.send("CAP", "REQ", "sasl", paced=False)
        if self.wait_for({"CAP"}).params[1:2] != ("ACK",):
            raise refused
        self.send("AUTHENTICATE", "PLAIN", paced=False)
        self.wait_for({"AUTHENTICATE"})
        user = str(self.credentials.get("sasl_user") or self.nick)
        token = base64.b64encode(f"{user}\0{user}\0{self.credentials['sasl_password']}".encode()).decode()
        self.send("AUTHENTICATE", token, paced=False)
        if self.wait_for({"903", "902", "904", "905", "906"}).command != "903":
            raise refused
        self.send("CAP", "END", paced=False)

    def _oper(self) -> None:
        self.send("OPER", str(self.config["oper_name"]), str(self.credentials["oper_password"]), paced=False)
        if self.wait_for({"381", "464", "491"}).command != "381":
            raise Unauthorized(
                _("The IRC server refused the operator name or password (OPER %(name)s): check them.")
                % {"name": self.config["oper_name"]}
            )

    def join(self, channel: str) -> None:
        self.send("JOIN", channel)
        while True:
            answer = self.wait_for({"JOIN", *JOIN_REFUSALS})
            if answer.command == "JOIN" and answer.nick == self.nick:
                return
            if answer.command in JOIN_REFUSALS and channel.lower() in (p.lower() for p in answer.params):
                raise Permanent(
                    _("The IRC server did not let the bot join %(channel)s: %(reason)s")
                    % {"channel": channel, "reason": answer.params[-1]}
                )

    @property
    def quiet_mode(self) -> bool:
        """Whether the server has a quiet list (``q`` among CHANMODES' list modes, ISUPPORT)."""
        return "q" in self.isupport.get("CHANMODES", "").split(",")[0]

    @property
    def line_room(self) -> int:
        """Bytes left for a PRIVMSG's text (the server adds our prefix to what it relays)."""
        return MAX_LINE_BYTES - 2 - 100 - len(self.nick)
