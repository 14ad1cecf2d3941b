"""Dummy network payloads (JSON-like dicts) into Fédère items: pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus


def map_item(raw: dict[str, Any]) -> Item | MalformedItem:
    external_id = str(raw.get("id") or "")
    if not external_id:
        return MalformedItem(reason="an item arrived without an id")
    author = raw.get("author")
    if not isinstance(author, dict) or not author.get("id"):
        return MalformedItem(reason=f"item {external_id} has no author", external_id=external_id)
    try:
        created_at = datetime.fromisoformat(str(raw["created_at"]))
    except (KeyError, ValueError):
        return MalformedItem(reason=f"item {external_id} has an unreadable date", external_id=external_id)
    try:
        status = NetworkStatus(raw.get("status", "published"))
        kind = ItemKind(raw.get("kind", "comment"))
    except ValueError:
        return MalformedItem(reason=f"item {external_id} has an unknown status or kind", external_id=external_id)
    return Item(
        external_id=external_id,
        thread_id=str(raw.get("thread_id") or external_id),
        parent_id=str(raw.get("parent_id") or ""),
        thread_title=str(raw.get("thread_title") or ""),
        author=Author(
            external_id=str(author["id"]),
            handle=str(author.get("handle", "")),
            display_name=str(author.get("name", "")),
            profile_url=str(author.get("url", "")),
        ),
        body_html=str(raw.get("html", "")),
        created_at=created_at,
        kind=kind,
        url=str(raw.get("url", "")),
        status=status,
        raw=raw,
    )
