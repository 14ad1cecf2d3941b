"""Matrix room events (client-server API v1.x) as Fédère items: pure functions, no network.

* A room is a thread (``thread_id`` = room id, its title the room's name). A message's ``external_id`` is
  ``<room id>|<event id>``: every later call (reply, redact, kick, ban) needs the room as well as the event.
* ``m.room.message`` events are messages; ``m.relates_to`` makes them replies (``m.in_reply_to``) or thread
  messages (``rel_type: m.thread``): ``parent_id`` is the message answered, else the thread's root.
* An edit (``rel_type: m.replace``, with ``m.new_content``) is the *original* item with the new text and
  ``edited_at``. A redacted event (empty content, ``unsigned.redacted_because``) is the item with status REMOVED.
* Reply fallbacks (the quoted ``> <@user> ...`` lines and ``<mx-reply>``), which the spec has deprecated, are
  stripped: Fédère shows the parent itself.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus

SEPARATOR = "|"  # neither room ids (!opaque:server) nor event ids ($base64url) contain it
HTML_FORMAT = "org.matrix.custom.html"
_MX_REPLY = re.compile(r"<mx-reply>.*?</mx-reply>", re.DOTALL | re.IGNORECASE)
TEXT_TYPES = {"m.text", "m.notice"}


def ref(room_id: str, event_id: str) -> str:
    return f"{room_id}{SEPARATOR}{event_id}"


def split_ref(external_id: str, room_hint: str = "") -> tuple[str, str]:
    """(room id, event id) of an item's external id; ``room_hint`` when the id holds the event alone."""
    room, sep, event = external_id.partition(SEPARATOR)
    return (room, event) if sep else (room_hint, external_id)


def matrix_to(room_id: str, event_id: str = "") -> str:
    """The matrix.to link of a room or an event (the address any Matrix client opens)."""
    tail = f"/{event_id}" if event_id else ""
    return f"https://matrix.to/#/{room_id}{tail}"


def author_of(sender: str, names: dict[str, str]) -> Author:
    return Author(
        external_id=sender,
        handle=sender,
        display_name=names.get(sender, "") or sender.split(":", 1)[0].lstrip("@"),
        profile_url=f"https://matrix.to/#/{sender}",
    )


def relation(content: dict[str, Any]) -> dict[str, Any]:
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, dict) else {}


def edit_of(event: dict[str, Any]) -> str:
    """The event id an ``m.replace`` event edits, or ""."""
    content = event.get("content")
    if not isinstance(content, dict):
        return ""
    relates = relation(content)
    if relates.get("rel_type") == "m.replace" and isinstance(relates.get("event_id"), str):
        return str(relates["event_id"])
    return ""


def redacted_id(event: dict[str, Any]) -> str:
    """The event id an ``m.room.redaction`` names (room v11 puts it in the content, older ones at the top)."""
    content = event.get("content") if isinstance(event.get("content"), dict) else {}
    target = content.get("redacts") or event.get("redacts")  # type: ignore[union-attr]
    return target if isinstance(target, str) else ""


def parent_of(content: dict[str, Any]) -> str:
    relates = relation(content)
    reply = relates.get("m.in_reply_to")
    falling_back = relates.get("rel_type") == "m.thread" and relates.get("is_falling_back")
    if isinstance(reply, dict) and isinstance(reply.get("event_id"), str) and not falling_back:
        return str(reply["event_id"])
    if relates.get("rel_type") == "m.thread" and isinstance(relates.get("event_id"), str):
        return str(relates["event_id"])
    return ""


def body_html(content: dict[str, Any], *, is_reply: bool) -> str:
    """The message as HTML (sanitised later by ingest), reply fallbacks removed."""
    formatted = content.get("formatted_body")
    if content.get("format") == HTML_FORMAT and isinstance(formatted, str):
        return _MX_REPLY.sub("", formatted).strip()
    text = content.get("body")
    text = text if isinstance(text, str) else ""
    if is_reply:
        lines = text.split("\n")
        while lines and lines[0].startswith(">"):
            lines.pop(0)
        text = "\n".join(lines).lstrip("\n")
    shown = html.escape(text).replace("\n", "<br>")
    if content.get("msgtype") == "m.emote":
        return f"<p><em>{shown}</em></p>"
    if content.get("msgtype") not in TEXT_TYPES and content.get("msgtype") != "m.emote":
        kind = str(content.get("msgtype") or "").removeprefix("m.") or "?"
        return f"<p>[{html.escape(kind)}] {shown}</p>"
    return f"<p>{shown}</p>"


def _when(value: Any) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**14:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return None


def map_message(room_id: str, event: Any, names: dict[str, str], room_name: str = "") -> Item | MalformedItem:
    """An ``m.room.message`` (or a redacted event of any kind) as an item; an edit as the item it edits."""
    if not isinstance(event, dict):
        return MalformedItem(_("A Matrix event that is not an object was skipped."))
    event_id, sender, content = event.get("event_id"), event.get("sender"), event.get("content")
    created = _when(event.get("origin_server_ts"))
    if not isinstance(event_id, str) or not event_id or not isinstance(sender, str) or not sender:
        return MalformedItem(_("A Matrix event without an id or a sender was skipped."), external_id=str(event_id)[:80])
    if created is None or not isinstance(content, dict):
        return MalformedItem(_("A Matrix event without a date or content was skipped."), external_id=event_id[:80])
    unsigned = event.get("unsigned") if isinstance(event.get("unsigned"), dict) else {}
    removed = bool(unsigned.get("redacted_because")) or (not content and event.get("type") == "m.room.message")  # type: ignore[union-attr]
    target = edit_of(event)
    new_content = content.get("m.new_content")
    if target and isinstance(new_content, dict):
        return Item(
            external_id=ref(room_id, target),
            thread_id=room_id,
            author=author_of(sender, names),
            body_html=body_html(new_content, is_reply=False),
            created_at=created,
            kind=ItemKind.CHAT,
            thread_title=room_name,
            url=matrix_to(room_id, target),
            edited_at=created,
        )
    parent = parent_of(content)
    return Item(
        external_id=ref(room_id, event_id),
        thread_id=room_id,
        author=author_of(sender, names),
        body_html="" if removed else body_html(content, is_reply=bool(parent)),
        created_at=created,
        kind=ItemKind.CHAT,
        parent_id=ref(room_id, parent) if parent else "",
        thread_title=room_name,
        url=matrix_to(room_id, event_id),
        status=NetworkStatus.REMOVED if removed else NetworkStatus.PUBLISHED,
    )


def member_names(events: list[Any]) -> dict[str, str]:
    """Display names from ``m.room.member`` state events (the last one wins)."""
    names: dict[str, str] = {}
    for event in events:
        if isinstance(event, dict) and event.get("type") == "m.room.member":
            content = event.get("content")
            key = event.get("state_key")
            if isinstance(key, str) and isinstance(content, dict) and isinstance(content.get("displayname"), str):
                names[key] = content["displayname"]
    return names


def room_name(events: list[Any]) -> str:
    """The room's name from its ``m.room.name`` (or, failing that, ``m.room.canonical_alias``) state event."""
    found = ""
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("content"), dict):
            continue
        content = event["content"]
        if event.get("type") == "m.room.name" and isinstance(content.get("name"), str):
            found = content["name"]
        elif event.get("type") == "m.room.canonical_alias" and not found and isinstance(content.get("alias"), str):
            found = content["alias"]
    return found
