"""Discourse payloads into Fédère items: pure functions that never raise.

Written from Discourse's published API (docs.discourse.org: the ``latest_posts`` of GET /posts.json, the
reviewables of GET /review.json), not from a live forum.

A topic is a conversation (thread_id = topic id): its first post (post_number 1) is a POST item carrying the
topic's title; the others answer it (COMMENT), or answer another post (REPLY, ``reply_to_post_number``: the
connector turns that number into the parent post's id). A hidden post (flagged and hidden, or hidden by staff)
and a deleted one are REMOVED. A post waiting in the review queue is not a post yet: it is a HELD item whose id is
``queued-<reviewable id>``; once reviewed it reads PUBLISHED (approved: Discourse then creates the post, which
arrives with its own id) or REMOVED (rejected).
"""

from __future__ import annotations

import html
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus
from federe.connectors.values import parse_utc, web_url

QUEUED = "queued-"  # the prefix of a queued post's external id
# Reviewable statuses, as numbers (older forums) or names (newer ones).
REVIEW_STATUSES = {
    0: NetworkStatus.HELD,
    1: NetworkStatus.PUBLISHED,
    2: NetworkStatus.REMOVED,
    3: NetworkStatus.REMOVED,  # ignored: the queued post is not published
    4: NetworkStatus.REMOVED,
    "pending": NetworkStatus.HELD,
    "approved": NetworkStatus.PUBLISHED,
    "rejected": NetworkStatus.REMOVED,
    "ignored": NetworkStatus.REMOVED,
    "deleted": NetworkStatus.REMOVED,
}


def number(value: Any) -> int:
    """A positive int from the payload, or 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else 0


def absolute(site_url: str, path: Any) -> str:
    """A forum address: Discourse gives paths (/t/slug/1/2) and sometimes full (CDN) addresses."""
    if not isinstance(path, str) or not path:
        return ""
    if path.startswith("//"):
        return web_url(f"https:{path}")
    return web_url(path if "://" in path else f"{site_url.rstrip('/')}/{path.lstrip('/')}")


def map_author(user: dict[str, Any], site_url: str, user_id: Any = None) -> Author:
    """A member from a post (``user_id``, ``username``, ``name``, ``avatar_template``) or a side-loaded user."""
    username = str(user.get("username") or "").strip()
    name = str(user.get("name") or "").strip()
    template = user.get("avatar_template")
    avatar = absolute(site_url, template.replace("{size}", "120")) if isinstance(template, str) else ""
    found_id = number(user_id if user_id is not None else user.get("id"))
    return Author(
        external_id=str(found_id) if found_id else "system",  # Discourse's own "system" user has the id -1
        handle=username,
        display_name=name or username,
        profile_url=absolute(site_url, f"/u/{username}") if username else "",
        avatar_url=avatar,
    )


def _post_problem(post: dict[str, Any], external_id: str) -> str:
    """Why this post cannot be stored, or '' when it can."""
    values = {"id": external_id}
    if not number(post.get("topic_id")):
        return _("Discourse post %(id)s is not in a topic.") % values
    if not number(post.get("post_number")):
        return _("Discourse post %(id)s has no place in its topic.") % values
    if not number(post.get("user_id")) and post.get("user_id") != -1:  # -1: the "system" user
        return _("Discourse post %(id)s has no author.") % values
    if not isinstance(post.get("cooked"), str):
        return _("Discourse post %(id)s has no content.") % values
    if parse_utc(post.get("created_at")) is None:
        return _("Discourse post %(id)s has an unreadable date.") % values
    return ""


def map_post(post: Any, site_url: str, parent_id: str = "") -> Item | MalformedItem:
    """One post of ``latest_posts`` (or of GET /posts/{id}.json) into an Item; ``parent_id``: the id of the
    post it answers (``reply_to_post_number``), found by the connector."""
    if not isinstance(post, dict):
        return MalformedItem(reason=_("Discourse sent a post that is not a JSON object."))
    post_id = number(post.get("id"))
    if not post_id:
        return MalformedItem(reason=_("Discourse sent a post without an id."))
    external_id = str(post_id)
    problem = _post_problem(post, external_id)
    if problem:
        return MalformedItem(reason=problem, external_id=external_id)
    first = number(post["post_number"]) == 1
    topic_id = number(post["topic_id"])
    updated = parse_utc(post.get("updated_at"))
    return Item(
        external_id=external_id,
        thread_id=str(topic_id),
        thread_title=str(post.get("topic_title") or "").strip(),
        parent_id="" if first else parent_id,
        kind=ItemKind.POST if first else (ItemKind.REPLY if parent_id else ItemKind.COMMENT),
        author=map_author(post, site_url, post["user_id"]),
        body_html=post["cooked"],
        created_at=parse_utc(post["created_at"]),  # type: ignore[arg-type]  # checked by _post_problem
        edited_at=updated if number(post.get("version")) > 1 else None,
        url=absolute(site_url, post.get("post_url"))
        or absolute(site_url, f"/t/{post.get('topic_slug') or '-'}/{topic_id}/{post['post_number']}"),
        status=NetworkStatus.REMOVED
        if post.get("hidden") is True or post.get("deleted_at")
        else NetworkStatus.PUBLISHED,
        raw={key: value for key, value in post.items() if key not in ("raw", "actions_summary")},
    )


def reply_to(post: dict[str, Any]) -> int:
    """The number, in its topic, of the post this one answers (0: it answers the topic)."""
    return number(post.get("reply_to_post_number"))


def text_as_html(raw: str) -> str:
    """A queued post's markdown as plain paragraphs: Discourse cooks it only once approved."""
    paragraphs = [part.strip() for part in raw.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)


