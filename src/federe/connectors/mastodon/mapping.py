"""Mastodon Status entities into Fédère items: pure functions, never raise.

Each status is its own conversation (a mention to look at); a reply keeps its parent's id in ``parent_id``. A
boost is mapped as the status it boosts. The author is the account, known by its full address
(``user@server``: ``acct`` has no server part for the instance's own accounts, so the instance's host is added).
A content warning is kept in front of the text. The language is kept when it is French or English; other
declared languages are left for Fédère's detector (the declared one stays in ``raw``).

``raw`` carries what reach and engagement need: ``reblogs_count``, ``favourites_count``, ``replies_count`` and
the account's ``followers_count``, plus the tags, the visibility and the status's ``uri``; and the two numbers that
ingest stores on the message: ``engagement`` (boosts + favourites + replies) and ``reach`` (the author's
followers). Some servers do not count an account's followers inside a status: Takahē sends ``followers_count``,
``following_count`` and ``statuses_count`` all 0 there (recorded in tests/.../fixtures/recorded_takahe_*). An
account whose status we are reading has posted at least one, so all three at 0 means "not counted": ``reach`` is
then left out (unknown) rather than stored as 0.
"""

from __future__ import annotations

import html
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.types import Author, Item, ItemKind, MalformedItem
from federe.connectors.values import parse_utc, web_url

KEPT_LANGUAGES = {"fr", "en"}


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _reach(account: dict[str, Any]) -> int | None:
    """The author's followers, or None when the server did not count them (see the module's docstring)."""
    counts = [account.get(key) for key in ("followers_count", "following_count", "statuses_count")]
    if not isinstance(counts[0], int) or isinstance(counts[0], bool) or counts[0] < 0:
        return None
    if all(_count(c) == 0 for c in counts):
        return None
    return counts[0]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def map_account(account: dict[str, Any], instance_host: str) -> Author:
    acct = _text(account.get("acct")) or _text(account.get("username"))
    address = acct if "@" in acct else f"{acct}@{instance_host}"
    return Author(
        external_id=f"acct:{address.lower()}"[:255],
        handle=f"@{address}"[:200],
        display_name=(_text(account.get("display_name")) or _text(account.get("username")) or acct)[:200],
        profile_url=web_url(account.get("url")),
        avatar_url=web_url(account.get("avatar")),
    )


def _body(status: dict[str, Any]) -> str:
    content = _text(status.get("content"))
    warning = _text(status.get("spoiler_text")).strip()
    if warning:
        content = f"<p><strong>{html.escape(warning)}</strong></p>{content}"
    media = [m for m in status.get("media_attachments") or [] if isinstance(m, dict)]
    links = [_media_link(m) for m in media if web_url(m.get("url"))]
    if links:
        content += "<p>" + " ".join(links) + "</p>"
    return content


def _media_link(media: dict[str, Any]) -> str:
    label = _text(media.get("description")) or _text(media.get("type")) or "media"
    return f'<a href="{html.escape(_text(media.get("url")))}">{html.escape(label)}</a>'


def _language(value: Any) -> str:
    code = _text(value).split("-")[0].split("_")[0].lower()
    return code if code in KEPT_LANGUAGES else ""


def map_status(status: Any, *, instance_host: str, source: str = "") -> Item | MalformedItem:
    if not isinstance(status, dict):
        return MalformedItem(reason=_("Mastodon sent a status that is not a JSON object."))
    if isinstance(status.get("reblog"), dict):
        status = status["reblog"]  # a boost: the boosted status is what was said
    status_id = status.get("id")
    if not isinstance(status_id, str | int) or isinstance(status_id, bool) or not str(status_id):
        return MalformedItem(reason=_("Mastodon sent a status without an id."))
    external_id = str(status_id)
    account = status.get("account")
    if not isinstance(account, dict) or not (_text(account.get("acct")) or _text(account.get("username"))):
        return MalformedItem(
            reason=_("Mastodon status %(id)s has no readable account.") % {"id": external_id[:40]},
            external_id=external_id,
        )
    created = parse_utc(status.get("created_at"))
    if created is None:
        return MalformedItem(
            reason=_("Mastodon status %(id)s has an unreadable date (%(value)s).")
            % {"id": external_id[:40], "value": str(status.get("created_at"))[:40]},
            external_id=external_id,
        )
    if not isinstance(status.get("content"), str):
        return MalformedItem(
            reason=_("Mastodon status %(id)s has no content.") % {"id": external_id[:40]}, external_id=external_id
        )
    parent = status.get("in_reply_to_id")
    tags = [_text(t.get("name")) for t in status.get("tags") or [] if isinstance(t, dict) and _text(t.get("name"))]
    raw: dict[str, Any] = {
        "reblogs_count": _count(status.get("reblogs_count")),
        "favourites_count": _count(status.get("favourites_count")),
        "replies_count": _count(status.get("replies_count")),
        "followers_count": _count(account.get("followers_count")),
        "account_id": str(account.get("id") or ""),
        "acct": _text(account.get("acct")),
        "bot": bool(account.get("bot")),
        "language": _text(status.get("language")),
        "visibility": _text(status.get("visibility")),
        "uri": _text(status.get("uri")),
        "tags": tags[:30],
        "sources": [source] if source else [],
    }
    raw["engagement"] = raw["reblogs_count"] + raw["favourites_count"] + raw["replies_count"]
    reach = _reach(account)
    if reach is not None:
        raw["reach"] = reach
    return Item(
        external_id=external_id,
        thread_id=external_id,
        parent_id=str(parent) if isinstance(parent, str | int) and parent else "",
        kind=ItemKind.REPLY if parent else ItemKind.POST,
        author=map_account(account, instance_host),
        body_html=_body(status),
        created_at=created,
        edited_at=parse_utc(status.get("edited_at")),
        url=web_url(status.get("url")) or web_url(status.get("uri")),
        language=_language(status.get("language")),
        raw=raw,
    )
