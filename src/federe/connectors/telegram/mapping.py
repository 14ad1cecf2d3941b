"""Telegram updates (Bot API ``Update`` and ``Message`` objects) as Fédère items: pure functions, no network.

* A message's ``external_id`` is ``<chat id>:<message id>``: message ids are unique within a chat only, and every
  later call (reply, delete) needs the chat as well.
* Threads are conversation windows (``connectors/windows.py``), one stream per chat; a message answering another
  (``reply_to_message``) has it as ``parent_id``.
* The author is ``from`` (a person or a bot) or, for a channel's posts and anonymous group admins, ``sender_chat``.
* The text is ``text`` or a media's ``caption``; a message with neither (a sticker, a photo alone) says so in
  words. Formatting entities are not kept: the text is shown as plain text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind
from federe.connectors.values import web_url
from federe.core.html import text_to_html

SEPARATOR = ":"


def ref(chat_id: int | str, message_id: int | str) -> str:
    return f"{chat_id}{SEPARATOR}{message_id}"


def split_ref(external_id: str) -> tuple[str, int]:
    """(chat id, message id) of an item's external id; ("", 0) when it is not one."""
    chat, _sep, message = str(external_id).rpartition(SEPARATOR)
    return (chat, int(message)) if chat and message.isdigit() else ("", 0)


def integer(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def message_of(update: dict[str, Any]) -> dict[str, Any] | None:
    """The message an update carries (``message`` or ``channel_post``), None for any other kind."""
    for kind in ("message", "channel_post"):
        found = update.get(kind)
        if isinstance(found, dict):
            return found
    return None


def chat_matches(chat: dict[str, Any], chosen: frozenset[str]) -> bool:
    """Whether the chat is one of the chosen ones, given by id (-100…) or by @username."""
    username = str(chat.get("username") or "").lower()
    return str(chat.get("id")) in chosen or (bool(username) and f"@{username}" in chosen)


def author_of(message: dict[str, Any]) -> Author:
    sender = message.get("sender_chat") if isinstance(message.get("sender_chat"), dict) else message.get("from")
    sender = sender if isinstance(sender, dict) else {}
    if "title" in sender:  # a chat speaking (a channel, an anonymous admin)
        name = str(sender.get("title") or "")
    else:
        name = " ".join(str(sender.get(part) or "") for part in ("first_name", "last_name")).strip()
    username = str(sender.get("username") or "")
    return Author(
        external_id=str(integer(sender.get("id")) or ""),
        handle=f"@{username}" if username else "",
        display_name=name or username,
        profile_url=web_url(f"https://t.me/{username}") if username else "",
    )


def message_url(chat: dict[str, Any], message_id: int) -> str:
    """t.me/<username>/<id> for a public chat, t.me/c/<id>/<id> (members only) for a private supergroup."""
    username = str(chat.get("username") or "")
    if username:
        return web_url(f"https://t.me/{username}/{message_id}")
    chat_id = str(chat.get("id") or "")
    return f"https://t.me/c/{chat_id[4:]}/{message_id}" if chat_id.startswith("-100") else ""


def item_of(message: dict[str, Any], thread_id: str, thread_title: str) -> Item:
    """The item; KeyError or ValueError when the message lacks what every message has (id, chat, date)."""
    chat = message["chat"]
    message_id, chat_id, date = integer(message["message_id"]), integer(chat["id"]), integer(message["date"])
    if not (message_id and chat_id and date):
        raise ValueError("not a Telegram message")
    text = str(message.get("text") or message.get("caption") or "")
    parent = message.get("reply_to_message")
    parent_id = integer(parent.get("message_id")) if isinstance(parent, dict) else 0
    return Item(
        external_id=ref(chat_id, message_id),
        thread_id=thread_id,
        author=author_of(message),
        body_html=text_to_html(text) if text.strip() else f"<p>{_('(a message without text)')}</p>",
        created_at=created_at(message),
        kind=ItemKind.CHAT,
        parent_id=ref(chat_id, parent_id) if parent_id else "",
        thread_title=thread_title,
        url=message_url(chat, message_id),
        raw=message,
    )


def created_at(message: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(integer(message.get("date")), UTC)


def chat_name(chat: dict[str, Any]) -> str:
    return str(chat.get("title") or chat.get("username") or chat.get("id") or "")
