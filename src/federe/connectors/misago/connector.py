"""Misago forums: read threads and posts, reply as the brand's member, moderate (approve, hide, close, pin, delete),
publish posts as new threads (``publishing.py``: exactly once, an invisible marker in the first post).

Config: ``forum_url`` (required), optionally ``targets`` (category ids; default: every category the user sees),
``list_pages`` (thread-list pages read per sync at most, default 40), ``timeout`` (seconds, default 10).
Credentials: ``username`` and ``password`` of a Misago member, a moderator for moderation (Misago has no API
tokens: the connector logs in like the forum's own pages, see client.py).

The cursor
----------
``{"last_post": L, "mark": M, "queue": [thread ids], "page": P, "first": F}``

Misago has no "posts since" API, but post ids grow and its thread lists are ordered by last post id. A sync:

1. **Finds the threads to read** (when ``queue`` is empty): the thread list (``GET /api/threads/``, ordered by
   ``-last_post_id``, pinned threads on the first page), page after page (``start``) until the threads are older
   than ``L``; plus, for a moderator, the list of threads with unapproved posts (``list=unapproved``), since an
   unapproved post does not move its thread's last post. ``M`` is the highest last post id seen: it becomes ``L``
   once the queue is done.
2. **Reads each thread's posts** (``GET /api/threads/<id>/posts/?page=N``), one page per ``fetch``: page 1 first
   (the thread's first post, F), then from the last page backwards until a page starts at or before ``L``. Every
   post of the pages read is handed over: ingest stores the new ones and updates those whose status or text
   changed on the forum (hidden, approved, edited).

A post read twice is harmless (ingest is idempotent), so nothing is lost when posts arrive while a sync runs:
they are read now, and again at the next sync. Edits and moderation made on the forum reach Fédère when their
thread is read again (it has a new post, or unapproved ones); older threads are not re-read. A sync looks at most
``list_pages`` pages of the thread list: a first sync of a very large forum starts from its most recent threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.misago import moderation, publishing, replies
from federe.connectors.misago.client import NOT_MISAGO, TIMEOUT_SECONDS, MisagoClient, NotJson
from federe.connectors.misago.mapping import map_post, number
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionResult,
    Batch,
    Cursor,
    Item,
    MalformedItem,
    ModerationAction,
    OutgoingPost,
    OutgoingReply,
    PublishResult,
    Target,
)
from federe.connectors.values import int_setting

NOT_MODERATOR = _lazy(
    "This Misago member is not a moderator: approving, hiding, closing, pinning and deleting from Fédère would"
    " all be refused, and unapproved posts would stay unseen. Connect with a moderator's account."
)


@dataclass
class Position:
    last_post: int = 0
    mark: int = 0
    queue: list[int] = field(default_factory=list)
    page: int = 1
    first: int = 0

    @classmethod
    def from_cursor(cls, cursor: Cursor | None) -> Position:
        cursor = cursor or {}
        queue = cursor.get("queue")
        return cls(
            last_post=number(cursor.get("last_post")),
            mark=number(cursor.get("mark")),
            queue=[number(t) for t in queue if number(t)] if isinstance(queue, list) else [],
            page=number(cursor.get("page")) or 1,
            first=number(cursor.get("first")),
        )

    def to_cursor(self) -> Cursor:
        if not self.queue:
            return {"last_post": max(self.last_post, self.mark)}
        return {"last_post": self.last_post, "mark": self.mark, "queue": self.queue, "page": self.page,
                "first": self.first}  # fmt: skip


@register
class MisagoConnector(Connector):
    key = "misago"
    label = _lazy("Misago forum")
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = True  # tests/connectors/misago/test_integration.py, Misago 0.39.6
    post_rules = publishing.RULES  # a thread: a title of 5 to 90 characters, Misago's defaults
    actions = moderation.ACTIONS
    limitations = (moderation.NO_BAN,)
    targets_label = _lazy("Forum categories to follow")
    setup_fields = (
        SetupField(
            "forum_url",
            _lazy("Misago forum address"),
            kind="url",
            help=_lazy("The forum's home page, for example https://forum.example.org"),
        ),
        SetupField("username", _lazy("Misago user name"), secret=True),
        SetupField(
            "password",
            _lazy("Password"),
            secret=True,
            kind="password",
            help=_lazy("Misago has no API tokens: Fédère logs in as this member. A moderator can also moderate."),
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.list_pages = int_setting(config, "list_pages", 40, 1, 1000)
        self._client: MisagoClient | None = None
        self._moderates: bool | None = None

    @property
    def forum_url(self) -> str:
        return str(self.config.get("forum_url") or "").strip().rstrip("/")

    @property
    def client(self) -> MisagoClient:
        """Built on first use, so that a missing address is reported as a connector error, in plain words."""
        if self._client is None:
            if not self.forum_url.startswith(("http://", "https://")):
                raise Permanent(
                    _("Give the forum's full address, starting with https:// (e.g. https://forum.example.org).")
                )
            self._client = MisagoClient(
                self.forum_url,
                str(self.credentials.get("username") or ""),
                str(self.credentials.get("password") or ""),
                timeout=int_setting(self.config, "timeout", int(TIMEOUT_SECONDS), 1, 120),
            )
        return self._client

    # -- check ----------------------------------------------------------------------------------------------

    def check(self) -> None:
        try:
            self.client.login()
        except NotJson as exc:
            raise Permanent(str(NOT_MISAGO)) from exc
        if not self._moderator():
            raise Unauthorized(str(NOT_MODERATOR))

    def list_targets(self) -> list[Target]:
        answer = self.client.get("/api/threads/editor/")  # the categories the user may post in
        targets = []
        for category in answer if isinstance(answer, list) else []:
            if isinstance(category, dict) and number(category.get("id")) and category.get("name"):
                targets.append(Target(id=str(category["id"]), name=str(category["name"])))
        return targets

    # -- fetch ----------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        position = Position.from_cursor(cursor)
        if not position.queue:
            position = self._discover(position.last_post)
            if not position.queue:
                return Batch(items=[], cursor=position.to_cursor())
        return self._read_thread_page(position)

    def _categories(self) -> list[int | None]:
        targets = self.config.get("targets")
        chosen = [int(t) for t in targets if str(t).isdigit()] if isinstance(targets, list) else []
        return list(chosen) or [None]

    def _discover(self, last_post: int) -> Position:
        """The threads with posts newer than ``last_post`` (or unapproved ones), oldest activity first."""
        found: dict[int, int] = {}
        for category in self._categories():
            found.update(self._scan(category, "all", last_post))
            if self._moderator():
                found.update(self._scan(category, "unapproved", 0))
        mark = max([last_post, *found.values()])
        queue = sorted(found, key=lambda thread: (found[thread], thread))
        return Position(last_post=last_post, mark=mark, queue=queue)

    def _moderator(self) -> bool:
        """Whether Misago shows this member its unapproved content (its user payload carries no rights)."""
        if self._moderates is None:
            try:
                self.client.get("/api/threads/", {"list": "unapproved"})
                self._moderates = True
            except Permanent as exc:
                if exc.status not in (400, 401, 403):
                    raise
                self._moderates = False
        return self._moderates

    def _scan(self, category: int | None, list_type: str, last_post: int) -> dict[int, int]:
        """Thread id → last post id, for the threads of one list with a last post newer than ``last_post``."""
        found: dict[int, int] = {}
        start: Any = None
        for _page in range(self.list_pages):
            params = {"list": list_type, "category": category, "start": start}
            answer = self.client.get("/api/threads/", params)
            threads = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(threads, list):
                raise Permanent(_("Misago answered the thread list with something that is not a list."))
            older = False
            for thread in threads:
                thread_id = number(thread.get("id")) if isinstance(thread, dict) else 0
                newest = number(thread.get("last_post")) if thread_id else 0
                if thread_id and (newest > last_post or list_type == "unapproved"):
                    found[thread_id] = max(newest, found.get(thread_id, 0))
                elif thread_id and number(thread.get("weight")) == 0:
                    older = True  # past the pinned ones, the list is ordered by last post: the rest is older
            start = answer.get("next")
            if older or not start:
                break
        return found

    def _read_thread_page(self, position: Position) -> Batch:
        thread_id, page = position.queue[0], position.page
        answer = self.client.thread_page(thread_id, page)
        if answer is None:  # the thread was deleted, or is no longer visible: nothing to read there
            return self._next_thread(position, [], [])
        thread, posts, pages = answer
        if page == 1:
            real = [p for p in posts if p.get("is_event") is not True]
            position.first = number(real[0].get("id")) if real else 0
        items, malformed = self._map(posts, thread, position)
        ids = [number(p.get("id")) for p in posts if number(p.get("id"))]
        if page == 1 and pages > 1:
            position.page = pages
        elif page > 2 and ids and min(ids) > position.last_post:
            position.page = page - 1
        else:
            return self._next_thread(position, items, malformed)
        return Batch(items=items, malformed=malformed, cursor=position.to_cursor(), has_more=True)

    @staticmethod
    def _next_thread(position: Position, items: list[Item], malformed: list[MalformedItem]) -> Batch:
        position.queue, position.page, position.first = position.queue[1:], 1, 0
        return Batch(items=items, malformed=malformed, cursor=position.to_cursor(), has_more=bool(position.queue))

    def _map(
        self, posts: list[dict[str, Any]], thread: dict[str, Any], position: Position
    ) -> tuple[list[Item], list[MalformedItem]]:
        """Every post of the page: older ones too, so that hiding or approving done on the forum reaches Fédère
        (ingest updates what changed); a malformed one is reported when it first arrives only."""
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        for post in posts:
            mapped = map_post(post, thread, first_post_id=position.first, forum_url=self.forum_url)
            if isinstance(mapped, MalformedItem):
                if number(post.get("id")) > position.last_post or not number(post.get("id")):
                    malformed.append(mapped)
            elif mapped is not None:
                items.append(mapped)
        return items, malformed

    # -- reply and moderation -------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        return replies.send(self.client, reply, self.forum_url)

    def act(self, action: ModerationAction) -> ActionResult:
        return moderation.act(self.client, action)

    # -- publish (misago/publishing.py) ---------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishResult:
        publishing.thread_text(post)  # refused before anything is sent when it cannot go
        publishing.thread_title(post)
        category = publishing.category_for(self.client, post, self._targets())
        found = publishing.find_thread(self.client, post, category, self.forum_url)
        if found is not None:  # an earlier attempt started it: the answer was lost
            return found
        return publishing.start_thread(self.client, post, category, self.forum_url)

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        category = publishing.category_for(self.client, post, self._targets())
        return publishing.find_thread(self.client, post, category, self.forum_url)

    def _targets(self) -> list[int]:
        return [c for c in self._categories() if c is not None]
