"""YouTube comment threads into Fédère items: pure functions that never raise.

Written from the YouTube Data API v3 reference (the ``commentThread`` and ``comment`` resources), not from a live
channel. A thread (thread_id = the commentThread id, which is also its top-level comment's id) is the top-level
comment (COMMENT) and its replies (REPLY, ``snippet.parentId`` = the top-level comment: YouTube threads are one
level deep). ``moderationStatus`` heldForReview and likelySpam are HELD (the channel's review queue), rejected is
REMOVED.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus
from federe.connectors.values import parse_utc, web_url

STATUSES = {
    "heldForReview": NetworkStatus.HELD,
    "likelySpam": NetworkStatus.HELD,
    "rejected": NetworkStatus.REMOVED,
    "published": NetworkStatus.PUBLISHED,
}


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def snippet_of(resource: Any) -> dict[str, Any]:
    found = resource.get("snippet") if isinstance(resource, dict) else None
    return found if isinstance(found, dict) else {}


def author_channel(snippet: dict[str, Any]) -> str:
    """The author's channel id (``authorChannelId.value``), or ""."""
    found = snippet.get("authorChannelId")
    return text(found.get("value")) if isinstance(found, dict) else ""


def comment_url(comment_id: str, video_id: str, channel_id: str) -> str:
    if video_id:
        return web_url(f"https://www.youtube.com/watch?v={quote(video_id)}&lc={quote(comment_id)}")
    return web_url(f"https://www.youtube.com/channel/{quote(channel_id)}") if channel_id else ""


def map_comment(comment: Any, thread_id: str, *, held: bool = False) -> Item | MalformedItem:
    """One comment; ``held`` when it was read from the held queue (the API may leave moderationStatus out)."""
    comment_id = text(comment.get("id")) if isinstance(comment, dict) else ""
    snippet = snippet_of(comment)
    created = parse_utc(snippet.get("publishedAt"))
    author_id = author_channel(snippet)
    body = text(snippet.get("textDisplay")) or text(snippet.get("textOriginal"))
    if not comment_id or created is None:
        return MalformedItem(_("A YouTube comment without an id or a date."), external_id=comment_id)
    if not author_id and not text(snippet.get("authorDisplayName")):
        return MalformedItem(_("A YouTube comment without an author."), external_id=comment_id)
    updated = parse_utc(snippet.get("updatedAt"))
    parent = text(snippet.get("parentId"))
    status = STATUSES.get(text(snippet.get("moderationStatus")), NetworkStatus.PUBLISHED)
    return Item(
        external_id=comment_id,
        thread_id=thread_id or parent or comment_id,
        author=Author(
            external_id=author_id or f"name:{text(snippet.get('authorDisplayName'))}",
            display_name=text(snippet.get("authorDisplayName")),
            profile_url=web_url(snippet.get("authorChannelUrl")),
            avatar_url=web_url(snippet.get("authorProfileImageUrl")),
        ),
        body_html=body,
        created_at=created,
        kind=ItemKind.REPLY if parent else ItemKind.COMMENT,
        parent_id=parent,
        url=comment_url(comment_id, text(snippet.get("videoId")), text(snippet.get("channelId"))),
        status=NetworkStatus.HELD if held and status == NetworkStatus.PUBLISHED else status,
        edited_at=updated if updated and updated != created else None,
        raw={"video_id": text(snippet.get("videoId")), "author_channel_id": author_id},
    )


def map_thread(thread: Any, *, held: bool = False) -> list[Item | MalformedItem]:
    """The top-level comment and the replies the thread carries (not always all of them: see reading.py)."""
    snippet = snippet_of(thread)
    thread_id = text(thread.get("id")) if isinstance(thread, dict) else ""
    top = snippet.get("topLevelComment")
    if not thread_id or not isinstance(top, dict):
        return [MalformedItem(_("A YouTube comment thread without its comment."), external_id=thread_id)]
    mapped = [map_comment(top, thread_id, held=held)]
    replies = thread.get("replies") if isinstance(thread, dict) else None
    found = replies.get("comments") if isinstance(replies, dict) else None
    for reply in found if isinstance(found, list) else []:
        mapped.append(map_comment(reply, thread_id))
    return mapped


def reply_count(thread: Any) -> tuple[int, int]:
    """How many replies the thread has (``totalReplyCount``) and how many it carries."""
    total = snippet_of(thread).get("totalReplyCount")
    replies = thread.get("replies") if isinstance(thread, dict) else None
    carried = replies.get("comments") if isinstance(replies, dict) else None
    count = total if isinstance(total, int) and not isinstance(total, bool) and total > 0 else 0
    return count, len(carried) if isinstance(carried, list) else 0
