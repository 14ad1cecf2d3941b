"""Feed entries into Fédère items: pure functions, never raise.

Each entry is its own conversation (thread id = entry id) holding one post. The body is the entry's title as a
paragraph of its own (in bold) followed by its content (or summary): for a mention, the title is part of what was
said, and queries must see it. The author is the entry's author, else the feed's; when neither is named and the
entry links to another site than the feed's (aggregators, Google Alerts), the linked site is the author, so that
"who talks about us" is the site. An entry without a date gets the time it was first fetched
(``raw["date_missing"]``); a date in the future is brought back to that time (``raw["date_in_future"]`` keeps the
original)."""

from __future__ import annotations

import hashlib
import html
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from federe.connectors.rss.parser.model import Entry, Feed
from federe.connectors.types import Author, Item, ItemKind, MalformedItem
from federe.connectors.values import web_url

MAX_ID = 255  # the width of external ids in the database


def _digest(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8"), usedforsecurity=False).hexdigest()


def entry_id(entry: Entry) -> str:
    """The entry's stable id: its own id, else its link, else a digest of its text ('' when it has none)."""
    value = entry.id or entry.link
    if not value:
        return "sha1:" + _digest(entry.fingerprint) if entry.fingerprint else ""
    return value if len(value) <= MAX_ID else "sha1:" + _digest(value)


def seen_key(entry: Entry) -> str:
    """A short key for the cursor's list of entries already handed over."""
    return _digest(entry_id(entry) or entry.fingerprint)[:16]


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def map_author(entry: Entry, feed: Feed, *, feed_url: str, display_name: str = "") -> Author:
    name, email, uri = entry.author_name, entry.author_email, entry.author_uri
    if not (name or email or uri):
        name, email, uri = feed.author_name, feed.author_email, feed.author_uri
    if name or email or uri:
        if uri:
            external_id = f"uri:{uri}"
        elif email:
            external_id = "email:" + _digest(email.lower())
        else:
            external_id = f"name:{name.lower()}"
        return Author(
            external_id=external_id[:MAX_ID],
            handle=(name or email)[:200],
            display_name=(name or email)[:200],
            email=email[:254],
            profile_url=web_url(uri),
        )
    site = _host(entry.link)
    own = _host(feed.link) or _host(feed_url)
    if site and site != own:
        return Author(
            external_id=f"site:{site}"[:MAX_ID],
            handle=site,
            display_name=site,
            profile_url=f"https://{site}/",
        )
    label = display_name or feed.title or own or feed_url
    return Author(
        external_id=f"feed:{feed_url}"[:MAX_ID],
        handle=label[:200],
        display_name=label[:200],
        profile_url=web_url(feed.link) or web_url(feed_url),
    )


def _body(entry: Entry) -> str:
    text = entry.content_html or entry.summary_html
    # A paragraph that sanitising keeps (it drops headings), so the stored text reads "Title Text", not "TitleText".
    title = f"<p><strong>{html.escape(entry.title)}</strong></p>" if entry.title else ""
    return title + text


def map_entry(
    entry: Entry, feed: Feed, *, feed_url: str, fetched_at: datetime, display_name: str = ""
) -> Item | MalformedItem:
    external_id = entry_id(entry)
    if not external_id:
        return MalformedItem(reason=_("A feed entry has no id, no link and no text: it was skipped."))
    if not (entry.title or entry.content_html or entry.summary_html or entry.link):
        return MalformedItem(
            reason=_("Feed entry %(id)s has no title, no text and no link: it was skipped.") % {"id": external_id[:80]},
            external_id=external_id,
        )
    raw: dict[str, Any] = {"feed": feed_url, "feed_title": feed.title, "entry_id": entry.id}
    created = entry.published or entry.updated
    if created is None:
        created = fetched_at
        raw["date_missing"] = True
    elif created > fetched_at:
        raw["date_in_future"] = created.isoformat()
        created = fetched_at
    edited = entry.updated if entry.updated and entry.updated > created and entry.updated <= fetched_at else None
    if entry.categories:
        raw["categories"] = entry.categories[:20]
    if entry.comment_count is not None:
        raw["comment_count"] = entry.comment_count  # LiveJournal, Dreamwidth (<lj:reply-count>), slash:comments
    return Item(
        external_id=external_id,
        thread_id=external_id,
        thread_title=entry.title[:300],
        kind=ItemKind.POST,
        author=map_author(entry, feed, feed_url=feed_url, display_name=display_name),
        body_html=_body(entry),
        created_at=created,
        edited_at=edited,
        url=web_url(entry.link),
        raw=raw,
    )
