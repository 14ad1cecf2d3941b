"""One IMAP session with the standard library's imaplib, its failures in plain words (the connector error family).

The commands used, from RFC 3501 (IMAP4rev1): LOGIN (6.2.3), STARTTLS (6.2.1, when offered), LIST (6.3.8, with
the special-use flags of RFC 6154: ``\\Junk``, ``\\Archive``, ``\\Sent``), SELECT/EXAMINE (6.3.1-2: UIDVALIDITY
and UIDNEXT), CREATE (6.3.3), APPEND (6.3.11), UID SEARCH and UID FETCH (6.4.4, 6.4.5, 6.4.8: ``RFC822.SIZE``,
``BODY.PEEK[]`` and ``BODY.PEEK[HEADER]``, which leave ``\\Seen`` alone), UID STORE and UID EXPUNGE (RFC 4315) when
MOVE is missing; UID MOVE (RFC 6851); IDLE (RFC 2177, written here: imaplib has no ``idle()`` before Python 3.14).
Connections go through ``core.netsafe.imap_connection`` (address checks, never inside a transaction).
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import select
import ssl
import time
from dataclasses import dataclass
from types import TracebackType

from django.utils.translation import gettext as _

from federe.connectors.errors import ConnectorError, Permanent, Transient, Unauthorized
from federe.core import netsafe

_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"(?:[^"\\]|\\.)*"|NIL) (?P<name>.+)$')
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_EXISTS = re.compile(rb"^\* \d+ (EXISTS|RECENT)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Folder:
    name: str
    flags: frozenset[str]  # lower-cased: "\\junk", "\\noselect"…

    @property
    def selectable(self) -> bool:
        return not {"\\noselect", "\\nonexistent"} & self.flags


@dataclass(frozen=True, slots=True)
class Fetched:
    uid: int
    size: int
    raw: bytes
    whole: bool  # False when only the header was read (the message is larger than the cap)


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    security: str  # auto, starttls, tls, none (netsafe.mailserver.IMAP_SECURITY)
    user: str
    password: str
    timeout: float = 20

    def __repr__(self) -> str:
        return f"<ImapServer {self.security}://{self.host}:{self.port}>"  # never the password


def quoted(value: str) -> str:
    """An IMAP quoted string (RFC 3501 section 4.3): imaplib sends arguments as they are."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapClient:
    """Logged in on ``open()`` (or ``with``); every failure a ``ConnectorError`` in plain words."""

    def __init__(self, server: ImapServer) -> None:
        self.server = server
        self.where = f"{server.host}:{server.port}"
        self._imap: imaplib.IMAP4 | None = None
        self.capabilities: frozenset[str] = frozenset()
        self._folders: list[Folder] | None = None

    def __repr__(self) -> str:
        return f"<ImapClient {self.server!r}>"

    # -- the session ----------------------------------------------------------------------------------------

    def __enter__(self) -> ImapClient:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def open(self) -> None:
        try:
            imap = netsafe.imap_connection(
                self.server.host, self.server.port, self.server.security, timeout=self.server.timeout
            )
        except netsafe.NetError as exc:
            raise (Permanent if isinstance(exc, netsafe.NetRefused) else Transient)(exc.message) from exc
        except imaplib.IMAP4.abort as exc:
            raise self._failure(exc) from exc
        except imaplib.IMAP4.error as exc:  # STARTTLS asked for and not offered
            raise Permanent(
                _("The mail server %(where)s offers no secure connection (STARTTLS): %(why)s")
                % {"where": self.where, "why": str(exc)[:200]}
            ) from exc
        except Exception as exc:
            raise self._failure(exc) from exc
        self._imap = imap
        try:
            imap.login(self.server.user, self.server.password)
        except imaplib.IMAP4.abort as exc:
            raise self._failure(exc) from exc
        except imaplib.IMAP4.error as exc:
            self.close()
            raise Unauthorized(
                _("The mail server %(where)s refused the user name or password.") % {"where": self.where}
            ) from exc
        except Exception as exc:
            raise self._failure(exc) from exc
        _typ, data = self._call("capability")
        words = data[0] if data and isinstance(data[0], bytes) else b""
        self.capabilities = frozenset(words.decode("ascii", "replace").upper().split())

    def close(self) -> None:
        imap, self._imap = self._imap, None
        if imap is None:
            return
        with contextlib.suppress(Exception):  # the session is over either way
            imap.logout()

    @property
    def imap(self) -> imaplib.IMAP4:
        if self._imap is None:
            self.open()
        assert self._imap is not None
        return self._imap

    def _call(self, name: str, *args: object) -> tuple[str, list]:
        """One imaplib command; a NO/BAD answer is returned, a lost connection raised as Transient."""
        try:
            typ, data = getattr(self.imap, name)(*args)
        except imaplib.IMAP4.abort as exc:
            raise self._failure(exc) from exc
        except imaplib.IMAP4.error as exc:
            return "NO", [str(exc).encode()]
        except Exception as exc:
            raise self._failure(exc) from exc
        return str(typ), list(data or [])

    def _failure(self, exc: BaseException) -> ConnectorError:
        self._imap = None  # never reuse a broken session
        if isinstance(exc, ssl.SSLError | ssl.CertificateError):
            return Permanent(netsafe.tls_refused(exc, self.where))
        why = str(getattr(exc, "strerror", "") or exc or type(exc).__name__)[:200]
        return Transient(_("The mail server %(where)s did not answer: %(why)s.") % {"where": self.where, "why": why})

    # -- folders --------------------------------------------------------------------------------------------

    def folders(self) -> list[Folder]:
        if self._folders is None:
            typ, data = self._call("list")
            if typ != "OK":
                raise Transient(_("The mail server %(where)s did not list its folders.") % {"where": self.where})
            self._folders = [folder for folder in map(_folder, data) if folder is not None]
        return self._folders

    def special(self, use: str) -> str:
        """The folder marked with this special use (RFC 6154: "\\Junk", "\\Archive", "\\Sent"), or ''."""
        for folder in self.folders():
            if use.lower() in folder.flags:
                return folder.name
        return ""

    def named(self, name: str) -> str:
        """The folder of that name (case-insensitively for INBOX, exactly otherwise), or ''."""
        for folder in self.folders():
            if folder.name == name or (name.upper() == "INBOX" and folder.name.upper() == "INBOX"):
                return folder.name
        return ""

    def create(self, name: str) -> None:
        typ, data = self._call("create", quoted(name))
        self._folders = None
        if typ != "OK" and not self.named(name):
            raise Permanent(
                _("The mail server %(where)s would not create the folder %(folder)s: %(why)s")
                % {"where": self.where, "folder": name, "why": _said(data)}
            )

    def select(self, name: str, *, readonly: bool = True) -> tuple[int, int]:
        """Open a folder: its (UIDVALIDITY, UIDNEXT); Permanent when it does not exist."""
        typ, data = self._call("select", quoted(name), readonly)
        if typ != "OK":
            raise Permanent(
                _("The folder %(folder)s cannot be opened on %(where)s: %(why)s")
                % {"folder": name, "where": self.where, "why": _said(data)}
            )
        validity = _number(self.imap.response("UIDVALIDITY")[1])
        following = _number(self.imap.response("UIDNEXT")[1])
        return validity, following

    # -- messages -------------------------------------------------------------------------------------------

    def uids_after(self, last: int) -> list[int]:
        """The UIDs above ``last`` in the selected folder, in order (``n:*`` also names the top message when every
        UID is below n: filtered out)."""
        typ, data = self._call("uid", "SEARCH", None, "UID", f"{last + 1}:*")
        if typ != "OK":
            raise Transient(_("The mail server %(where)s did not search the folder.") % {"where": self.where})
        found = (int(word) for line in data if isinstance(line, bytes) for word in line.split() if word.isdigit())
        return sorted(uid for uid in found if uid > last)

    def find(self, message_id: str) -> list[int]:
        """The UIDs of the selected folder's messages with this Message-ID."""
        try:
            value = quoted(f"<{message_id}>")
            value.encode("ascii")
        except UnicodeEncodeError:
            return []
        typ, data = self._call("uid", "SEARCH", None, "HEADER", "Message-ID", value)
        if typ != "OK":
            return []
        return [int(word) for line in data if isinstance(line, bytes) for word in line.split() if word.isdigit()]

    def fetch(self, uids: list[int], *, max_bytes: int) -> list[Fetched]:
        """The messages, whole when at most ``max_bytes``, else their header alone; ``\\Seen`` is left alone."""
        if not uids:
            return []
        sizes = self._sizes(uids)
        small = [uid for uid in uids if sizes.get(uid, 0) <= max_bytes]
        large = [uid for uid in uids if sizes.get(uid, 0) > max_bytes]
        got = {**self._bodies(small, "BODY.PEEK[]"), **self._bodies(large, "BODY.PEEK[HEADER]")}
        return [
            Fetched(uid=uid, size=sizes.get(uid, len(got[uid])), raw=got[uid], whole=uid not in large)
            for uid in uids
            if uid in got
        ]

    def headers(self, uid: int) -> bytes:
        return self._bodies([uid], "BODY.PEEK[HEADER]").get(uid, b"")

    def _sizes(self, uids: list[int]) -> dict[int, int]:
        _typ, data = self._call("uid", "FETCH", _set(uids), "(UID RFC822.SIZE)")
        sizes: dict[int, int] = {}
        for line in data:
            text = line[0] if isinstance(line, tuple) else line
            if isinstance(text, bytes) and (uid := _UID.search(text)) and (size := _SIZE.search(text)):
                sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def _bodies(self, uids: list[int], what: str) -> dict[int, bytes]:
        if not uids:
            return {}
        typ, data = self._call("uid", "FETCH", _set(uids), f"(UID {what})")
        if typ != "OK":
            raise Transient(
                _("The mail server %(where)s did not send the messages: %(why)s")
                % {"where": self.where, "why": _said(data)}
            )
        found: dict[int, bytes] = {}
        for part in data:
            if isinstance(part, tuple) and len(part) == 2 and (uid := _UID.search(part[0])):
                found[int(uid.group(1))] = bytes(part[1])
        return found

    def move(self, uids: list[int], folder: str) -> None:
        """UID MOVE (RFC 6851), else COPY, ``\\Deleted`` and UID EXPUNGE (RFC 4315), in the selected folder."""
        if "MOVE" in self.capabilities:
            typ, data = self._call("uid", "MOVE", _set(uids), quoted(folder))
        else:
            typ, data = self._call("uid", "COPY", _set(uids), quoted(folder))
            if typ == "OK":
                self._call("uid", "STORE", _set(uids), "+FLAGS.SILENT", "(\\Deleted)")
                command = ("uid", "EXPUNGE", _set(uids)) if "UIDPLUS" in self.capabilities else ("expunge",)
                typ, data = self._call(*command)
        if typ != "OK":
            raise Permanent(
                _("The mail server %(where)s did not move the message to %(folder)s: %(why)s")
                % {"where": self.where, "folder": folder, "why": _said(data)}
            )

    def append(self, folder: str, raw: bytes, flags: str = "(\\Seen)") -> None:
        typ, data = self._call("append", quoted(folder), flags, None, raw)
        if typ != "OK":
            raise Transient(
                _("The mail server %(where)s did not keep a copy in %(folder)s: %(why)s")
                % {"where": self.where, "folder": folder, "why": _said(data)}
            )

    # -- IDLE (RFC 2177) ------------------------------------------------------------------------------------

    def idle(self, seconds: float) -> bool:
        """Wait in the selected folder until the server says a message arrived (True) or ``seconds`` pass."""
        if "IDLE" not in self.capabilities or seconds <= 0:
            return False
        imap = self.imap
        try:
            tag = imap._new_tag()  # type: ignore[attr-defined]
            imap.send(tag + b" IDLE\r\n")
            line = imap.readline()
            while line.startswith(b"* "):  # untagged news before the continuation
                line = imap.readline()
            if not line.startswith(b"+"):
                return False  # refused: the sync simply polls
            news = False
            end = time.monotonic() + seconds
            while not news and (left := end - time.monotonic()) > 0:
                readable, _w, _x = select.select([imap.sock], [], [], left)
                if not readable:
                    break
                line = imap.readline()
                if not line:
                    raise ConnectionResetError(_("the connection was closed during IDLE"))
                news = bool(_EXISTS.match(line))
            imap.send(b"DONE\r\n")
            while not (line := imap.readline()).startswith(tag):
                if not line:
                    raise ConnectionResetError(_("the connection was closed during IDLE"))
                news = news or bool(_EXISTS.match(line))
            return news
        except (OSError, imaplib.IMAP4.error) as exc:
            raise self._failure(exc) from exc


def _folder(line: object) -> Folder | None:
    if isinstance(line, tuple):  # a name sent as a literal
        head, name_bytes = line[0], line[1]
        match = _LIST_LINE.match(bytes(head).rstrip() + b' "x"')
        if not match:
            return None
        return Folder(bytes(name_bytes).decode("utf-8", "replace"), _flags(match.group("flags")))
    if not isinstance(line, bytes) or not (match := _LIST_LINE.match(line.strip())):
        return None
    name = match.group("name").decode("utf-8", "replace")
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return Folder(name, _flags(match.group("flags")))


def _flags(text: bytes) -> frozenset[str]:
    return frozenset(text.decode("ascii", "replace").lower().split())


def _number(data: list | None) -> int:
    value = (data or [b"0"])[0]
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _set(uids: list[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _said(data: list) -> str:
    first = data[0] if data else b""
    text = first.decode("utf-8", "replace") if isinstance(first, bytes) else str(first)
    return text[:200]
