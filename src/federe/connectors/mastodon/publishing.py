"""Publishing a status on a Mastodon server (or one with its client API: Takahē, GoToSocial, Akkoma), once.

Calls: ``POST /api/v2/media`` (multipart: ``file`` and ``description``, the alt text; an answer 202 means the
server is still processing it: ``GET /api/v1/media/:id`` until it has a ``url``), then ``POST /api/v1/statuses``
(``status``, ``spoiler_text``, ``visibility``, ``language``, ``media_ids[]``, ``in_reply_to_id``) with the header
``Idempotency-Key``: the delivery's own key, the same on every attempt. Mastodon keeps it an hour per account and
answers a repeated request with the status the first one created, so a retry never posts twice; a fresh key per
attempt would defeat it. The token needs the ``write:statuses`` and ``write:media`` scopes.

Length: Mastodon counts a status's characters with every link as 23 characters, whatever its length, and a
mention of a remote account (``@name@server``) as its ``@name`` part only.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.errors import Permanent, Transient
from federe.connectors.types import Media, OutgoingPost, PublishResult
from federe.connectors.values import parse_utc, web_url
from federe.core.html import html_to_text, sanitize_html

MAX_CHARACTERS = 500
LINK_LENGTH = 23
MAX_MEDIA = 4
VISIBILITIES = ("public", "unlisted", "private", "direct")
MEDIA_WAITS = (0.5, 1, 2, 4)  # seconds between checks of a media still being processed

_LINK = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(?<![\w/])(@\w+)@[\w.-]+\w", re.UNICODE)


def mastodon_length(text: str) -> int:
    """The length Mastodon checks against its limit: links count 23, remote mentions their local part."""
    counted = _LINK.sub("x" * LINK_LENGTH, text)
    counted = _REMOTE_MENTION.sub(lambda match: match.group(1), counted)
    return len(counted)


def multipart(fields: dict[str, str], file_field: str, filename: str, mime_type: str, data: bytes) -> tuple[str, bytes]:
    """A multipart/form-data body: its Content-Type (with the boundary) and its bytes."""
    boundary = f"federe-{secrets.token_hex(12)}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        parts.append(value.encode("utf-8") + b"\r\n")
    safe_name = re.sub(r"[^\w.-]", "_", filename)[:100] or "image"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{safe_name}"\r\n'
        f"Content-Type: {mime_type}\r\n\r\n"
    )
    parts += [head.encode(), data, b"\r\n", f"--{boundary}--\r\n".encode()]
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def status_body(post: OutgoingPost, media_ids: list[str]) -> dict[str, Any]:
    text = (post.body_text or html_to_text(sanitize_html(post.body_html))).strip()
    if not text and not media_ids:
        raise Permanent(_("A Mastodon status needs text or an image."))
    length = mastodon_length(text) + len(post.content_warning)
    if length > MAX_CHARACTERS:
        raise Permanent(
            ngettext(
                "A Mastodon status has at most %(max)s character (links count 23); this one has %(count)s.",
                "A Mastodon status has at most %(max)s characters (links count 23); this one has %(count)s.",
                MAX_CHARACTERS,
            )
            % {"max": MAX_CHARACTERS, "count": length}
        )
    if post.visibility and post.visibility not in VISIBILITIES:
        raise Permanent(_("%(value)s is not a Mastodon visibility.") % {"value": repr(post.visibility)[:40]})
    body: dict[str, Any] = {"status": text}
    if post.content_warning:
        body["spoiler_text"] = post.content_warning
    if post.visibility:
        body["visibility"] = post.visibility
    if post.language:
        body["language"] = post.language
    if media_ids:
        body["media_ids"] = media_ids
    if post.reply_to:
        body["in_reply_to_id"] = post.reply_to
    return body


def check_media(media: tuple[Media, ...]) -> None:
    if len(media) > MAX_MEDIA:
        raise Permanent(
            ngettext(
                "A Mastodon status holds at most %(max)s image.",
                "A Mastodon status holds at most %(max)s images.",
                MAX_MEDIA,
            )
            % {"max": MAX_MEDIA}
        )


def read_media(media: Media) -> bytes:
    try:
        return media.path.read_bytes()
    except OSError as exc:
        raise Permanent(_("The image %(name)s could not be read.") % {"name": media.path.name}) from exc


def wait_until_processed(get: Any, attachment: dict[str, Any]) -> None:
    """A media answered 202 is being processed: check again a few times before the status may use it."""
    for wait in MEDIA_WAITS:
        if attachment.get("url"):
            return
        time.sleep(wait)
        attachment = get(f"/api/v1/media/{attachment['id']}")
    if not attachment.get("url"):
        raise Transient(_("The Mastodon server is still processing the image; we will try again."))


def result_of(status: Any) -> PublishResult:
    if not isinstance(status, dict) or not status.get("id"):
        raise Permanent(_("The Mastodon server accepted the status but did not say which one it created."))
    return PublishResult(
        external_id=str(status["id"]),
        url=web_url(status.get("url")) or web_url(status.get("uri")),
        created_at=parse_utc(status.get("created_at")),
    )
