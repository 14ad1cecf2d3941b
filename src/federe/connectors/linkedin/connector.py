"""LinkedIn Pages: comments on an organization's posts, replies as the organization, deleting comments, posting.

Built to LinkedIn's Community Management API docs (``client.py`` cites each endpoint and the version) and tested on
payloads written from them (tests/connectors/linkedin/fixtures/README.md): our machines cannot reach LinkedIn, and
the API is for approved partners only, so ``verified_against_real_server`` is False and the channel page says so.

Config: ``organization`` (the page's id, the digits of ``urn:li:organization:…``), ``posts`` (how many of the
latest posts are read, 10). Credentials: ``client_id``, ``client_secret`` and a ``refresh_token`` from the 3-legged
OAuth flow (scopes ``r_organization_social w_organization_social``), run once by a page administrator.

A sync lists the latest posts (``GET /rest/posts``), then reads each one's comments, one post per page; the cursor
keeps the posts' URNs and the next one to read. Comments are stored once (their URN is their id).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.linkedin.client import LinkedInClient
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionKind,
    ActionResult,
    Author,
    Batch,
    Cursor,
    Item,
    MalformedItem,
    ModerationAction,
    OutgoingPost,
    OutgoingReply,
    PostRules,
    PublishResult,
)
from federe.connectors.values import int_setting
from federe.core.html import html_to_text, text_to_html

MAX_TEXT = 3000  # a post's commentary
COMMENTS_PER_POST = 100


def _urn(value: str) -> str:
    return quote(value, safe="")


def map_comment(raw: Any, post: str, title: str) -> Item | MalformedItem:
    if not isinstance(raw, dict) or (not raw.get("$URN") and not raw.get("id")):
        return MalformedItem(reason=_("A LinkedIn comment without an id."))
    urn = str(raw.get("$URN") or f"urn:li:comment:({post},{raw['id']})")
    message: dict[str, Any] = raw["message"] if isinstance(raw.get("message"), dict) else {}
    created: dict[str, Any] = raw["created"] if isinstance(raw.get("created"), dict) else {}
    if not isinstance(message.get("text"), str) or not isinstance(created.get("time"), int) or not raw.get("actor"):
        return MalformedItem(reason=_("A LinkedIn comment without its text, date or author."), external_id=urn)
    actor = str(raw["actor"])
    return Item(
        external_id=urn,
        thread_id=post,
        author=Author(external_id=actor, handle=actor.rsplit(":", 1)[-1]),
        body_html=text_to_html(message["text"]),
        created_at=datetime.fromtimestamp(created["time"] / 1000, tz=UTC),
        parent_id=str(raw.get("parentComment") or ""),
        thread_title=title[:120],
        url=f"https://www.linkedin.com/feed/update/{post}/",
        raw=raw,
    )


@register
class LinkedInConnector(Connector):
    key = "linkedin"
    label = _lazy("LinkedIn Pages")
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = False  # built to LinkedIn's docs; LinkedIn is out of our reach
    actions = frozenset({ActionKind.DELETE})
    # LinkedIn's limits are per day per member and per app: one round an hour reads 10 posts' comments 24 times.
    default_sync_interval_seconds = 3600
    post_rules = PostRules(max_length=MAX_TEXT)
    setup_fields = (
        SetupField("organization", _lazy("Page (organization) id"), help=_lazy("The digits of urn:li:organization:…")),
        SetupField("client_id", _lazy("Client ID of your LinkedIn app")),
        SetupField("client_secret", _lazy("Client secret"), secret=True, kind="password"),
        SetupField("refresh_token", _lazy("Refresh token"), secret=True, kind="password"),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "LinkedIn opens the Community Management API to approved partners only: in the LinkedIn developer"
                " portal (linkedin.com/developers), create an app linked to the page and request that product."
            )
        ),
        SetupStep(
            _lazy(
                "Once approved, run the 3-legged OAuth flow once as an administrator of the page, with these scopes,"
                " and paste the client ID, client secret and refresh token. Fédère has no Connect with LinkedIn"
                " button yet."
            ),
            "r_organization_social w_organization_social",
        ),
    )
    limitations = (
        _lazy(
            "LinkedIn's Community Management API is open to approved partners only: without that approval,"
            " nothing can be read."
        ),
        _lazy(
            "Fédère reads up to 100 comments on each of the page's latest posts (10 by default), not replies to"
            " comments, and shows members by their LinkedIn id, not their name."
        ),
        _lazy("LinkedIn lets a page delete comments on its posts, but not hide them or ban their authors."),
        _lazy(
            "LinkedIn has no idempotency key for posts: a post whose sending was cut off is left for a person to"
            " check, never sent again blind."
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self._client: LinkedInClient | None = None

    @property
    def client(self) -> LinkedInClient:
        if self._client is None:
            self._client = LinkedInClient(self.credentials)
        return self._client

    @property
    def organization(self) -> str:
        org = str(self.config.get("organization") or "").strip().rsplit(":", 1)[-1]
        if not org.isdigit():
            raise Permanent(_("Give the page's organization id (digits)."))
        return f"urn:li:organization:{org}"

    def check(self) -> None:
        self._posts()

    def _posts(self) -> list[list[str]]:
        """GET /rest/posts?q=author&author={org}: the latest posts, as [urn, commentary]."""
        count = int_setting(self.config, "posts", 10, 1, 50)
        params = {"q": "author", "author": self.organization, "count": count, "sortBy": "LAST_MODIFIED"}
        found = self.client.json("/rest/posts", what=_("reading the page's posts"), params=params)
        posts: list[Any] = found["elements"] if isinstance(found.get("elements"), list) else []
        return [[str(p["id"]), str(p.get("commentary") or "")] for p in posts if isinstance(p, dict) and p.get("id")]

    def fetch(self, cursor: Cursor | None) -> Batch:
        posts = (cursor or {}).get("posts")
        at = int((cursor or {}).get("next") or 0)
        if not isinstance(posts, list) or at >= len(posts):
            posts = self._posts()
            return Batch([], {"posts": posts, "next": 0}, bool(posts))
        urn, title = posts[at]
        path = f"/rest/socialActions/{_urn(urn)}/comments"
        found = self.client.json(path, what=_("reading comments"), params={"count": COMMENTS_PER_POST})
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        elements: list[Any] = found["elements"] if isinstance(found.get("elements"), list) else []
        for raw in elements:
            mapped = map_comment(raw, urn, title)
            (malformed if isinstance(mapped, MalformedItem) else items).append(mapped)  # type: ignore[arg-type]
        return Batch(items, {"posts": posts, "next": at + 1}, at + 1 < len(posts), malformed)

    def reply(self, reply: OutgoingReply) -> PublishResult:
        """POST /rest/socialActions/{post}/comments as the organization (``parentComment`` for a nested reply)."""
        body: dict[str, Any] = {
            "actor": self.organization,
            "object": reply.thread_id,
            "message": {"text": html_to_text(reply.body_html)},
        }
        if reply.parent_id.startswith("urn:li:comment:"):
            body["parentComment"] = reply.parent_id
        path = f"/rest/socialActions/{_urn(reply.thread_id)}/comments"
        answer = self.client.call("POST", path, what=_("the reply"), body=body)
        made = answer.headers.get("x-restli-id", "")
        if not made:
            raise Permanent(_("LinkedIn accepted the reply but did not give its id."))
        return PublishResult(external_id=made, url=f"https://www.linkedin.com/feed/update/{reply.thread_id}/")

    def publish(self, post: OutgoingPost) -> PublishResult:
        """POST /rest/posts: a public post of the organization, on the main feed."""
        body = {
            "author": self.organization,
            "commentary": post.body_text or html_to_text(post.body_html),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        answer = self.client.call("POST", "/rest/posts", what=_("the post"), body=body)
        made = answer.headers.get("x-restli-id", "")
        if not made:
            raise Permanent(_("LinkedIn accepted the post but did not give its id."))
        return PublishResult(external_id=made, url=f"https://www.linkedin.com/feed/update/{made}/")

    def act(self, action: ModerationAction) -> ActionResult:
        """DELETE /rest/socialActions/{post}/comments/{id}?actor={org} (DELETE is the only action declared)."""
        urn = action.external_id  # urn:li:comment:(urn:li:activity:…,123)
        post, _sep, comment = urn.removeprefix("urn:li:comment:(").rstrip(")").rpartition(",")
        if not post or not comment:
            raise Permanent(_("This is not a LinkedIn comment."))
        path = f"/rest/socialActions/{_urn(post)}/comments/{_urn(comment)}"
        self.client.call("DELETE", path, what=_("deleting the comment"), params={"actor": self.organization})
        return ActionResult(True, _("Comment deleted on LinkedIn."))
