"""Reading a YouTube channel's comments incrementally, within the daily quota.

The cursor
----------
``{"channel": C, "since": S}``, and while catching up ``{"channel": C, "since": S, "page": P, "top": T}``.

GET /commentThreads with ``allThreadsRelatedToChannelId=C`` and ``order=time`` lists the threads on the channel
and on its videos, newest first, 100 a page, each page 1 quota unit; ``pageToken`` gives the next page. A sync
reads from the newest thread back to the first one whose top-level comment is not newer than ``S`` (the newest
date stored). The first sync reads ``backfill_pages`` pages and no further. When more than ``catch_up_pages``
pages came since the last sync, the batch stops with ``has_more``: ``P`` is the next page's token and ``T`` the
newest date seen, which becomes ``S`` once the gap is read. The first page is read again at every sync (a
recheck): replies and edits on recent threads reach Fédère.

A thread carries some of its replies only; when ``totalReplyCount`` says more, GET /comments?parentId=... reads
them (1 unit a page), for ``REPLY_LOOKUPS`` threads a sync at most. A reply to a thread older than the pages read
is not seen until that thread is read again: the remaining gap, said in the connector's limitations.

The held queue (``moderationStatus`` heldForReview, then likelySpam) is read at each sync, ``HELD_PAGES`` pages
each, so that what waits for review reaches Fédère's review queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federe.connectors.errors import Permanent
from federe.connectors.types import Batch, Cursor, Item, MalformedItem
from federe.connectors.values import parse_utc
from federe.connectors.youtube.client import YouTubeClient
from federe.connectors.youtube.mapping import map_comment, map_thread, reply_count, snippet_of, text

REPLY_LOOKUPS = 10  # threads whose missing replies are read in a sync, at most
REPLY_PAGES = 2  # pages of replies read for one thread
HELD_PAGES = 2  # pages of each held list read in a sync
HELD_STATUSES = ("heldForReview", "likelySpam")


@dataclass(frozen=True)
class Position:
    channel: str = ""
    since: str = ""
    page: str = ""
    top: str = ""

    @classmethod
    def from_cursor(cls, cursor: Cursor | None) -> Position:
        cursor = cursor or {}
        return cls(*(text(cursor.get(key)) for key in ("channel", "since", "page", "top")))

    def to_cursor(self) -> Cursor:
        cursor: Cursor = {"channel": self.channel, "since": self.since}
        if self.page:
            cursor.update(page=self.page, top=self.top)
        return cursor


def published(thread: Any) -> datetime | None:
    return parse_utc(snippet_of(snippet_of(thread).get("topLevelComment")).get("publishedAt"))


def latest(*dates: str | datetime | None) -> str:
    found = [d if isinstance(d, datetime) else parse_utc(d) for d in dates]
    kept = [d for d in found if d is not None]
    return max(kept).isoformat() if kept else ""


@dataclass
class Reader:
    client: YouTubeClient
    channel: str
    backfill_pages: int = 1
    catch_up_pages: int = 5

    def fetch(self, cursor: Cursor | None) -> Batch:
        position = Position.from_cursor(cursor)
        threads, following, more = self._walk(position)
        held = [] if position.page else self._held()
        mapped: list[Item | MalformedItem] = []
        for thread in threads:
            mapped += map_thread(thread)
        for thread in held:
            mapped += map_thread(thread, held=True)
        mapped += self._missing_replies(threads)
        items: dict[str, Item] = {}
        malformed: list[MalformedItem] = []
        for entry in mapped:
            if isinstance(entry, Item):
                items[entry.external_id] = entry  # a later reading (held, or the full replies) wins
            else:
                malformed.append(entry)
        ordered = sorted(items.values(), key=lambda item: (item.created_at, bool(item.parent_id)))
        return Batch(items=ordered, malformed=malformed, cursor=following.to_cursor(), has_more=more)

    def _walk(self, position: Position) -> tuple[list[dict[str, Any]], Position, bool]:
        """The threads newer than the last one stored, newest first, and where the next sync starts."""
        since = parse_utc(position.since)
        first = since is None
        token = position.page
        threads: list[dict[str, Any]] = []
        reached = False
        for _page in range(self.backfill_pages if first else self.catch_up_pages):
            page = self._page(token)
            found = page.get("items")
            batch = [thread for thread in found if isinstance(thread, dict)] if isinstance(found, list) else []
            threads += batch
            token = text(page.get("nextPageToken"))
            dates = [published(thread) for thread in batch]
            reached = since is not None and any(date is not None and date <= since for date in dates)
            if not token or reached:
                break
        newest = latest(position.top, position.since, *(published(thread) for thread in threads))
        if first or reached or not token:
            return threads, Position(channel=self.channel, since=newest), False
        return threads, Position(self.channel, position.since, token, newest), True

    def _page(self, token: str) -> dict[str, Any]:
        try:
            return self.client.threads(self.channel, token)
        except Permanent as exc:
            if token and exc.status == 400:  # a page token YouTube no longer knows: start from the newest
                return self.client.threads(self.channel)
            raise

    def _held(self) -> list[dict[str, Any]]:
        held: list[dict[str, Any]] = []
        for status in HELD_STATUSES:
            token = ""
            for _page in range(HELD_PAGES):
                page = self.client.threads(self.channel, token, status=status)
                found = page.get("items")
                held += [thread for thread in found if isinstance(thread, dict)] if isinstance(found, list) else []
                token = text(page.get("nextPageToken"))
                if not token:
                    break
        return held

    def _missing_replies(self, threads: list[dict[str, Any]]) -> list[Item | MalformedItem]:
        """The replies threads do not carry (GET /comments?parentId=...), for a few threads a sync."""
        wanting = [thread for thread in threads if reply_count(thread)[0] > reply_count(thread)[1]]
        mapped: list[Item | MalformedItem] = []
        for thread in wanting[:REPLY_LOOKUPS]:
            thread_id, token = text(thread.get("id")), ""
            for _page in range(REPLY_PAGES):
                page = self.client.replies(thread_id, token)
                found = page.get("items")
                mapped += [map_comment(reply, thread_id) for reply in found] if isinstance(found, list) else []
                token = text(page.get("nextPageToken"))
                if not token:
                    break
        return mapped
