"""What connectors hand to Fédère and what Fédère hands to connectors.

Plain frozen dataclasses: connectors never touch the ORM, services persist these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

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
    # None on a reply's first attempt; on a later one, when the first began. A network without an idempotency key
    # or a marker may look for its own reply with the same text posted since then (``values.posted_since``), and
    # only then: the same words may rightly be sent twice in one thread ("Merci !" to two people).
    retry_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """An image (or other file) stored locally, sent with a post."""

    path: Path
    mime_type: str
    alt_text: str = ""


@dataclass(frozen=True, slots=True)
class OutgoingPost:
    """One delivery of a post to one channel. ``idempotency_key`` is derived from the delivery's id and is the
    same on every attempt: the connector hands it to the network wherever the network has such a key (Mastodon
    ``Idempotency-Key``, Matrix ``txnId``, Bluesky ``rkey``, Discourse ``external_id``, e-mail ``Message-ID``)."""

    body_html: str
    idempotency_key: str
    title: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    body_text: str = ""  # the plain-text variant, for networks that take text (Bluesky, Mastodon, chat)
    media: tuple[Media, ...] = ()
    content_warning: str = ""
    visibility: str = ""  # one of the connector's PostRules.visibilities, or "" for the network's default
    language: str = ""  # ISO 639-1
    reply_to: str = ""  # the external id of the message this post answers, if any
    publish_at: datetime | None = None  # for networks that schedule themselves (WordPress "future" posts)


def _length(text: str) -> int:
    return len(text)


@dataclass(frozen=True)
class PostRules:
    """What a post on a network may hold, so the composer shows the limits as one types and refuses early.

    A connector declaring PUBLISH sets ``Connector.post_rules``. ``count`` measures text the network's way (Bluesky
    counts graphemes, Mastodon counts every link as 23 characters).
    """

    max_length: int | None = None  # in the unit ``count`` returns; None: no limit
    count: Callable[[str], int] = _length
    title: bool = False  # takes a title (a WordPress article, a Discourse topic)
    title_required: bool = False  # refuses a post without one (a Misago thread)
    title_min_length: int = 0  # characters (Misago counts them; 0: no minimum)
    title_max_length: int | None = None  # characters; None: Fédère's own limit only
    html: bool = False  # takes formatted text; otherwise the plain-text variant is sent
    media_max: int = 0  # images per post; 0: none
    media_types: tuple[str, ...] = ("image/jpeg", "image/png", "image/gif", "image/webp")
    media_max_bytes: int = 0  # 0: no limit known
    alt_text_required: bool = False
    content_warning: bool = False
    visibilities: tuple[str, ...] = ()  # the network's own values, e.g. ("public", "unlisted", "private")
    language: bool = False  # the post can say its language
    schedules_itself: bool = False  # the network can hold a post until its time (publish_at)


@dataclass(frozen=True, slots=True)
class Target:
    """A place on the network a channel can follow (a Matrix room or space, a mailing list, a forum category).

    The channel page fetches them (``Connector.list_targets``) and stores the ids chosen in
    ``config["targets"]``; the connector's ``fetch`` reads only those.
    """

    id: str
    name: str
    detail: str = ""  # in plain words: "12 members", "space"


@dataclass(frozen=True, slots=True)
class PublishResult:
    external_id: str
    url: str = ""
    created_at: datetime | None = None
    # What the network did with it when it is not simply public, in translated words (a mailing list held it for
    # its moderators): the delivery is sent (never sent again) and its page shows this.
    notice: str = ""


class ActionKind(StrEnum):
    """What a moderator (or a rule) can ask a network to do. Each connector declares the ones it does
    (``Connector.actions``); Fédère offers a channel only its own, and never branches on a network's name."""

    APPROVE = "approve"  # publish a held message (WordPress approve, Misago approve, Mailman accept)
    HOLD = "hold"  # hold it back for review (Mailman: defer, leave it held)
    SPAM = "spam"
    REMOVE = "remove"  # hide, reversibly where the network allows (WordPress trash, Misago hide, Matrix redact)
    RESTORE = "restore"  # undo REMOVE (Misago unhide)
    DELETE = "delete"  # for good (Mailman: discard a held message)
    REJECT = "reject"  # refuse a held message, the reason sent to its author (Mailman reject, Discourse reject)
    BAN = "ban"  # the author may no longer post or join (Matrix ban, Mailman ban address)
    UNBAN = "unban"
    KICK = "kick"  # out of the room or channel, free to come back (Matrix kick, IRC kick)
    MUTE = "mute"  # the author's next messages are held or silenced (Mailman moderated member, Discourse silence)
    SUSPEND = "suspend"  # the account itself is switched off (Matrix admin deactivate, Discourse suspend)
    CLOSE = "close"  # close the message's thread to new replies (Misago, Discourse)
    PIN = "pin"  # pin the message's thread (Misago, Discourse)


