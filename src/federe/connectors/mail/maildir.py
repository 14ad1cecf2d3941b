"""Reading a Maildir (a subscriber's mailbox) incrementally and read-only: Fédère never moves, flags or deletes.

A Maildir keeps one file per message in ``new/`` (not yet seen by a mail reader) and ``cur/`` (seen; the name
gains a ``:2,FLAGS`` suffix), and a writer creates a file in ``tmp/`` and then moves it into ``new/``. Names start
with the delivery time in seconds (``1733487000.M5P12Q3.host``), so they are read in that order.

The cursor ``{"since": S, "seen": [names]}``: files whose time is at least ``S`` and whose name is not in
``seen`` are new. ``S`` trails the newest file read by ``SLACK_SECONDS``, because a file may be moved into
``new/`` after a later-named one; ``seen`` keeps only the names since ``S``, so it stays small. A file moved from
``new/`` to ``cur/`` by a mail reader keeps its base name and is not read twice.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent

SLACK_SECONDS = 120
MAX_MESSAGE_BYTES = 25_000_000
HEAD_BYTES = 65_536  # enough for any sane header block
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,900})>")
_TIME = re.compile(r"^(\d{9,11})\.")


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # the base name (without the :2,flags suffix)
    seconds: int
    path: Path


@dataclass(frozen=True, slots=True)
class MaildirPage:
    messages: list[tuple[Entry, bytes]]
    cursor: dict[str, Any]
    has_more: bool


def unreadable(path: str, why: str) -> Permanent:
    return Permanent(
        _("Fédère cannot read the mailbox folder %(path)s (%(why)s): check the path and its permissions.")
        % {"path": path[:300], "why": why}
    )


def allowed(folder: Path) -> None:
    """A mailbox folder is read only under a folder the operator allows (``FEDERE_MAILDIR_ROOTS``)."""
    real = folder.resolve()
    roots = [Path(str(root)).resolve() for root in getattr(settings, "FEDERE_MAILDIR_ROOTS", None) or []]
    if not any(real == root or root in real.parents for root in roots):
        raise Permanent(
            _(
                "Fédère reads mailbox folders only where an administrator allows it (FEDERE_MAILDIR_ROOTS), and"
                " %(path)s is not there."
            )
            % {"path": str(folder)[:300]}
        )


def entries(folder: str) -> list[Entry]:
    """Every message file of the Maildir, oldest first; Permanent in plain words when it cannot be read."""
    root = Path(folder)
    if not folder or not root.is_absolute():
        raise unreadable(folder, _("not an absolute path"))
    allowed(root)
    found: dict[str, Entry] = {}
    try:
        if not (root / "new").is_dir() or not (root / "cur").is_dir():
            raise unreadable(folder, _("not a Maildir: it has no new and cur folders"))
        for sub in ("new", "cur"):
            with os.scandir(root / sub) as listing:
                for item in listing:
                    if item.name.startswith(".") or not item.is_file(follow_symlinks=False):
                        continue
                    name = item.name.split(":", 1)[0]
                    matched = _TIME.match(name)
                    seconds = int(matched.group(1)) if matched else int(item.stat(follow_symlinks=False).st_mtime)
                    found.setdefault(name, Entry(name=name, seconds=seconds, path=Path(item.path)))
    except PermissionError as exc:
        raise unreadable(folder, _("permission denied")) from exc
    except OSError as exc:
        raise unreadable(folder, exc.strerror or type(exc).__name__) from exc
    return sorted(found.values(), key=lambda entry: (entry.seconds, entry.name))


def read_entry(entry: Entry, limit: int = MAX_MESSAGE_BYTES) -> bytes | None:
    """The message's bytes (its first ``limit``); None when it went away meanwhile (a reader moved or deleted it)."""
    cur = entry.path.parent.parent / "cur"
    moved = sorted(cur.glob(f"{glob_escape(entry.name)}:*")) if entry.path.parent.name == "new" else []
    for path in (entry.path, *moved):
        try:
            with path.open("rb") as handle:
                return handle.read(limit)
        except FileNotFoundError:
            continue
        except PermissionError as exc:
            raise unreadable(str(entry.path.parent.parent), _("permission denied")) from exc
    return None


def find_headers(folder: str, message_id: str, *, list_id: str = "", days: int = 30) -> Message | None:
    """The headers of the newest message of the last ``days`` days whose Message-ID is ``message_id`` (and, when
    ``list_id`` is given, that this list distributed: its List-Id)."""
    parser = BytesHeaderParser(policy=policy.default)
    since = time.time() - days * 86400
    for entry in reversed(entries(folder)):
        if entry.seconds < since:
            break
        head = read_entry(entry, HEAD_BYTES)
        if head is None:
            continue
        headers = parser.parsebytes(re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0])
        try:
            found = message_id in _MESSAGE_ID.findall(str(headers.get("Message-ID") or ""))
            found = found and (not list_id or f"<{list_id}>" in str(headers.get("List-Id") or "").lower())
        except Exception:  # a broken header is not the one we look for
            found = False
        if found:
            return headers
    return None


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def read_page(folder: str, cursor: dict[str, Any] | None, limit: int) -> MaildirPage:
    """The next ``limit`` messages after ``cursor``, and the cursor after them."""
    cursor = cursor if isinstance(cursor, dict) else {}
    since = cursor.get("since")
    since = since if isinstance(since, int) and not isinstance(since, bool) and since > 0 else 0
    seen_list = cursor.get("seen")
    seen = {str(name) for name in seen_list} if isinstance(seen_list, list) else set()
    fresh = [entry for entry in entries(folder) if entry.seconds >= since and entry.name not in seen]
    taken = fresh[:limit]
    messages: list[tuple[Entry, bytes]] = []
    for entry in taken:
        raw = read_entry(entry)
        if raw is not None:
            messages.append((entry, raw))
    if taken:
        since = max(since, max(entry.seconds for entry in taken) - SLACK_SECONDS)
    names = {entry.name: entry.seconds for entry in taken}
    kept = sorted(name for name in seen | set(names) if _seconds_of(name, names) >= since)
    return MaildirPage(messages=messages, cursor={"since": since, "seen": kept}, has_more=len(fresh) > len(taken))


def _seconds_of(name: str, known: dict[str, int]) -> int:
    if name in known:
        return known[name]
    matched = _TIME.match(name)
    return int(matched.group(1)) if matched else 0
