"""Facebook Page posts and comments into Fédère items: pure functions that never raise.

Written from the Graph API v25.0 reference (developers.facebook.com/docs/graph-api/reference: Page feed, Post,
Comment), not from a live Page. A Page post is a conversation (thread_id = the post's id, "PAGEID_POSTID"): the
post itself is a POST item; a comment on it is a COMMENT; a reply to a comment (``parent.id`` set, Facebook
nests one level) is a REPLY. A comment or post the Page hid (``is_hidden``) reads REMOVED.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.facebook.graph import graph_id
from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus
from federe.connectors.values import parse_utc, web_url
from federe.core.html import text_to_html

POST_FIELDS = "id,message,story,created_time,updated_time,permalink_url,is_hidden,from{id,name}"
COMMENT_FIELDS = "id,message,created_time,permalink_url,is_hidden,parent{id},from{id,name}"
UNKNOWN = "unknown"  # the author Graph did not name (the token may not see who commented)


def map_author(found: Any) -> Author:
    """``from`` ({id, name}); a Page-scoped id. Graph leaves it out when the token may not see the person."""
    person = found if isinstance(found, dict) else {}
    person_id = graph_id(person.get("id"))
    name = str(person.get("name") or "").strip()
    return Author(
        external_id=person_id or UNKNOWN,
        display_name=name or _("Facebook user"),
        profile_url=f"https://www.facebook.com/{person_id}" if person_id else "",
    )


def _status(entry: dict[str, Any]) -> NetworkStatus:
    return NetworkStatus.REMOVED if entry.get("is_hidden") is True else NetworkStatus.PUBLISHED


def map_post(post: Any) -> Item | MalformedItem:
    """One entry of GET /{page-id}/feed."""
    if not isinstance(post, dict) or not graph_id(post.get("id")):
        return MalformedItem(reason=_("Facebook sent a post without an id."))
    post_id = graph_id(post["id"])
    created = parse_utc(post.get("created_time"))
    if created is None:
        return MalformedItem(
            reason=_("Facebook post %(id)s has an unreadable date.") % {"id": post_id}, external_id=post_id
        )
    text = str(post.get("message") or post.get("story") or "")
    updated = parse_utc(post.get("updated_time"))
    return Item(
        external_id=post_id,
        thread_id=post_id,
        kind=ItemKind.POST,
        author=map_author(post.get("from")),
        body_html=text_to_html(text),
        created_at=created,
        edited_at=updated if updated and updated > created else None,
        url=web_url(post.get("permalink_url")),
        status=_status(post),
        raw=post,
    )


def map_comment(comment: Any, post_id: str) -> Item | MalformedItem:
    """One entry of GET /{post-id}/comments?filter=stream (comments and replies to comments)."""
    if not isinstance(comment, dict) or not graph_id(comment.get("id")):
        return MalformedItem(reason=_("Facebook sent a comment without an id."))
    comment_id = graph_id(comment["id"])
    created = parse_utc(comment.get("created_time"))
    if created is None or not isinstance(comment.get("message"), str):
        return MalformedItem(
            reason=_("Facebook comment %(id)s has no text or an unreadable date.") % {"id": comment_id},
            external_id=comment_id,
        )
    parent = comment.get("parent")
    parent_id = graph_id(parent.get("id")) if isinstance(parent, dict) else ""
    answers_comment = bool(parent_id) and parent_id != post_id
    return Item(
        external_id=comment_id,
        thread_id=post_id,
        parent_id=parent_id if answers_comment else post_id,
        kind=ItemKind.REPLY if answers_comment else ItemKind.COMMENT,
        author=map_author(comment.get("from")),
        body_html=text_to_html(comment["message"]),
        created_at=created,
        url=web_url(comment.get("permalink_url")),
        status=_status(comment),
        raw=comment,
    )
