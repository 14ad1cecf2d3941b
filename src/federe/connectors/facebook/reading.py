"""Reading a Facebook Page incrementally: its latest posts and the comments on them.

The cursor
----------
``{"since": T}``: the Unix time of the newest post or comment stored (0 before the first sync).

GET /{page-id}/feed gives the Page's posts newest first (cursor paging, ``paging.cursors.after``); a sync reads
pages until it reaches a post older than ``T`` (the first sync: ``backfill_pages`` pages). Comments are read on
the ``watch_posts`` latest posts: GET /{post-id}/comments with ``filter=stream`` (replies to comments too) and
``order=reverse_chronological``, pages until a comment older than ``T``. The first page of posts and of each
post's comments is handed over again at every sync (a recheck): a comment hidden or a post edited since reaches
Fédère. Comments on older posts are not read (webhooks, which would bring them, are out of scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federe.connectors.facebook.graph import GraphClient
from federe.connectors.facebook.mapping import COMMENT_FIELDS, POST_FIELDS, map_comment, map_post
from federe.connectors.types import Batch, Cursor, Item, MalformedItem
from federe.connectors.values import parse_utc


def _since(cursor: Cursor | None) -> int:
    value = (cursor or {}).get("since")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _time(entry: dict[str, Any]) -> int:
    when: datetime | None = parse_utc(entry.get("created_time"))
    return int(when.timestamp()) if when else 0


@dataclass
class Reader:
    client: GraphClient
    page_id: str
    watch_posts: int = 10
    backfill_pages: int = 2
    catch_up_pages: int = 10
    comment_pages: int = 5

    def fetch(self, cursor: Cursor | None) -> Batch:
        since = _since(cursor)
        posts = self._recent(
            f"{self.page_id}/feed", since, self.catch_up_pages if since else self.backfill_pages, fields=POST_FIELDS
        )
        mapped: list[Item | MalformedItem] = [map_post(post) for post in posts]
        newest = max([since, *(_time(post) for post in posts)])
        for post in posts[: self.watch_posts]:
            post_id = str(post.get("id") or "")
            if not post_id:
                continue
            comments = self._recent(
                f"{post_id}/comments",
                since,
                self.comment_pages,
                fields=COMMENT_FIELDS,
                filter="stream",
                order="reverse_chronological",
            )
            mapped += [map_comment(comment, post_id) for comment in comments]
            newest = max([newest, *(_time(comment) for comment in comments)])
        items = [entry for entry in mapped if isinstance(entry, Item)]
        malformed = [entry for entry in mapped if isinstance(entry, MalformedItem)]
        items.sort(key=lambda item: (item.created_at, item.external_id))
        return Batch(items=items, malformed=malformed, cursor={"since": newest})

    def _recent(self, path: str, since: int, limit: int, **params: Any) -> list[dict[str, Any]]:
        """The entries of an edge read newest first: the first page whole, then pages until one older than
        ``since`` (every page up to ``limit`` when ``since`` is 0)."""
        found: list[dict[str, Any]] = []
        for number, page in enumerate(self.client.pages(path, limit=limit, **params)):
            fresh = [entry for entry in page if not since or _time(entry) >= since]
            found += page if number == 0 else fresh
            if since and len(fresh) < len(page):
                break
        return found
