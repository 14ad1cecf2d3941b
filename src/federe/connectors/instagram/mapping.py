"""Instagram media and comments into Fédère items: pure functions that never raise.

Written from the Instagram Graph API reference, v25.0 (developers.facebook.com/docs/instagram-platform/
instagram-graph-api/reference: IG Media, IG Comment), not from a live account. A media (a post, a reel) is a
conversation (thread_id = the media's id): the media itself is a POST item, a comment on it a COMMENT, a reply to a
comment (in the comment's ``replies``; Instagram nests one level) a REPLY. A comment the account hid (``hidden``)
reads REMOVED.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.facebook.graph import graph_id
from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus
from federe.connectors.values import parse_utc, web_url
from federe.core.html import text_to_html

MEDIA_FIELDS = "id,caption,media_type,permalink,timestamp,username"
_COMMENT = "id,text,timestamp,username,hidden,from{id,username}"
COMMENT_FIELDS = f"{_COMMENT},replies{{{_COMMENT}}}"


def map_author(entry: dict[str, Any]) -> Author:
    """``from`` ({id, username}) of a comment, else its ``username`` alone (media: the account itself)."""
    person = entry.get("from") if isinstance(entry.get("from"), dict) else {}
    username = str(person.get("username") or entry.get("username") or "").strip()  # type: ignore[union-attr]
    person_id = graph_id(person.get("id"))  # type: ignore[union-attr]
    return Author(
        external_id=person_id or (f"@{username}" if username else "unknown"),
        handle=username,
        display_name=username or _("Instagram user"),
        profile_url=f"https://www.instagram.com/{username}/"
        if username.replace(".", "").replace("_", "").isalnum()
        else "",
    )


def map_media(media: Any) -> Item | MalformedItem:
    """One entry of GET /{ig-user-id}/media."""
    if not isinstance(media, dict) or not graph_id(media.get("id")):
        return MalformedItem(reason=_("Instagram sent a media without an id."))
    media_id = graph_id(media["id"])
    created = parse_utc(media.get("timestamp"))
    if created is None:
        return MalformedItem(
            reason=_("Instagram media %(id)s has an unreadable date.") % {"id": media_id}, external_id=media_id
        )
    return Item(
        external_id=media_id,
        thread_id=media_id,
        kind=ItemKind.POST,
        author=map_author(media),
        body_html=text_to_html(str(media.get("caption") or "")),
        created_at=created,
        url=web_url(media.get("permalink")),
        raw=media,
    )


def map_comment(comment: Any, media_id: str, parent_id: str = "") -> Item | MalformedItem:
    """One comment of GET /{ig-media-id}/comments, or one of its ``replies`` (``parent_id``: the comment)."""
    if not isinstance(comment, dict) or not graph_id(comment.get("id")):
        return MalformedItem(reason=_("Instagram sent a comment without an id."))
    comment_id = graph_id(comment["id"])
    created = parse_utc(comment.get("timestamp"))
    if created is None or not isinstance(comment.get("text"), str):
        return MalformedItem(
            reason=_("Instagram comment %(id)s has no text or an unreadable date.") % {"id": comment_id},
            external_id=comment_id,
        )
    return Item(
        external_id=comment_id,
        thread_id=media_id,
        parent_id=parent_id or media_id,
        kind=ItemKind.REPLY if parent_id else ItemKind.COMMENT,
        author=map_author(comment),
        body_html=text_to_html(comment["text"]),
        created_at=created,
        status=NetworkStatus.REMOVED if comment.get("hidden") is True else NetworkStatus.PUBLISHED,
        raw={key: value for key, value in comment.items() if key != "replies"},
    )


def replies_of(comment: Any) -> list[dict[str, Any]]:
    """The replies GET /{ig-media-id}/comments gives within a comment (``replies.data``)."""
    replies = comment.get("replies") if isinstance(comment, dict) else None
    data = replies.get("data") if isinstance(replies, dict) else None
    return [reply for reply in data if isinstance(reply, dict)] if isinstance(data, list) else []
