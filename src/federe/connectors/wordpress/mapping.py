"""WordPress REST payloads (comments in context=edit, posts) into Fédère items: pure functions, never raise.

A post is a conversation (thread_id = post id); a comment whose parent is 0 answers the post, any other
comment answers its parent comment. WordPress comments have no modification date, so edited_at stays empty.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus
from federe.connectors.values import parse_utc, web_url

STATUSES = {
    "approved": NetworkStatus.PUBLISHED,
    "hold": NetworkStatus.HELD,
    "spam": NetworkStatus.SPAM,
    "trash": NetworkStatus.REMOVED,
    # Comments of a trashed post: hidden with it, back if the post is restored.
    "post-trashed": NetworkStatus.REMOVED,
}
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def rendered_text(field: Any) -> str:
    """A {"rendered": "..."} title as plain text: WordPress escapes it (&#8217;, &amp;) and may add tags."""
    value = field.get("rendered") if isinstance(field, dict) else field
    if not isinstance(value, str):
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", value))).strip()


def embedded_post(comment: dict[str, Any]) -> dict[str, Any] | None:
    """The post that `_embed=up` put inside the comment, when WordPress could embed it."""
    embedded = comment.get("_embedded")
    up = embedded.get("up") if isinstance(embedded, dict) else None
    if isinstance(up, list) and up and isinstance(up[0], dict) and "id" in up[0]:
        return up[0]
    return None  # deleted or unreadable post: WordPress embeds an error object instead


def map_author(comment: dict[str, Any]) -> Author:
    """Registered users keep their WordPress id; visitors are known by their e-mail, else by their name."""
    name = str(comment.get("author_name") or "").strip()
    email = str(comment.get("author_email") or "").strip()
    user_id = comment.get("author")
    if isinstance(user_id, int) and user_id > 0:
        external_id = f"user:{user_id}"
    elif email:
        # Hashed so that the identity key does not spread the address; the address itself stays on the Author.
        external_id = (
            "email:" + hashlib.sha1(email.lower().encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
        )
    else:
        external_id = f"name:{name}" if name else "anonymous"
    return Author(
        external_id=external_id,
        handle=name,
        display_name=name,
        email=email,
        profile_url=web_url(comment.get("author_url")),
        avatar_url=_largest_avatar(comment.get("author_avatar_urls")),
    )


def _largest_avatar(urls: Any) -> str:
    if not isinstance(urls, dict):
        return ""
    sizes = [key for key in urls if str(key).isdigit() and isinstance(urls[key], str)]
    return web_url(urls[max(sizes, key=int)]) if sizes else ""


def _malformed(comment: dict[str, Any], external_id: str) -> str:
    """Why this comment cannot be stored, or '' when it can."""
    values = {"id": external_id}
    if not isinstance(comment.get("post"), int) or comment["post"] <= 0:
        return _("WordPress comment %(id)s is not attached to a post.") % values
    if not isinstance(comment.get("parent", 0), int):
        return _("WordPress comment %(id)s has an unreadable parent.") % values
    if not isinstance(comment.get("author", 0), int):
        return _("WordPress comment %(id)s has an unreadable author.") % values
    content = comment.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("rendered"), str):
        return _("WordPress comment %(id)s has no content.") % values
    if parse_utc(comment.get("date_gmt")) is None:
        return _("WordPress comment %(id)s has an unreadable date.") % values
    if comment.get("status") not in STATUSES:
        return _("WordPress comment %(id)s has an unknown status.") % values
    return ""


def map_comment(comment: Any, post: dict[str, Any] | None = None) -> Item | MalformedItem:
    """One comment (context=edit) into an Item; ``post`` defaults to the one embedded with ``_embed=up``."""
    if not isinstance(comment, dict):
        return MalformedItem(reason=_("WordPress sent a comment that is not a JSON object."))
    raw_id = comment.get("id")
    if not isinstance(raw_id, int) or isinstance(raw_id, bool) or raw_id <= 0:
        return MalformedItem(reason=_("WordPress sent a comment without an id."))
    external_id = str(raw_id)
    problem = _malformed(comment, external_id)
    if problem:
        return MalformedItem(reason=problem, external_id=external_id)
    post = post if post is not None else embedded_post(comment)
    parent = comment.get("parent") or 0
    return Item(
        external_id=external_id,
        thread_id=str(comment["post"]),
        thread_title=rendered_text(post.get("title")) if post else "",
        parent_id=str(parent) if parent else "",
        kind=ItemKind.REPLY if parent else ItemKind.COMMENT,
        author=map_author(comment),
        body_html=comment["content"]["rendered"],
        created_at=parse_utc(comment["date_gmt"]),  # type: ignore[arg-type]  # checked by _malformed
        url=web_url(comment.get("link")),
        status=STATUSES[comment["status"]],
        raw={key: value for key, value in comment.items() if key not in ("_embedded", "_links")},
    )
