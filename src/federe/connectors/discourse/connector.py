"""Discourse forums: read topics, posts and the review queue, reply, open topics, moderate.

Built to Discourse's published API (docs.discourse.org) and tested on payloads written from that documentation
(tests/connectors/discourse/fixtures/README.md): no Discourse server runs where Fédère is tested, so
``verified_against_real_server`` is False and the channel page says so.

Config: ``site_url`` (required), ``api_username`` (required: the user the key acts as, a moderator or an
administrator), ``targets`` (category ids to follow; none: every category), ``backfill_pages`` (pages of about 50
posts read at the first sync, default 2), ``catch_up_pages`` (default 10), ``category`` (the category id new
topics go to; default: the first followed category), ``mute_days`` (7), ``suspend_days`` (365), ``pin_days`` (30),
``timeout`` (seconds, default 10). Credentials: ``api_key``. Reading is in ``reading.py`` (the cursor is
explained there), moderation in ``moderation.py``.

Replies (POST /posts.json with ``topic_id`` and ``reply_to_post_number``) carry an invisible marker, an HTML
comment derived from the idempotency key; posts have no external id, so before sending, the connector looks for
its marker in the latest posts (GET /posts.json, ``raw``) and returns the post it finds instead of posting twice.
A retry after more than ``marker_pages`` pages of newer posts is not recognised: that is the remaining risk.
New topics (POST /posts.json with ``title``, ``category`` and ``external_id``) carry an external id derived from
the idempotency key: a retry first asks GET /t/external_id/{id}.json and returns the topic it finds.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.discourse.client import TIMEOUT_SECONDS, DiscourseClient
from federe.connectors.discourse.mapping import QUEUED, absolute, number
from federe.connectors.discourse.moderation import Moderator
from federe.connectors.discourse.reading import Reader
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionKind,
    ActionResult,
    Batch,
    Cursor,
    ModerationAction,
    OutgoingPost,
    OutgoingReply,
    PostRules,
    PublishResult,
    Target,
)
from federe.connectors.values import int_setting, parse_utc

MARKER_PAGES = 2  # pages of latest posts searched for a reply's marker before sending it
NO_UPLOADS = _lazy("Fédère does not upload images to Discourse yet: posts and replies are sent as text only.")
NO_FLAG_REVIEW = _lazy(
    "Only posts waiting in Discourse's review queue can be approved or rejected from Fédère; flagged posts are"
    " reviewed on the forum (hiding and restoring them works from Fédère)."
)
FIRST_SYNC = _lazy("The first sync reads the latest posts only (about 100), not the forum's whole history.")


@register
class DiscourseConnector(Connector):
    key = "discourse"
    label = "Discourse"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = False  # built to docs.discourse.org; no Discourse server to test against
    actions = frozenset(
        {
            ActionKind.APPROVE,
            ActionKind.REJECT,
            ActionKind.REMOVE,
            ActionKind.RESTORE,
            ActionKind.DELETE,
            ActionKind.CLOSE,
            ActionKind.PIN,
            ActionKind.MUTE,
            ActionKind.SUSPEND,
        }
    )
    limitations = (NO_FLAG_REVIEW, NO_UPLOADS, FIRST_SYNC)
    # Discourse's default max_post_length; a topic also needs a title (15 characters at least by default).
    post_rules = PostRules(max_length=32_000, title=True, html=True)
    targets_label = _lazy("Categories")
    setup_fields = (
        SetupField("site_url", _lazy("Forum address"), kind="url", help=_lazy("For example https://forum.example.org")),
        SetupField(
            "api_username",
            _lazy("API user name"),
            help=_lazy("The Discourse user Fédère acts as: a moderator or an administrator."),
        ),
        SetupField(
            "api_key",
            _lazy("API key"),
            secret=True,
            kind="password",
            help=_lazy("In Discourse: Admin → Advanced → API keys → New API key, for this user or for all users."),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "Create an API key in Discourse (Admin → Advanced → API keys → New API key). Give it the user"
                " above, or “All users”, with the global scope: Fédère reads posts and the review queue, replies,"
                " opens topics and moderates."
            )
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self._client: DiscourseClient | None = None

    @property
    def client(self) -> DiscourseClient:
        """Built on first use, so that a missing address or key is reported as a connector error."""
        if self._client is None:
            site = str(self.config.get("site_url") or "").strip()
            if not site:
                raise Permanent(_("This channel has no forum address: set the Discourse site address."))
            key, user = str(self.credentials.get("api_key") or ""), self._username()
            if not key or not user:
                raise Unauthorized(_("This channel has no Discourse API key or API user name: set them."))
            timeout = int_setting(self.config, "timeout", TIMEOUT_SECONDS, 1, 60)
            self._client = DiscourseClient(site, key, user, timeout=timeout)
        return self._client

    def _username(self) -> str:
        return str(self.config.get("api_username") or self.credentials.get("api_username") or "").strip()

    def check(self) -> None:
        """The key works for the API user (GET /u/{username}.json) and that user is staff."""
        found = self.client.user(self._username()).get("user")
        user = found if isinstance(found, dict) else {}
        if not (user.get("admin") is True or user.get("moderator") is True):
            raise Unauthorized(
                _(
                    "The Discourse user %(user)s is neither a moderator nor an administrator: Fédère could read"
                    " but not moderate. Give the user that role, or use another one."
                )
                % {"user": self._username()}
            )

    def list_targets(self) -> list[Target]:
        """GET /categories.json: the forum's categories, each a place a channel may follow."""
        listing = self.client.categories().get("category_list")
        categories = listing.get("categories") if isinstance(listing, dict) else None
        targets = []
        for category in categories if isinstance(categories, list) else []:
            if isinstance(category, dict) and number(category.get("id")) and category.get("name"):
                count = number(category.get("topic_count"))
                detail = ngettext("%(count)s topic", "%(count)s topics", count) % {"count": count}
                targets.append(Target(id=str(number(category["id"])), name=str(category["name"]), detail=detail))
        return targets

    def _categories(self) -> frozenset[int]:
        targets = self.config.get("targets")
        return frozenset(number(t) for t in targets if number(t)) if isinstance(targets, list) else frozenset()

    def fetch(self, cursor: Cursor | None) -> Batch:
        reader = Reader(
            client=self.client,
            site_url=self.client.site_url,
            categories=self._categories(),
            backfill_pages=int_setting(self.config, "backfill_pages", 2, 1, 20),
            catch_up_pages=int_setting(self.config, "catch_up_pages", 10, 1, 100),
        )
        return reader.fetch(cursor)

    def act(self, action: ModerationAction) -> ActionResult:
        moderator = Moderator(
            self.client,
            mute_days=int_setting(self.config, "mute_days", 7, 1, 3650),
            suspend_days=int_setting(self.config, "suspend_days", 365, 1, 36500),
            pin_days=int_setting(self.config, "pin_days", 30, 1, 3650),
        )
        return moderator.act(action)

    # -- reply ----------------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        topic_id = number(reply.thread_id)
        if not topic_id or not str(reply.thread_id).isdigit():
            raise Permanent(_("%(value)s is not a Discourse topic id.") % {"value": repr(reply.thread_id)[:40]})
        marker = f"<!-- federe:{_digest(reply.idempotency_key, 24)} -->"
        sent = self._marked(topic_id, marker)
        if sent is not None:
            return self._published(sent)
        data: dict[str, Any] = {"topic_id": topic_id, "raw": f"{reply.body_html}\n\n{marker}"}
        place = self._place_of(reply.parent_id, topic_id)
        if place > 1:
            data["reply_to_post_number"] = place
        return self._published(self.client.create_post(data))

    def _place_of(self, parent_id: str, topic_id: int) -> int:
        """The parent's number in the topic (GET /posts/{id}.json); 0 when it answers the topic itself."""
        if not parent_id or parent_id.startswith(QUEUED):
            return 0
        if not str(parent_id).isdigit() or not number(parent_id):
            raise Permanent(_("%(value)s is not a Discourse post id.") % {"value": repr(parent_id)[:40]})
        parent = self.client.post(number(parent_id))
        if number(parent.get("topic_id")) != topic_id:
            raise Permanent(_("The post this reply answers is not in that Discourse topic."))
        return number(parent.get("post_number"))

    def _marked(self, topic_id: int, marker: str) -> dict[str, Any] | None:
        """Our post carrying ``marker`` in the latest posts, if an earlier attempt did post it."""
        before = None
        for _page in range(MARKER_PAGES):
            found = self.client.latest_posts(before).get("latest_posts")
            posts = [post for post in found if isinstance(post, dict)] if isinstance(found, list) else []
            for post in posts:
                if number(post.get("topic_id")) == topic_id and marker in str(post.get("raw") or ""):
                    return post
            if not posts:
                return None
            before = min(number(post.get("id")) for post in posts) or None
        return None

    def _published(self, answer: dict[str, Any]) -> PublishResult:
        """The post Discourse created, or the queued post when the forum holds it for review."""
        pending = answer.get("pending_post")
        if answer.get("action") == "enqueued" and isinstance(pending, dict) and number(pending.get("id")):
            return PublishResult(external_id=f"{QUEUED}{number(pending['id'])}")
        nested = answer.get("post")
        post: dict[str, Any] = nested if isinstance(nested, dict) else answer
        if not number(post.get("id")):
            raise Permanent(_("Discourse accepted the post but did not say which post it created."))
        slug, topic, place = post.get("topic_slug") or "-", post.get("topic_id"), post.get("post_number")
        return PublishResult(
            external_id=str(number(post["id"])),
            url=absolute(self.client.site_url, post.get("post_url") or f"/t/{slug}/{topic}/{place}"),
            created_at=parse_utc(post.get("created_at")),
        )

    # -- publish --------------------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishResult:
        if not post.title.strip():
            raise Permanent(_("A Discourse topic needs a title."))
        found = self.find_published(post)
        if found is not None:
            return found
        external_id = _external_id(post)
        data: dict[str, Any] = {"title": post.title.strip(), "raw": post.body_html, "external_id": external_id}
        category = number(post.options.get("category")) or number(self.config.get("category"))
        category = category or min(self._categories(), default=0)
        if category:
            data["category"] = category
        return self._published(self.client.create_post(data))

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        """The topic an earlier attempt opened with this delivery's external id (GET /t/external_id/{id}.json)."""
        topic_id = self.client.topic_by_external_id(_external_id(post))
        return self._first_post(topic_id) if topic_id else None

    def _first_post(self, topic_id: int) -> PublishResult:
        """The topic an earlier attempt opened, as its first post (GET /t/{id}.json)."""
        stream = self.client.topic(topic_id).get("post_stream")
        posts = stream.get("posts") if isinstance(stream, dict) else None
        first = posts[0] if isinstance(posts, list) and posts and isinstance(posts[0], dict) else None
        if first is None:
            raise Permanent(_("Discourse has the topic Fédère opened, but did not show its first post."))
        return self._published(first)


def _external_id(post: OutgoingPost) -> str:
    """The topic's external id, from the delivery's idempotency key (Discourse keeps 50 characters)."""
    return f"federe-{_digest(post.idempotency_key, 32)}"


def _digest(key: str, length: int) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:length]
