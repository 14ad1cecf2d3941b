"""Bluesky post records (``app.bsky.feed.post``, as ``com.atproto.repo.listRecords`` gives them) into items.

Pure functions that never raise. Only what concerns the brand is kept: a reply whose thread or parent is one of
the brand's posts, or a post that mentions the brand's account (a ``#mention`` facet with its DID). A reply's
conversation is its thread's first post (``reply.root``), its parent the post it answers; a mention is its own
conversation. The record's ``cid`` stays in ``raw`` (a reply to it needs it).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem
from federe.connectors.values import parse_utc, web_url
from federe.core.html import text_to_html

KEPT_LANGUAGES = {"fr", "en"}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _ref_uri(reply: dict[str, Any], key: str) -> str:
    ref = reply.get(key)
    return _text(ref.get("uri")) if isinstance(ref, dict) else ""


def mentioned(value: dict[str, Any]) -> set[str]:
    """The DIDs a post's facets mention."""
    found: set[str] = set()
    for facet in value.get("facets") or []:
        for feature in (facet.get("features") or []) if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and str(feature.get("$type", "")).endswith("#mention"):
                found.add(_text(feature.get("did")))
    return found - {""}


def concerns(value: Any, brand_did: str) -> bool:
    """True when a post record answers one of the brand's posts or mentions the brand."""
    if not isinstance(value, dict) or not brand_did:
        return False
    reply = value.get("reply")
    if isinstance(reply, dict):
        mine = f"at://{brand_did}/"
        if _ref_uri(reply, "parent").startswith(mine) or _ref_uri(reply, "root").startswith(mine):
            return True
    return brand_did in mentioned(value)


def post_url(app_url: str, uri: str) -> str:
    """The post's address in the web app (at://did/app.bsky.feed.post/rkey → <app>/profile/did/post/rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or not app_url:
        return ""
    return web_url(f"{app_url.rstrip('/')}/profile/{parts[0]}/post/{parts[2]}")


def map_record(record: Any, *, handle: str = "", app_url: str = "") -> Item | MalformedItem:
    if not isinstance(record, dict) or not isinstance(record.get("value"), dict):
        return MalformedItem(reason=_("Bluesky sent a record that is not a JSON object."))
    uri, value = _text(record.get("uri")), record["value"]
    if not uri.startswith("at://did:") or uri.count("/") != 4:
        return MalformedItem(reason=_("Bluesky sent a post without a readable address."))
    created = parse_utc(value.get("createdAt"))
    if created is None:
        return MalformedItem(
            reason=_("Bluesky post %(id)s has an unreadable date (%(value)s).")
            % {"id": uri[-60:], "value": str(value.get("createdAt"))[:40]},
            external_id=uri,
        )
    if not isinstance(value.get("text"), str):
        return MalformedItem(reason=_("Bluesky post %(id)s has no text.") % {"id": uri[-60:]}, external_id=uri)
    did = uri.removeprefix("at://").split("/")[0]
    reply = value.get("reply") if isinstance(value.get("reply"), dict) else {}
    root, parent = _ref_uri(reply, "root"), _ref_uri(reply, "parent")
    langs = value.get("langs") if isinstance(value.get("langs"), list) else []
    language = _text(langs[0]).split("-")[0].lower() if langs else ""
    return Item(
        external_id=uri,
        thread_id=root or uri,
        parent_id=parent,
        kind=ItemKind.REPLY if parent else ItemKind.POST,
        author=Author(
            external_id=did,
            handle=f"@{handle}" if handle else did,
            display_name=handle or did,
            profile_url=web_url(f"{app_url.rstrip('/')}/profile/{did}") if app_url else "",
        ),
        body_html=text_to_html(value["text"]),
        created_at=created,
        url=post_url(app_url, uri),
        language=language if language in KEPT_LANGUAGES else "",
        raw={
            "cid": _text(record.get("cid")),
            "langs": [_text(x) for x in langs[:3]],
            "mentions": sorted(mentioned(value)),
        },
    )
