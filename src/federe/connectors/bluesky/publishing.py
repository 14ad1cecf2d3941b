"""Publishing a post on Bluesky exactly once: the record key (``rkey``) is derived from the delivery.

``com.atproto.repo.createRecord`` takes the record key we choose. Ours is derived from the delivery's
idempotency key (``rkey_for``), so every attempt of one delivery writes to the same address, and an attempt first
reads that address back (``com.atproto.repo.getRecord``): when the post is there, an earlier attempt published it
and its answer was lost; it is returned, not written again. (Creating a record under an existing key answers
HTTP 500 on the PDS, so reading first matters; a 500 on create is followed by one more read.)

The post: its plain text (300 graphemes at most), facets for links, mentions (resolved with
``com.atproto.identity.resolveHandle``) and hashtags, in UTF-8 byte offsets; ``langs``; a reply's ``root`` and
``parent`` references (uri + cid, read with getRecord); images uploaded with ``com.atproto.repo.uploadBlob`` and
embedded as ``app.bsky.embed.images`` with their alt text.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.bluesky.client import POST, BlueskyClient
from federe.connectors.bluesky.mapping import post_url
from federe.connectors.bluesky.text import count_graphemes, facets
from federe.connectors.errors import Permanent, Transient
from federe.connectors.types import Media, OutgoingPost, PublishResult
from federe.connectors.values import parse_utc
from federe.core.html import html_to_text, sanitize_html

MAX_GRAPHEMES = 300
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"  # the alphabet of AT Protocol TIDs


def rkey_for(idempotency_key: str) -> str:
    """A record key shaped as a TID (13 characters of the sortable base32 alphabet), the same for every attempt of
    one delivery and different for two deliveries (64 bits of SHA-256 of the key)."""
    number = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big") >> 1
    chars = []
    for _position in range(13):
        chars.append(_SORTABLE[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def split_uri(uri: str) -> tuple[str, str, str]:
    """(repo DID, collection, rkey) of an at:// address; a Permanent error when it is not one."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://did:") or len(parts) != 3 or not all(parts):
        raise Permanent(_("%(value)s is not the address of a Bluesky post.") % {"value": repr(uri)[:80]})
    return parts[0], parts[1], parts[2]


def plain_text(post: OutgoingPost) -> str:
    return (post.body_text or html_to_text(sanitize_html(post.body_html))).strip()


def result_of(record: dict[str, Any], app_url: str) -> PublishResult:
    value = _object(record.get("value"))
    uri = str(record.get("uri") or "")
    return PublishResult(external_id=uri, url=post_url(app_url, uri), created_at=parse_utc(value.get("createdAt")))


def published(client: BlueskyClient, post: OutgoingPost, app_url: str) -> PublishResult | None:
    """The post an earlier attempt of this delivery left, or None."""
    record = client.get_record(client.did, rkey_for(post.idempotency_key))
    return result_of(record, app_url) if record else None


def publish(client: BlueskyClient, post: OutgoingPost, app_url: str) -> PublishResult:
    """Publish ``post`` once as the logged-in account (``client.login`` done)."""
    text = plain_text(post)
    _check(text, post.media)
    found = published(client, post, app_url)
    if found is not None:
        return found
    record: dict[str, Any] = {
        "$type": POST,
        "text": text,
        "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    found_facets = facets(text, client.resolve_handle)
    if found_facets:
        record["facets"] = found_facets
    if post.language:
        record["langs"] = [post.language]
    if post.reply_to:
        record["reply"] = reply_refs(client, post.reply_to)
    if post.media:
        record["embed"] = {"$type": "app.bsky.embed.images", "images": [_image(client, m) for m in post.media]}
    rkey = rkey_for(post.idempotency_key)
    try:
        client.create_record(rkey, record)
    except Transient:
        found = published(client, post, app_url)  # written after all? (an existing key answers 500)
        if found is None:
            raise
        return found
    return PublishResult(
        external_id=f"at://{client.did}/{POST}/{rkey}",
        url=post_url(app_url, f"at://{client.did}/{POST}/{rkey}"),
        created_at=parse_utc(record["createdAt"]),
    )


def _check(text: str, media: tuple[Media, ...]) -> None:
    if not text and not media:
        raise Permanent(_("A Bluesky post needs text or an image."))
    length = count_graphemes(text)
    if length > MAX_GRAPHEMES:
        raise Permanent(
            ngettext(
                "A Bluesky post has at most %(max)s character; this one has %(count)s.",
                "A Bluesky post has at most %(max)s characters; this one has %(count)s.",
                MAX_GRAPHEMES,
            )
            % {"max": MAX_GRAPHEMES, "count": length}
        )
    if len(media) > MAX_IMAGES:
        raise Permanent(
            ngettext(
                "A Bluesky post holds at most %(max)s image.",
                "A Bluesky post holds at most %(max)s images.",
                MAX_IMAGES,
            )
            % {"max": MAX_IMAGES}
        )
    if any(not m.alt_text.strip() for m in media):
        raise Permanent(_("Every image on Bluesky needs a description (alt text)."))


def reply_refs(client: BlueskyClient, parent_uri: str) -> dict[str, Any]:
    """The ``reply`` of a post answering ``parent_uri``: its parent and its thread's first post, as uri + cid."""
    repo, collection, rkey = split_uri(parent_uri)
    parent = client.get_record(repo, rkey, collection)
    if parent is None or not parent.get("cid"):
        raise Permanent(_("The Bluesky post this answers no longer exists."))
    parent_ref = {"uri": str(parent.get("uri") or parent_uri), "cid": str(parent["cid"])}
    root = _object(_object(_object(parent.get("value")).get("reply")).get("root"))
    root_ref = {"uri": str(root["uri"]), "cid": str(root["cid"])} if root.get("uri") and root.get("cid") else parent_ref
    return {"root": root_ref, "parent": parent_ref}


def _image(client: BlueskyClient, media: Media) -> dict[str, Any]:
    try:
        data = media.path.read_bytes()
    except OSError as exc:
        raise Permanent(_("The image %(name)s could not be read.") % {"name": media.path.name}) from exc
    if len(data) > MAX_IMAGE_BYTES:
        raise Permanent(_("The image %(name)s is larger than Bluesky's 1 MB per image.") % {"name": media.path.name})
    return {"alt": media.alt_text.strip(), "image": client.upload_blob(data, media.mime_type)}
