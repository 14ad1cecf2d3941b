"""The documented column mapping of an archive: which column (or JSON key) is what, and one row into an item.

A row's fields are found by name, case-insensitively, the first name present winning:

==========  ====================================================  =========
field       column names accepted                                 required
==========  ====================================================  =========
id          id, message_id, itemid, post_id                       no (else a digest of author, date and text)
author      author, user, username, poster, from, sender, name    yes
author_id   author_id, user_id, from_id                           no (else the author's name)
date        date, created_at, created, timestamp, time, eventtime yes (ISO 8601, RFC 822, or Unix seconds)
text        text, body, content, message, event                   yes
title       title, subject                                        no
thread      thread, thread_id, conversation, topic                no (else the parent's thread, else the id)
parent      parent, parent_id, reply_to, in_reply_to              no
link        link, url, permalink                                  no (http or https only)
==========  ====================================================  =========

A message without a parent that starts its own thread is a POST; one with a parent a REPLY; one in another's
thread without a parent a COMMENT. Text is plain text (kept as paragraphs), never HTML from the file.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem
from federe.connectors.values import parse_utc, web_url
from federe.core.html import text_to_html

FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "message_id", "itemid", "post_id"),
    "author": ("author", "user", "username", "poster", "from", "sender", "name"),
    "author_id": ("author_id", "user_id", "from_id"),
    "date": ("date", "created_at", "created", "timestamp", "time", "eventtime"),
    "text": ("text", "body", "content", "message", "event"),
    "title": ("title", "subject"),
    "thread": ("thread", "thread_id", "conversation", "topic"),
    "parent": ("parent", "parent_id", "reply_to", "in_reply_to"),
    "link": ("link", "url", "permalink"),
}
REQUIRED = ("author", "date", "text")
MAX_ID = 255
MAX_TEXT = 100_000


def missing_columns(names: list[str]) -> list[str]:
    """The required fields that no column of ``names`` gives."""
    present = {name.strip().lower() for name in names}
    return [field for field in REQUIRED if not present.intersection(FIELDS[field])]


def value(row: dict[str, Any], field: str) -> str:
    lowered = {str(key).strip().lower(): found for key, found in row.items()}
    for name in FIELDS[field]:
        found = lowered.get(name)
        if found is not None and str(found).strip():
            return str(found).strip()
    return ""


def parse_date(text: str) -> datetime | None:
    if text.isdigit() and len(text) <= 12:
        return datetime.fromtimestamp(int(text), tz=UTC)
    return parse_utc(text.replace(" ", "T", 1) if len(text) >= 19 and text[10] == " " else text)


def author_of(row: dict[str, Any]) -> Author | None:
    name = value(row, "author")[:200]
    if not name:
        return None
    external = value(row, "author_id") or f"name:{name.lower()}"
    return Author(external_id=external[:MAX_ID], handle=name, display_name=name)


def map_row(row: dict[str, Any], line: int, threads: dict[str, str]) -> Item | MalformedItem:
    """One row; ``threads`` (id → thread) threads a reply whose row names its parent only."""
    author, created, text = author_of(row), parse_date(value(row, "date")), value(row, "text")
    external = value(row, "id")[:MAX_ID] or _digest(value(row, "author"), value(row, "date"), text)
    where = _("line %(line)s") % {"line": line}
    if author is None:
        return MalformedItem(_("%(where)s: no author.") % {"where": where}, external_id=external)
    if created is None:
        return MalformedItem(_("%(where)s: no readable date.") % {"where": where}, external_id=external)
    if not text:
        return MalformedItem(_("%(where)s: no text.") % {"where": where}, external_id=external)
    parent = value(row, "parent")[:MAX_ID]
    thread = value(row, "thread")[:MAX_ID] or threads.get(parent, "") or parent or external
    if thread != external:  # a message that starts its thread needs no entry: its id is the thread
        threads[external] = thread
    kind = ItemKind.REPLY if parent else ItemKind.POST if thread == external else ItemKind.COMMENT
    return Item(
        external_id=external,
        thread_id=thread,
        author=author,
        body_html=text_to_html(text[:MAX_TEXT]),
        created_at=created,
        kind=kind,
        parent_id=parent,
        thread_title=value(row, "title")[:300],
        url=web_url(value(row, "link")),
        raw={"line": line},
    )


def _digest(*parts: str) -> str:
    return "sha1:" + hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()
