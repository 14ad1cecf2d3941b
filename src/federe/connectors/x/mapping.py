"""X posts (API v2 Post objects with the ``author_id`` expansion) as Fédère items."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem
from federe.connectors.values import parse_utc
from federe.core.html import text_to_html

# What GET /2/users/:id/mentions is asked to return (fields and expansions of the v2 reference).
TWEET_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang"
USER_FIELDS = "username,name,profile_image_url"


def post_url(post_id: str, username: str = "") -> str:
    return f"https://x.com/{username or 'i/web'}/status/{post_id}"


def users_of(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``includes.users`` of a page, by id."""
    includes: dict[str, Any] = page["includes"] if isinstance(page.get("includes"), dict) else {}
    users: list[Any] = includes["users"] if isinstance(includes.get("users"), list) else []
    return {str(u["id"]): u for u in users if isinstance(u, dict) and u.get("id")}


def replied_to(post: dict[str, Any]) -> str:
    for ref in post.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to" and ref.get("id"):
            return str(ref["id"])
    return ""


def map_post(post: Any, users: dict[str, dict[str, Any]]) -> Item | MalformedItem:
    if not isinstance(post, dict) or not post.get("id") or not isinstance(post.get("text"), str):
        return MalformedItem(reason=_("An X post without an id or a text."))
    post_id = str(post["id"])
    created = parse_utc(post.get("created_at"))
    if created is None or not post.get("author_id"):
        return MalformedItem(reason=_("An X post without its date or author."), external_id=post_id)
    user = users.get(str(post["author_id"]), {})
    username = str(user.get("username") or "")
    parent = replied_to(post)
    return Item(
        external_id=post_id,
        thread_id=str(post.get("conversation_id") or post_id),
        author=Author(
            external_id=str(post["author_id"]),
            handle=f"@{username}" if username else "",
            display_name=str(user.get("name") or username),
            profile_url=f"https://x.com/{username}" if username else "",
        ),
        body_html=text_to_html(post["text"]),
        created_at=created,
        kind=ItemKind.COMMENT if parent else ItemKind.POST,
        parent_id=parent,
        url=post_url(post_id, username),
        language=str(post.get("lang") or "") if post.get("lang") not in ("und", "zxx", "qme", "qht") else "",
        raw=post,
    )
