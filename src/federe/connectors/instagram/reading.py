"""Reading an Instagram professional account incrementally: its latest media and the comments on them.

The cursor is ``{"since": T}``, the Unix time of the newest media or comment stored, as for Facebook Pages.
GET /{ig-user-id}/media lists the media newest first; a sync reads pages until one older than ``T`` (the first
sync: ``backfill_pages`` pages). Comments (GET /{ig-media-id}/comments, their replies within) are read on the
``watch_media`` latest media. The reference does not say in which order that edge lists comments, so each sync reads
its first ``comment_pages`` pages whole (a recheck too: a comment hidden since reaches Fédère) rather than stopping
at ``T``. Comments on older media, and beyond those pages, are not read (no webhooks).
"""

from __future__ import annotations

from dataclasses import dataclass

from federe.connectors.facebook.graph import GraphClient, recent, since_of, time_of
from federe.connectors.instagram.mapping import COMMENT_FIELDS, MEDIA_FIELDS, map_comment, map_media, replies_of
from federe.connectors.types import Batch, Cursor, Item, MalformedItem

TIME = "timestamp"


@dataclass
class Reader:
    client: GraphClient
    ig_user_id: str
    watch_media: int = 10
    backfill_pages: int = 2
    catch_up_pages: int = 10
    comment_pages: int = 2

    def fetch(self, cursor: Cursor | None) -> Batch:
        since = since_of(cursor)
        pages = self.catch_up_pages if since else self.backfill_pages
        media = recent(
            self.client, f"{self.ig_user_id}/media", since=since, limit=pages, time_key=TIME, fields=MEDIA_FIELDS
        )
        mapped: list[Item | MalformedItem] = [map_media(entry) for entry in media]
        newest = max([since, *(time_of(entry, TIME) for entry in media)])
        for entry in media[: self.watch_media]:
            media_id = str(entry.get("id") or "")
            if not media_id:
                continue
            pages_read = self.client.pages(f"{media_id}/comments", limit=self.comment_pages, fields=COMMENT_FIELDS)
            comments = [comment for page in pages_read for comment in page]
            for comment in comments:
                mapped.append(map_comment(comment, media_id))
                replies = replies_of(comment)
                mapped += [map_comment(reply, media_id, str(comment.get("id") or "")) for reply in replies]
                newest = max([newest, time_of(comment, TIME), *(time_of(reply, TIME) for reply in replies)])
        items = [found for found in mapped if isinstance(found, Item)]
        malformed = [found for found in mapped if isinstance(found, MalformedItem)]
        items.sort(key=lambda item: (item.created_at, item.external_id))
        return Batch(items=items, malformed=malformed, cursor={"since": newest})
