"""What connectors hand to Fédère and what Fédère hands to connectors.

Plain frozen dataclasses: connectors never touch the ORM, services persist these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

Cursor = dict[str, Any]


class ItemKind(StrEnum):
    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"
    CHAT = "chat"
    MAIL = "mail"


class NetworkStatus(StrEnum):
    """Where the item stands on its network (not in Fédère's inbox)."""

    PUBLISHED = "published"
    HELD = "held"
    SPAM = "spam"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Author:
    external_id: str
    handle: str = ""
    display_name: str = ""
    profile_url: str = ""
    email: str = ""
    avatar_url: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    external_id: str
    thread_id: str
    author: Author
    body_html: str
    created_at: datetime
    kind: ItemKind = ItemKind.COMMENT
    parent_id: str = ""
    thread_title: str = ""
    url: str = ""
    language: str = ""
    status: NetworkStatus = NetworkStatus.PUBLISHED
    edited_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MalformedItem:
    """An item the network sent that could not be understood; the rest of the batch goes on."""

    reason: str
    external_id: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    items: list[Item]
    cursor: Cursor
    has_more: bool = False
    malformed: list[MalformedItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OutgoingReply:
    thread_id: str
    parent_id: str
    body_html: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class OutgoingPost:
    body_html: str
    idempotency_key: str
    title: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PublishResult:
    external_id: str
    url: str = ""
    created_at: datetime | None = None


class ActionKind(StrEnum):
    APPROVE = "approve"
    HOLD = "hold"
    SPAM = "spam"
    REMOVE = "remove"  # reversible where the network allows (WordPress: the trash)
    DELETE = "delete"  # for good
    BAN = "ban"


@dataclass(frozen=True, slots=True)
class ModerationAction:
    kind: ActionKind
    external_id: str
    reason: str = ""
    author_id: str = ""  # for bans: the author's id on the network


@dataclass(frozen=True, slots=True)
class ActionResult:
    done: bool
    detail: str = ""