def map_queued(reviewable: Any, users: dict[int, dict[str, Any]], site_url: str) -> Item | MalformedItem:
    """A ReviewableQueuedPost of GET /review.json into a HELD item (PUBLISHED or REMOVED once reviewed)."""
    if not isinstance(reviewable, dict) or not number(reviewable.get("id")):
        return MalformedItem(reason=_("Discourse sent a review queue entry without an id."))
    external_id = f"{QUEUED}{number(reviewable['id'])}"
    values = {"id": external_id}
    payload = reviewable.get("payload")
    raw = payload.get("raw") if isinstance(payload, dict) else None
    created = parse_utc(reviewable.get("created_at"))
    status = REVIEW_STATUSES.get(reviewable.get("status"))
    author_id = number(reviewable.get("created_by_id")) or number(reviewable.get("target_created_by_id"))
    if not isinstance(raw, str):
        return MalformedItem(reason=_("Discourse queued post %(id)s has no content.") % values, external_id=external_id)
    if created is None or status is None or not author_id:
        return MalformedItem(
            reason=_("Discourse queued post %(id)s has no date, status or author.") % values, external_id=external_id
        )
    topic_id = number(reviewable.get("topic_id"))
    title = str(payload.get("title") or "").strip()  # type: ignore[union-attr]  # a dict, checked above
    return Item(
        external_id=external_id,
        thread_id=str(topic_id) if topic_id else external_id,  # a new topic has no id until approved
        thread_title=title,
        kind=ItemKind.COMMENT if topic_id else ItemKind.POST,
        author=map_author(users.get(author_id, {}), site_url, author_id),
        body_html=text_as_html(raw),
        created_at=created,
        url=absolute(site_url, f"/review/{number(reviewable['id'])}"),
        status=status,
        raw={key: value for key, value in reviewable.items() if key not in ("bundled_actions", "editable_fields")},
    )


def users_by_id(answer: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The users GET /review.json side-loads, by id."""
    users = answer.get("users")
    found = users if isinstance(users, list) else []
    return {number(user.get("id")): user for user in found if isinstance(user, dict) and number(user.get("id"))}