@dataclass(frozen=True, slots=True)
class ModerationAction:
    kind: ActionKind
    external_id: str
    reason: str = ""
    author_id: str = ""  # for actions on the author (ban, kick, mute, suspend): the author's id on the network
    thread_id: str = ""  # the message's thread (close, pin; Matrix: the room)


@dataclass(frozen=True, slots=True)
class ActionResult:
    done: bool
    detail: str = ""


# --------------------------------------------------------------------------- history import (Capability.IMPORT)


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the network knows about a member and Fédère has no column for (reputation, badges…).

    Kept per member in the channel's ``config["members"]``; a later record for the same member replaces it.
    """

    external_id: str
    facts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record of the export that is, as expected, not history (a tag wiki…): counted, not stored."""

    reason: str  # translated, in the plural: "posts that are not questions or answers"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A part of the export ends (one file of a dump): what is waiting is stored before the next part."""


# An ``Author`` record is a member to create or update; an ``Item`` a message to store.
HistoryRecord = Author | MemberFacts | Item | MalformedItem | Skipped | Checkpoint


@dataclass(frozen=True)
class HistoryExport:
    """An export its connector has read whole once: a broken export is refused before anything is stored."""

    location: str  # where it was read (an absolute folder); its channel remembers it as config["directory"]
    default_name: str  # the channel's name when neither a name nor a site address is given
    members: int  # how many members the export lists
    rows: dict[str, int]  # rows per file, kept in the channel's config["import"]
    files: dict[str, Path] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # lines the import's summary adds, in the connector's words


class ProgressBar(Protocol):
    """A progress bar on the import's terminal (``people.importers.progress.Progress``)."""

    def advance(self, count: int = 1, note: str | None = None) -> None: ...

    def set(self, done: int, note: str | None = None) -> None: ...

    def close(self, note: str | None = None) -> None: ...


# ``progress(label, total, unit=..., counts=...)``: a new bar (``counts=False`` shows the share only).
ProgressFactory = Callable[..., ProgressBar]


@runtime_checkable
class HistoryImporter(Protocol):
    """What a connector declaring ``Capability.IMPORT`` provides: reading a community's history from an export.

    ``open_history`` reads the export whole and raises a ``ConnectorError`` in plain words when it cannot be
    imported; ``read_history`` then yields its records in the order they are stored: members first, then
    messages (a thread's first message before its replies). The connector's ``config`` is the channel's
    (``site_url`` for links). Storing them is Fédère's work (``people.importers.history``), never the connector's.
    """

    network_name: ClassVar[Any]  # the network alone, as people call it ("Stack Exchange")
    history_help: ClassVar[Any]  # what the export is, for ``federe import --help``
    history_source_help: ClassVar[Any]  # what SOURCE is
    history_kinds: ClassVar[dict[ItemKind, Any]]  # how the network calls each kind of message, in the summary

    def open_history(self, location: str, progress: ProgressFactory) -> HistoryExport: ...

    def read_history(self, export: HistoryExport, progress: ProgressFactory) -> Iterator[HistoryRecord]: ...
