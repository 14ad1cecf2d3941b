"""Discord messages (API v10 ``Message`` objects) as Fédère items: pure functions, no network.

* A message's ``external_id`` is ``<channel id>:<message id>``: deleting or answering it needs the channel too.
* Threads are conversation windows (``connectors/windows.py``), one stream per channel; a reply
  (``message_reference``) has the message it answers as ``parent_id``.
* Only default messages (type 0) and replies (type 19) are read; joins, pins and other system messages are not.
* Without the Message Content intent, Discord sends ``content`` empty for messages that do not mention the bot:
  such a message says so in words rather than looking blank. Attachments are listed by name, never fetched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind
from federe.connectors.values import parse_utc
from federe.core.html import text_to_html

SEPARATOR = ":"
READ_TYPES = {0, 19}  # DEFAULT, REPLY
TEXT_CHANNELS = {0, 5}  # GUILD_TEXT, GUILD_ANNOUNCEMENT


def ref(channel_id: str, message_id: str) -> str:
    return f"{channel_id}{SEPARATOR}{message_id}"


def split_ref(external_id: str) -> tuple[str, str]:
    """(channel id, message id) of an item's external id; ("", "") when it is not one."""
    channel, _sep, message = str(external_id).partition(SEPARATOR)
    return (channel, message) if channel.isdigit() and message.isdigit() else ("", "")


def snowflake(value: Any) -> str:
    """A Discord id (a snowflake, sent as a string of digits), or "" for anything else."""
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return text if text.isdigit() and len(text) < 24 else ""


def field(message: dict[str, Any], name: str) -> dict[str, Any]:
    found = message.get(name)
    return found if isinstance(found, dict) else {}


def readable(message: Any) -> bool:
    return isinstance(message, dict) and message.get("type", 0) in READ_TYPES


def author_of(message: dict[str, Any]) -> Author:
    user = field(message, "author")
    user_id, username = snowflake(user.get("id")), str(user.get("username") or "")
    return Author(
        external_id=user_id,
        handle=username,
        display_name=str(user.get("global_name") or username),
        profile_url=f"https://discord.com/users/{user_id}" if user_id else "",
    )


def body_of(message: dict[str, Any]) -> str:
    text = str(message.get("content") or "")
    attachments = message.get("attachments")
    listed = attachments if isinstance(attachments, list) else []
    names = [str(a.get("filename") or "") for a in listed if isinstance(a, dict) and a.get("filename")]
    if names:
        text = f"{text}\n\n" + _("Attached: %(files)s") % {"files": ", ".join(names)}
    if text.strip():
        return text_to_html(text.strip())
    return "<p>{}</p>".format(
        _("(no text: Discord sends a message's text only to bots with the Message Content intent)")
    )


def created_at(message: dict[str, Any]) -> datetime:
    """When it was sent; ValueError when the message has no readable ``timestamp``."""
    at = parse_utc(message.get("timestamp"))
    if at is None:
        raise ValueError("no timestamp")
    return at


def item_of(message: dict[str, Any], guild_id: str, thread_id: str, thread_title: str) -> Item:
    """The item; ValueError when the message lacks what every message has (id, channel, timestamp)."""
    message_id, channel_id = snowflake(message.get("id")), snowflake(message.get("channel_id"))
    if not message_id or not channel_id:
        raise ValueError("not a Discord message")
    reference = field(message, "message_reference")
    parent = snowflake(reference.get("message_id")) if message.get("type") == 19 else ""
    return Item(
        external_id=ref(channel_id, message_id),
        thread_id=thread_id,
        author=author_of(message),
        body_html=body_of(message),
        created_at=created_at(message),
        kind=ItemKind.CHAT,
        parent_id=ref(snowflake(reference.get("channel_id")) or channel_id, parent) if parent else "",
        thread_title=thread_title,
        url=f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}" if guild_id else "",
        edited_at=parse_utc(message.get("edited_timestamp")),
        raw=message,
    )
