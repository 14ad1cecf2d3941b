"""Reading a Discourse forum incrementally: the latest posts, their parents, and the review queue.

The cursor
----------
``{"last_id": L}``, and while catching up ``{"last_id": L, "before": B, "top": T}``.

GET /posts.json gives the latest posts across topics, newest first, 50 or so a page; ``before=ID`` gives the ones
with an id lower than ID. Post ids only grow, so a sync reads from the newest post back to the last one stored
(``L``). The first sync reads ``backfill_pages`` pages and no further (older history is not read). When more than
``catch_up_pages`` pages came since the last sync, the batch stops there with ``has_more``: ``B`` is where the next
page starts and ``T`` the newest id seen, which becomes ``L`` once the gap is read.

Every sync also hands over again the posts of the first page that were already stored (a recheck): a post hidden,
deleted or edited since reaches Fédère. A post's ``reply_to_post_number`` is a place in its topic, not an id: the
parent's id is taken from the posts read, else asked (GET /posts/by_number/{topic}/{number}.json, a few a sync).

The review queue (GET /review.json, queued posts) is read whole at each sync, pending entries first, then the
last reviewed page so that an approval or a rejection made on the forum reaches Fédère.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from federe.connectors.discourse.client import DiscourseClient
from federe.connectors.discourse.mapping import map_post, map_queued, number, reply_to, users_by_id
from federe.connectors.errors import Permanent
from federe.connectors.types import Batch, Cursor, Item, MalformedItem

PARENT_LOOKUPS = 25  # parents asked one by one in a sync, at most
REVIEW_PAGES = 5  # pages of ten pending queued posts read in a sync


@dataclass(frozen=True)
class Position:
    last_id: int = 0
    before: int = 0
    top: int = 0

    @classmethod
    def from_cursor(cls, cursor: Cursor | None) -> Position:
        cursor = cursor or {}
        return cls(*(number(cursor.get(key)) for key in ("last_id", "before", "top")))

    def to_cursor(self) -> Cursor:
        cursor: Cursor = {"last_id": self.last_id}
        if self.before:
            cursor.update(before=self.before, top=self.top)
        return cursor


@dataclass
class Reader:
    client: DiscourseClient
    site_url: str
    categories: frozenset[int] = frozenset()  # empty: every category
    backfill_pages: int = 2
    catch_up_pages: int = 10
    review_queue: bool = True
    _places: dict[tuple[int, int], str] = field(default_factory=dict)
    _lookups: int = 0

    def fetch(self, cursor: Cursor | None) -> Batch:
        position = Position.from_cursor(cursor)
        posts, following, more = self._walk(position)
        items, malformed = self._map_posts(posts)
        if self.review_queue and not position.before:
            queued, broken = self._queue()
            items += queued
            malformed += broken
        return Batch(items=items, malformed=malformed, cursor=following.to_cursor(), has_more=more)

    # -- the latest posts -----------------------------------------------------------------------------------

    def _walk(self, position: Position) -> tuple[list[dict[str, Any]], Position, bool]:
        """The posts newer than the last one stored, read newest first, and where the next sync starts."""
        first = not position.last_id
        limit = self.backfill_pages if first else self.catch_up_pages
        before = position.before or None
        posts: list[dict[str, Any]] = []
        for _page in range(limit):
            page = self._page(before)
            posts += page
            ids = [number(post.get("id")) for post in page]
            if not page or min(ids) <= position.last_id:
                break
            before = min(ids)
        newest = max([position.top, *(number(post.get("id")) for post in posts)], default=0)
        reached = not posts or min(number(post.get("id")) for post in posts) <= position.last_id
        if first or reached or before is None:
            return posts, Position(last_id=max(newest, position.last_id)), False
        return posts, Position(last_id=position.last_id, before=before, top=newest), True

    def _page(self, before: int | None) -> list[dict[str, Any]]:
        answer = self.client.latest_posts(before)
        posts = answer.get("latest_posts")
        return [post for post in posts if isinstance(post, dict)] if isinstance(posts, list) else []

    def _map_posts(self, posts: list[dict[str, Any]]) -> tuple[list[Item], list[MalformedItem]]:
        posts = [post for post in posts if self._followed(post.get("category_id"))]
        for post in posts:
            topic, place, post_id = (
                number(post.get("topic_id")),
                number(post.get("post_number")),
                number(post.get("id")),
            )
            if topic and place and post_id:
                self._places[(topic, place)] = str(post_id)
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        for post in sorted(posts, key=lambda post: number(post.get("id"))):
            mapped = map_post(post, self.site_url, self._parent(post))
            (malformed if isinstance(mapped, MalformedItem) else items).append(mapped)  # type: ignore[arg-type]
        return items, malformed

    def _followed(self, category: Any) -> bool:
        return not self.categories or number(category) in self.categories

    def _parent(self, post: dict[str, Any]) -> str:
        """The id of the post this one answers, or '' (it answers the topic, or the parent is gone)."""
        topic, place = number(post.get("topic_id")), reply_to(post)
        if not topic or not place or place == number(post.get("post_number")):
            return ""
        if (topic, place) not in self._places and self._lookups < PARENT_LOOKUPS:
            self._lookups += 1
            try:
                found = number(self.client.post_by_number(topic, place).get("id"))
            except Permanent:  # deleted, or in a place the user cannot see
                found = 0
            self._places[(topic, place)] = str(found) if found else ""
        return self._places.get((topic, place), "")

    # -- the review queue -----------------------------------------------------------------------------------

    def _queue(self) -> tuple[list[Item], list[MalformedItem]]:
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        answers = []
        for page in range(REVIEW_PAGES):
            answer = self.client.review_queue("pending", offset=page * 10)
            answers.append(answer)
            if not isinstance(answer.get("reviewables"), list) or len(answer["reviewables"]) < 10:
                break
        answers.append(self.client.review_queue("reviewed"))
        seen: set[str] = set()
        for answer in answers:
            users = users_by_id(answer)
            entries = answer.get("reviewables")
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and not self._followed(entry.get("category_id")):
                    continue
                mapped = map_queued(entry, users, self.site_url)
                if mapped.external_id and mapped.external_id in seen:
                    continue
                seen.add(mapped.external_id)
                (malformed if isinstance(mapped, MalformedItem) else items).append(mapped)  # type: ignore[arg-type]
        return items, malformed
