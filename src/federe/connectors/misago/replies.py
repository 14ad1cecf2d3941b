"""Replying to a Misago thread once, even when Fédère retries.

Misago has no idempotency key: a second ``POST /api/threads/<id>/posts/`` is a second post. So each reply carries
an invisible marker derived from its delivery's idempotency key (zero-width characters at the end of the text:
Misago keeps them, a reader sees nothing), and before posting the connector looks at the thread's last posts for
one of ours carrying that marker. Found: that post is the reply, nothing is posted again.

The answer to a POST may be lost after Misago saved the post (the worker killed, a timeout): the next attempt then
finds it. Misago's own flood protection is no help here (the peer turns it off, and it refuses instead of
answering with the first post).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent
from federe.connectors.misago.client import MisagoClient
from federe.connectors.misago.mapping import absolute, number
from federe.connectors.types import OutgoingReply, PublishResult
from federe.connectors.values import parse_utc
from federe.core.html import html_to_text, sanitize_html

# Four zero-width characters, each a base-4 digit; the marker is framed by an invisible separator.
DIGITS = "\u200b\u200c\u200d\u2060"
FRAME = "\u2063"
MARK_BITS = 64
PAGES_LOOKED_AT = 2  # the thread's last pages, where a reply of a few minutes ago sits


def marker(idempotency_key: str) -> str:
    """The invisible marker of one delivery: 64 bits of the key's SHA-256, as 32 zero-width characters."""
    value = int(hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[: MARK_BITS // 4], 16)
    digits = []
    for _index in range(MARK_BITS // 2):
        digits.append(DIGITS[value & 3])
        value >>= 2
    return FRAME + "".join(digits) + FRAME


def post_text(body_html: str, idempotency_key: str) -> str:
    """What is sent as the post: plain text (Misago reads Markdown/BBCode, not HTML), then the marker."""
    text = html_to_text(sanitize_html(body_html)).strip()
    if not text:
        raise Permanent(_("The reply is empty."))
    return f"{text}\n\n{marker(idempotency_key)}"


def thread_number(reply: OutgoingReply) -> int:
    thread_id = number(int(reply.thread_id)) if str(reply.thread_id).isdigit() else 0
    if not thread_id:
        raise Permanent(_("%(value)s is not a Misago thread id.") % {"value": repr(reply.thread_id)[:40]})
    return thread_id


def send(client: MisagoClient, reply: OutgoingReply, forum_url: str) -> PublishResult:
    thread_id = thread_number(reply)
    text = post_text(reply.body_html, reply.idempotency_key)
    earlier = find_ours(client, thread_id, marker(reply.idempotency_key))
    if earlier is not None:
        return published(earlier, forum_url)
    created = client.call("POST", f"/api/threads/{thread_id}/posts/", json={"post": text})
    return published(created, forum_url)


def find_ours(client: MisagoClient, thread_id: int, mark: str) -> dict[str, Any] | None:
    """Our post carrying ``mark`` among the thread's last posts, if an earlier attempt made it."""
    me = number((client.user or client.login()).get("id"))
    first = client.thread_page(thread_id, 1)
    if first is None:
        raise Permanent(_("This thread no longer exists on Misago."), status=404)
    pages = [first[1]]
    for page in range(max(2, first[2] - PAGES_LOOKED_AT + 1), first[2] + 1):
        found = client.thread_page(thread_id, page)
        pages.append(found[1] if found else [])
    for posts in pages:
        for post in posts:
            poster, content = post.get("poster"), post.get("content")
            if isinstance(poster, dict) and poster.get("id") == me and isinstance(content, str) and mark in content:
                return post
    return None


def published(post: Any, forum_url: str) -> PublishResult:
    if not isinstance(post, dict) or not number(post.get("id")):
        raise Permanent(_("Misago accepted the reply but did not say which post it created."))
    url = post.get("url")
    return PublishResult(
        external_id=str(post["id"]),
        url=absolute(forum_url, url.get("index") if isinstance(url, dict) else None),
        created_at=parse_utc(post.get("posted_on")),
    )
