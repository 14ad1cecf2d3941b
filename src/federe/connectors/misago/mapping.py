"""Misago API payloads (a thread and its posts, as ``GET /api/threads/<id>/posts/`` gives them) into Fédère items.

Pure functions that never raise. A thread is a conversation (thread_id = the thread's id); its first post is a
POST item carrying the thread's title, every other post a REPLY to it (Misago threads are flat). A post's id is
unique across the forum, so it is the item's external id. Misago links (profiles, posts, avatars) are relative
to the forum: they are made absolute here. Events (thread closed, pinned, moved) are posts in Misago's list but
say nothing from a member: they are skipped (``is_event``).

Statuses: an unapproved post (``is_unapproved``) waits for a moderator: HELD; a hidden post (``is_hidden``):
REMOVED; anything else PUBLISHED. A post in an unapproved or hidden thread takes the thread's status.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus
from federe.connectors.values import parse_utc, web_url


def number(value: Any) -> int:
    """A positive id, or 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def absolute(forum_url: str, link: Any) -> str:
    """A Misago link, often relative to the forum (/t/slug/3/), made absolute; only http and https ones are kept."""
    if not isinstance(link, str) or not link.strip():
        return ""
    return web_url(urljoin(f"{forum_url.rstrip('/')}/", link.strip()))


def status_of(post: dict[str, Any], thread: dict[str, Any]) -> NetworkStatus:
    if post.get("is_unapproved") is True or thread.get("is_unapproved") is True:
        return NetworkStatus.HELD
    if post.get("is_hidden") is True or thread.get("is_hidden") is True:
        return NetworkStatus.REMOVED
    return NetworkStatus.PUBLISHED


def map_author(post: dict[str, Any], forum_url: str) -> Author:
    """A member keeps their Misago id; a deleted account leaves only the name it posted under."""
    poster = post.get("poster")
    name = str(post.get("poster_name") or "").strip()
    if isinstance(poster, dict) and number(poster.get("id")):
        username = str(poster.get("username") or name).strip()
        return Author(
            external_id=f"user:{poster['id']}",
            handle=username,
            display_name=username,
            profile_url=absolute(forum_url, poster.get("absolute_url") or poster.get("url")),
            avatar_url=_largest_avatar(poster.get("avatars"), forum_url),
        )
    return Author(external_id=f"name:{name}" if name else "anonymous", handle=name, display_name=name)


def _largest_avatar(avatars: Any, forum_url: str) -> str:
    if not isinstance(avatars, list):
        return ""
    sized = [a for a in avatars if isinstance(a, dict) and number(a.get("size")) and isinstance(a.get("url"), str)]
    return absolute(forum_url, max(sized, key=lambda a: a["size"])["url"]) if sized else ""


def _problem(post: dict[str, Any], post_id: int) -> str:
    """Why this post cannot be stored, or '' when it can."""
    values = {"id": post_id}
    if parse_utc(post.get("posted_on")) is None:
        return _("Misago post %(id)s has an unreadable date.") % values
    content = post.get("content")
    if not isinstance(content, str) and not (content is None and post.get("is_hidden") is True):
        return _("Misago post %(id)s has no content.") % values
    return ""


def map_post(post: Any, thread: dict[str, Any], *, first_post_id: int, forum_url: str) -> Item | MalformedItem | None:
    """One post of ``thread`` into an Item; None for an event (not a message)."""
    if not isinstance(post, dict):
        return MalformedItem(reason=_("Misago sent a post that is not a JSON object."))
    post_id = number(post.get("id"))
    if not post_id:
        return MalformedItem(reason=_("Misago sent a post without an id."))
    if post.get("is_event") is True:
        return None
    problem = _problem(post, post_id)
    if problem:
        return MalformedItem(reason=problem, external_id=str(post_id))
    first = post_id == first_post_id
    thread_id = str(number(thread.get("id")))
    url = post.get("url")
    return Item(
        external_id=str(post_id),
        thread_id=thread_id,
        thread_title=str(thread.get("title") or "").strip(),
        parent_id="" if first or not first_post_id else str(first_post_id),
        kind=ItemKind.POST if first else ItemKind.REPLY,
        author=map_author(post, forum_url),
        body_html=post.get("content") or "",
        created_at=parse_utc(post.get("posted_on")),  # type: ignore[arg-type]  # checked by _problem
        edited_at=parse_utc(post.get("updated_on")) if number(post.get("edits")) else None,
        url=absolute(forum_url, url.get("index") if isinstance(url, dict) else None),
        status=status_of(post, thread),
        raw={key: post.get(key) for key in RAW_KEYS if key in post},
    )


# What Fédère keeps of a post (not its ACL, likes or API links).
RAW_KEYS = ("id", "poster_name", "posted_on", "updated_on", "edits", "is_unapproved", "is_hidden", "is_protected")
