"""Publishing an article on WordPress exactly once: articles, drafts and scheduled posts.

``POST /wp/v2/posts`` with ``title``, ``content`` (HTML), ``status`` (``publish``; ``draft`` when the post's
visibility or its option ``status`` says so; ``private``; ``future`` with ``date_gmt`` when it has a time still
to come: WordPress publishes it itself then) and ``slug``.

WordPress has no idempotency key, and post meta is only writable through the REST API for keys a plugin
registers. The marker is therefore the **slug**: the title's slug followed by a short digest of the delivery's
idempotency key (``slug_for``), the same on every attempt. WordPress keeps a given slug as it is (it only adds
"-2" when another post has it, which the digest prevents), for drafts too. Before writing, and whenever Fédère
asks (``find_published``), the connector looks for a post with that slug in every status, the trash included
(``GET /wp/v2/posts?slug=…&status=…&context=edit``): found, it is the earlier attempt's, and it is returned
instead of writing a second post. If someone renames the slug on the blog meanwhile, that post is not found.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent
from federe.connectors.types import OutgoingPost, PublishResult
from federe.connectors.values import parse_utc, web_url

VISIBILITIES = ("public", "private", "draft")
STATUSES = {"public": "publish", "private": "private", "draft": "draft"}
# Every status a post can have, so that an attempt's post is found even once trashed or published.
EVERY_STATUS = "publish,future,draft,pending,private,trash"


def slug_for(post: OutgoingPost) -> str:
    """The post's slug and marker: its title's slug (60 characters at most), then 12 hex digits of its key."""
    digest = hashlib.sha256(post.idempotency_key.encode("utf-8")).hexdigest()[:12]
    base = slugify(post.title)[:60].strip("-") or "post"
    return f"{base}-{digest}"


def status_of(post: OutgoingPost, now: datetime) -> tuple[str, str]:
    """WordPress's status for the post, and its ``date_gmt`` when it is scheduled ("" otherwise)."""
    wanted = str(post.options.get("status") or "") or STATUSES.get(post.visibility or "public", "")
    if not wanted or wanted not in STATUSES.values():
        raise Permanent(_("%(value)s is not a WordPress visibility.") % {"value": repr(post.visibility)[:40]})
    if wanted == "publish" and post.publish_at is not None and post.publish_at > now:
        return "future", post.publish_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return wanted, ""


def post_body(post: OutgoingPost, now: datetime) -> dict[str, Any]:
    if not post.title.strip() and not post.body_html.strip():
        raise Permanent(_("A WordPress article needs a title or a text."))
    status, date_gmt = status_of(post, now)
    body: dict[str, Any] = {
        "title": post.title.strip(),
        "content": post.body_html,
        "status": status,
        "slug": slug_for(post),
    }
    if date_gmt:
        body["date_gmt"] = date_gmt
    return body


def result_of(created: Any) -> PublishResult:
    post_id = created.get("id") if isinstance(created, dict) else None
    if not isinstance(post_id, int) or isinstance(post_id, bool) or post_id <= 0:
        raise Permanent(_("WordPress accepted the article but did not say which post it created."))
    return PublishResult(
        external_id=str(post_id), url=web_url(created.get("link")), created_at=parse_utc(created.get("date_gmt"))
    )


def find_params(post: OutgoingPost) -> dict[str, Any]:
    return {"slug": slug_for(post), "status": EVERY_STATUS, "context": "edit", "per_page": 5}
