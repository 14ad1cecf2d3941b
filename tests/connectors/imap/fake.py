"""A mailbox in memory that answers like imaplib does against Dovecot (the shapes seen on the peer): the folders
of fixtures/folders.txt and the messages recorded in fixtures/*.eml. Only what the connector sends is understood;
anything else fails loudly, so a new command is noticed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class FakeFolder:
    uidvalidity: int
    messages: dict[int, bytes] = field(default_factory=dict)
    next_uid: int = 1

    def add(self, raw: bytes) -> int:
        uid = self.next_uid
        self.messages[uid] = raw
        self.next_uid += 1
        return uid


class FakeServer:
    """The state of the server, shared by every connection of a test."""

    def __init__(self, password: str = "kit-secret") -> None:  # noqa: S107 - the kit's fake credentials
        self.password = password
        self.listing = (FIXTURES / "folders.txt").read_bytes().splitlines()
        self.folders: dict[str, FakeFolder] = {}
        for line in self.listing:
            self.folders[line.decode().rsplit(" ", 1)[-1]] = FakeFolder(uidvalidity=1700000000)
        for path in sorted(FIXTURES.glob("*.eml")):
            self.folders["INBOX"].add(path.read_bytes())
        self.sessions: list[FakeImap] = []

    def connect(self, host: str, port: int, security: str, *, timeout: float = 20) -> FakeImap:
        session = FakeImap(self)
        self.sessions.append(session)
        return session


def _name(value: str) -> str:
    return value[1:-1].replace('\\"', '"').replace("\\\\", "\\") if value.startswith('"') else value


class FakeImap:
    capabilities = ("IMAP4REV1", "IDLE", "AUTH=PLAIN")

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.selected: FakeFolder | None = None
        self.untagged: dict[str, list[bytes]] = {}

    def login(self, user: str, password: str) -> tuple[str, list[bytes]]:
        if password != self.server.password:
            import imaplib

            raise imaplib.IMAP4.error("[AUTHENTICATIONFAILED] Authentication failed.")
        return "OK", [b"Logged in"]

    def capability(self) -> tuple[str, list[bytes]]:
        return "OK", [b"IMAP4rev1 IDLE MOVE UIDPLUS SPECIAL-USE"]

    def logout(self) -> tuple[str, list[bytes]]:
        return "BYE", [b"Logging out"]

    def list(self) -> tuple[str, list[bytes]]:
        return "OK", list(self.server.listing)

    def create(self, name: str) -> tuple[str, list[bytes]]:
        folder = _name(name)
        if folder in self.server.folders:
            return "NO", [b"[ALREADYEXISTS] Mailbox already exists"]
        self.server.folders[folder] = FakeFolder(uidvalidity=1700000001)
        self.server.listing.append(f'(\\HasNoChildren) "/" {folder}'.encode())
        return "OK", [b"Create completed"]

    def select(self, name: str, readonly: bool = False) -> tuple[str, list[bytes]]:
        folder = self.server.folders.get(_name(name))
        if folder is None:
            return "NO", [b"Mailbox doesn't exist"]
        self.selected = folder
        self.untagged = {"UIDVALIDITY": [str(folder.uidvalidity).encode()], "UIDNEXT": [str(folder.next_uid).encode()]}
        return "OK", [str(len(folder.messages)).encode()]

    def response(self, code: str) -> tuple[str, list[bytes] | list[None]]:
        return code, self.untagged.pop(code, [None])  # type: ignore[return-value]

    def append(self, name: str, flags: str, date: object, raw: bytes) -> tuple[str, list[bytes]]:
        folder = self.server.folders.get(_name(name))
        if folder is None:
            return "NO", [b"[TRYCREATE] Mailbox doesn't exist"]
        uid = folder.add(raw)
        return "OK", [f"[APPENDUID {folder.uidvalidity} {uid}] Append completed.".encode()]

    def uid(self, command: str, *args: object) -> tuple[str, list]:
        assert self.selected is not None, "a UID command before SELECT"
        folder = self.selected
        if command == "SEARCH":
            criteria = [str(arg) for arg in args if arg is not None]
            if criteria[0] == "UID":
                low = int(criteria[1].split(":")[0])
                uids = [uid for uid in folder.messages if uid >= low] or (
                    [max(folder.messages)] if folder.messages else []
                )
            else:
                assert criteria[:2] == ["HEADER", "Message-ID"], criteria
                wanted = _name(criteria[2]).encode()
                uids = [uid for uid, raw in folder.messages.items() if wanted in _header(raw, b"message-id")]
            return "OK", [" ".join(map(str, sorted(uids))).encode()]
        if command == "FETCH":
            uids = [int(uid) for uid in str(args[0]).split(",") if int(uid) in folder.messages]
            what = str(args[1])
            if "RFC822.SIZE" in what:
                return "OK", [
                    f"{n} (UID {uid} RFC822.SIZE {len(folder.messages[uid])})".encode() for n, uid in enumerate(uids, 1)
                ]
            part = "BODY[HEADER]" if "HEADER" in what else "BODY[]"
            found: list = []
            for n, uid in enumerate(uids, 1):
                raw = folder.messages[uid]
                raw = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n" if part == "BODY[HEADER]" else raw
                found += [(f"{n} (UID {uid} {part} {{{len(raw)}}}".encode(), raw), b")"]
            return "OK", found
        if command == "MOVE":
            target = self.server.folders[_name(str(args[1]))]
            for uid in [int(uid) for uid in str(args[0]).split(",")]:
                target.add(folder.messages.pop(uid))
            return "OK", [b"Move completed"]
        raise AssertionError(f"the fake IMAP server does not know UID {command}")


def _header(raw: bytes, name: bytes) -> bytes:
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in re.split(rb"\r?\n(?![ \t])", head):
        if line.lower().startswith(name + b":"):
            return line
    return b""
