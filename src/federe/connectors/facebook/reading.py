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

from federe.connectors.facebook.graph import GraphClient, recent, since_of, time_of
from federe.connectors.facebook.mapping import COMMENT_FIELDS, POST_FIELDS, map_comment, map_post
from federe.connectors.types import Batch, Cursor, Item, MalformedItem

TIME = "created_time"


@dataclass
class Reader:
    client: GraphClient
    page_id: str
    watch_posts: int = 10
    backfill_pages: int = 2
    catch_up_pages: int = 10
    comment_pages: int = 5

    def fetch(self, cursor: Cursor | None) -> Batch:
        since = since_of(cursor)
        pages = self.catch_up_pages if since else self.backfill_pages
        posts = recent(self.client, f"{self.page_id}/feed", since=since, limit=pages, time_key=TIME, fields=POST_FIELDS)
        mapped: list[Item | MalformedItem] = [map_post(post) for post in posts]
        newest = max([since, *(time_of(post, TIME) for post in posts)])
        for post in posts[: self.watch_posts]:
            post_id = str(post.get("id") or "")
            if not post_id:
                continue
            comments = recent(
                self.client,
                f"{post_id}/comments",
                since=since,
                limit=self.comment_pages,
                time_key=TIME,
                fields=COMMENT_FIELDS,
                filter="stream",
                order="reverse_chronological",
            )
            mapped += [map_comment(comment, post_id) for comment in comments]
            newest = max([newest, *(time_of(comment, TIME) for comment in comments)])
        items = [entry for entry in mapped if isinstance(entry, Item)]
        malformed = [entry for entry in mapped if isinstance(entry, MalformedItem)]
        items.sort(key=lambda item: (item.created_at, item.external_id))
        return Batch(items=items, malformed=malformed, cursor={"since": newest})
