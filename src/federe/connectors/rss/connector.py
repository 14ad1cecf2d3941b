"""RSS and Atom feeds (blogs, news, Google Alerts) as a read-only listening source.

Config: ``feed_url`` (required) and ``display_name`` (optional: the author shown when entries name none; by
default the feed's own title). Optional: ``page_size`` (entries per page, 10-1,000, default 500), ``timeout``
(seconds per step, default 10), ``max_bytes`` (default 5,000,000). No credentials.

Fetching goes through ``federe.core.netsafe``: addresses that resolve to loopback, private, link-local or
metadata addresses are refused, redirects are re-checked, the size and the time are capped.

The cursor
----------
``{"etag": E, "last_modified": L, "seen": [k, ...], "newest": ISO date}``

* ``E`` and ``L`` come from the last complete read and are sent back (If-None-Match, If-Modified-Since); a 304
  ends the sync at once with nothing new.
* ``seen`` holds a 16-hex-digit key per entry already handed over (at most 2,000; the keys of entries still in
  the feed come first, so they are never forgotten while the feed holds them). Only the 2,000 most recent
  entries of a feed are considered.
* New entries are handed over oldest first, ``page_size`` per page. When more remain, ``E`` and ``L`` are left
  empty so that the next page reads the feed again in full, and ``has_more`` is true.
* Entries already seen are not read again: an entry edited after Fédère stored it keeps its first text.

A feed that cannot be read at all (not XML, not a feed, refused address, too large, too slow) raises a connector
error in plain words and keeps the cursor. Entries that cannot be mapped become malformed items; the rest of
the feed is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.registry import register
from federe.connectors.rss.mapping import map_entry, seen_key
from federe.connectors.rss.parser.feed import parse_feed
from federe.connectors.rss.parser.model import Entry, Feed, FeedError
from federe.connectors.types import Batch, Cursor, Item, MalformedItem
from federe.connectors.values import int_setting

SEEN_LIMIT = 2000
USER_AGENT = "Federe/0.1 (feed reader; +https://federe.org)"
ACCEPT = "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"
WORDS = http.StatusWords(
    refused=_lazy("The site refuses to give this feed (HTTP %(status)s)."),
    not_found=_lazy("There is no feed at this address (HTTP %(status)s): check the address."),
    slow_down=_lazy("The site asked us to slow down (HTTP 429)."),
    server_error=_lazy("The site had an internal error (HTTP %(status)s); we will try again."),
    other=_lazy("The site answered HTTP %(status)s instead of the feed."),
    login=False,  # a feed has no credentials to fix
)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@register
class RssConnector(Connector):
    key = "rss"
    label = _lazy("RSS / Atom feed")
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ})
    # Tested against a real HTTP server on 127.0.0.1 serving real feed documents (tests/connectors/rss):
    # RSS is plain HTTP, so that is the real thing; not yet run against a given public site.
    verified_against_real_server = True
    default_sync_interval_seconds = 15 * 60
    setup_fields = (
        SetupField(
            "feed_url",
            _lazy("Feed address"),
            kind="url",
            help=_lazy("The RSS or Atom address, e.g. https://blog.example.org/feed/ or a Google Alerts feed."),
        ),
        SetupField(
            "display_name",
            _lazy("Source name"),
            required=False,
            help=_lazy("Shown as the author when entries name none. By default, the feed's own title."),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "A LiveJournal or Dreamwidth journal (or community): paste its address followed by /data/rss, or"
                " /data/atom. The RSS feed names who wrote each entry of a community and counts its comments; only"
                " public entries are in it."
            ),
            "https://NAME.livejournal.com/data/rss",
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.feed_url = str(config.get("feed_url") or "").strip()
        self.display_name = str(config.get("display_name") or "").strip()
        self.page_size = int_setting(config, "page_size", 500, 10, 1000)
        self.timeout = int_setting(config, "timeout", 10, 1, 60)
        self.max_bytes = int_setting(config, "max_bytes", 5_000_000, 10_000, 50_000_000)

    # -- network ----------------------------------------------------------------------------------------------

    def _get(self, etag: str = "", last_modified: str = "") -> http.Answer:
        if not self.feed_url.startswith(("http://", "https://")):
            raise Permanent(_("Give the feed's full address, starting with https:// (e.g. https://example.org/feed)."))
        result = http.fetch(
            self.feed_url,
            etag=etag,
            last_modified=last_modified,
            headers={"Accept": ACCEPT},
            max_bytes=self.max_bytes,
            timeout=self.timeout,
            user_agent=USER_AGENT,
        )
        problem = http.status_error(result, WORDS, site=self.feed_url)
        if problem is not None:
            raise problem
        return result

    def _parse(self, result: http.Answer) -> Feed:
        try:
            return parse_feed(result.body, url=result.url, http_charset=result.charset)
        except FeedError as exc:
            raise Permanent(exc.message) from exc

    # -- check ------------------------------------------------------------------------------------------------

    def check(self) -> None:
        self._parse(self._get())

    # -- fetch ------------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        cursor = cursor if isinstance(cursor, dict) else {}
        seen = [key for key in cursor.get("seen") or [] if isinstance(key, str)][:SEEN_LIMIT]
        result = self._get(_text(cursor.get("etag")), _text(cursor.get("last_modified")))
        if result.not_modified:
            return Batch(items=[], cursor=dict(cursor), has_more=False)
        feed = self._parse(result)
        fetched_at = datetime.now(UTC)
        entries = _most_recent(feed.entries, SEEN_LIMIT)
        known = set(seen)
        fresh: list[tuple[str, Item | MalformedItem]] = []
        feed_keys: list[str] = []
        for entry in entries:
            key = seen_key(entry)
            if key in feed_keys:
                continue  # the same entry twice in one feed
            feed_keys.append(key)
            if key not in known:
                mapped = map_entry(
                    entry, feed, feed_url=self.feed_url, fetched_at=fetched_at, display_name=self.display_name
                )
                fresh.append((key, mapped))
        fresh.sort(key=lambda pair: _when(pair[1]))
        page, rest = fresh[: self.page_size], fresh[self.page_size :]
        handed = [key for key, _mapped in page]
        in_feed = set(feed_keys)
        kept = handed + [k for k in feed_keys if k in known] + [k for k in seen if k not in in_feed]
        following: Cursor = {
            "etag": "" if rest else result.etag,
            "last_modified": "" if rest else result.last_modified,
            "seen": list(dict.fromkeys(kept))[:SEEN_LIMIT],
            "newest": _newest(cursor.get("newest"), page, fetched_at),
        }
        items = [mapped for _key, mapped in page if isinstance(mapped, Item)]
        malformed = [mapped for _key, mapped in page if isinstance(mapped, MalformedItem)]
        return Batch(items=items, malformed=malformed, cursor=following, has_more=bool(rest))


def _most_recent(entries: list[Entry], limit: int) -> list[Entry]:
    if len(entries) <= limit:
        return entries
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(entries, key=lambda e: e.published or e.updated or floor, reverse=True)[:limit]


def _when(mapped: Item | MalformedItem) -> datetime:
    return mapped.created_at if isinstance(mapped, Item) else datetime.min.replace(tzinfo=UTC)


def _newest(previous: Any, page: list[tuple[str, Item | MalformedItem]], fetched_at: datetime) -> str:
    """The newest date the feed itself gave. An entry without a date (or dated in the future) is dated when it was
    fetched: that date does not count, so the same feed read twice gives the same cursor."""
    dates = [mapped.created_at for _key, mapped in page if isinstance(mapped, Item) and mapped.created_at < fetched_at]
    best = max(dates).isoformat() if dates else ""
    previous = previous if isinstance(previous, str) else ""
    return max(previous, best)
