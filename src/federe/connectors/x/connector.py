"""X (Twitter): the brand account's mentions, replies, hiding replies, muting, posting.

Built to the published X API v2 reference (``client.py`` cites each endpoint) and tested on payloads written from
it (tests/connectors/x/fixtures/README.md): our machines cannot reach X, so ``verified_against_real_server`` is
False and the channel page says so.

Credentials (pasted from X's developer console, see ``setup_help``): ``client_id``, ``client_secret`` (confidential
"Web App" clients only) and a ``refresh_token`` obtained once with the OAuth 2.0 authorization code flow with PKCE
(scopes ``tweet.read tweet.write users.read tweet.moderate.write mute.write offline.access``). Fédère keeps the
access token, its expiry, the rotated refresh token and the account's ``user_id`` in the same credentials.

Reading polls ``GET /2/users/:id/mentions``, newest first. The cursor keeps ``since_id`` (the newest mention
stored); a round walks back with ``pagination_token`` to ``since_id`` and only then moves ``since_id`` on, so a
crash in the middle reads the same pages again (stored once: ids are stable). The first sync reads the latest page
only (``max_results`` 100).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionKind,
    ActionResult,
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
from federe.connectors.x import mapping
from federe.connectors.x.client import XClient
from federe.core.html import html_to_text

PAGE_SIZE = 100  # the mentions timeline's largest max_results
MAX_TEXT = 280  # a post's length for accounts without a subscription (X counts each link as 23)


@register
class XConnector(Connector):
    key = "x"
    label = "X (Twitter)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = False  # built to docs.x.com (API v2); X is out of our reach
    actions = frozenset({ActionKind.REMOVE, ActionKind.RESTORE, ActionKind.DELETE, ActionKind.MUTE})
    # The mentions timeline allows few requests per 15 minutes on the lower paid tiers (and each post read counts
    # against the monthly cap): one round every 15 minutes stays within them.
    default_sync_interval_seconds = 900
    post_rules = PostRules(max_length=MAX_TEXT)
    setup_fields = (
        SetupField("client_id", _lazy("OAuth 2.0 client ID of your X app")),
        SetupField(
            "client_secret",
            _lazy("OAuth 2.0 client secret (Web App type only)"),
            secret=True,
            required=False,
            kind="password",
        ),
        SetupField(
            "refresh_token",
            _lazy("Refresh token"),
            secret=True,
            kind="password",
            help=_lazy("Obtained once with the offline.access scope; Fédère keeps the new one X hands out."),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "In X's developer console (developer.x.com), open your project's app, then User authentication"
                " settings: turn on OAuth 2.0, type Web App (or Native App), with these scopes:"
            ),
            "tweet.read tweet.write users.read tweet.moderate.write mute.write offline.access",
        ),
        SetupStep(
            _lazy(
                "Copy the client ID (and the client secret of a Web App) from the app's Keys and tokens page. Then"
                " run the authorization code flow with PKCE once, signed in as the brand's account, and exchange the"
                " code at https://api.x.com/2/oauth2/token: paste the refresh token it returns. Fédère has no"
                " Connect with X button yet."
            )
        ),
    )
    limitations = (
        _lazy(
            "Reading mentions needs a paid X API access tier (Basic or above); the free tier can only post. Every"
            " post read counts against the app's monthly cap."
        ),
        _lazy(
            "X cannot delete other people's posts: Fédère hides replies to the brand's own conversations (Remove)"
            " and deletes the brand's own posts only."
        ),
        _lazy("Fédère mutes accounts on X but does not block or report them."),
        _lazy(
            "X has no idempotency key for posts: a post whose sending was cut off is left for a person to check"
            " on X, never sent again blind."
        ),
        _lazy("Fédère polls X: it does not use X's webhooks (Account Activity API) or streams."),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self._client: XClient | None = None

    @property
    def client(self) -> XClient:
        if self._client is None:
            self._client = XClient(self.credentials)  # changes the credentials in place when it refreshes
        return self._client

    def _me(self) -> str:
        """GET /2/users/me: the brand account's id, kept in the credentials."""
        if not self.credentials.get("user_id"):
            found = self.client.call("GET", "/2/users/me", what=_("reading the account"))
            data = found.get("data") if isinstance(found, dict) else None
            if not isinstance(data, dict) or not data.get("id"):
                raise Permanent(_("X did not say which account the token belongs to."))
            self.credentials["user_id"] = str(data["id"])
            self.credentials["username"] = str(data.get("username") or "")
            self.keep_credentials()
        return str(self.credentials["user_id"])

    def check(self) -> None:
        self._me()

    def fetch(self, cursor: Cursor | None) -> Batch:
        cursor = dict(cursor or {})
        since = str(cursor.get("since_id") or "")
        params = {
            "max_results": PAGE_SIZE,
            "since_id": since or None,
            "pagination_token": cursor.get("pagination_token") or None,
            "tweet.fields": mapping.TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": mapping.USER_FIELDS,
        }
        page = self.client.call("GET", f"/2/users/{self._me()}/mentions", what=_("reading mentions"), params=params)
        if not isinstance(page, dict):
            raise Permanent(_("X answered the mentions with something else than a page."))
        users = mapping.users_of(page)
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        for post in page.get("data") or []:
            mapped = mapping.map_post(post, users)
            (malformed if isinstance(mapped, MalformedItem) else items).append(mapped)  # type: ignore[arg-type]
        meta: dict[str, Any] = page["meta"] if isinstance(page.get("meta"), dict) else {}
        newest = str(cursor.get("newest") or meta.get("newest_id") or since)
        next_token = meta.get("next_token") if since else None  # the first sync reads the latest page only
        if next_token:
            return Batch(items, {"since_id": since, "pagination_token": next_token, "newest": newest}, True, malformed)
        return Batch(items, {"since_id": newest}, False, malformed)

    def _post(self, text: str, reply_to: str = "") -> PublishResult:
        """POST /2/tweets: ``text``, answering ``reply.in_reply_to_tweet_id`` when given."""
        body: dict[str, Any] = {"text": text}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        found = self.client.call("POST", "/2/tweets", what=_("the post"), body=body)
        data = found.get("data") if isinstance(found, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise Permanent(_("X accepted the post but did not give its id."))
        post_id = str(data["id"])
        self._me()  # the account's username, for the post's address
        return PublishResult(external_id=post_id, url=mapping.post_url(post_id, self.credentials.get("username", "")))

    def reply(self, reply: OutgoingReply) -> PublishResult:
        return self._post(html_to_text(reply.body_html), reply.parent_id or reply.thread_id)

    def publish(self, post: OutgoingPost) -> PublishResult:
        return self._post(post.body_text or html_to_text(post.body_html), post.reply_to)

    def act(self, action: ModerationAction) -> ActionResult:
        post = action.external_id
        if action.kind in (ActionKind.REMOVE, ActionKind.RESTORE):  # PUT /2/tweets/:id/hidden
            hidden = action.kind == ActionKind.REMOVE
            self.client.call("PUT", f"/2/tweets/{post}/hidden", what=_("hiding the reply"), body={"hidden": hidden})
            return ActionResult(True, _("Reply hidden on X.") if hidden else _("Reply shown again on X."))
        if action.kind == ActionKind.DELETE:  # DELETE /2/tweets/:id (the brand's own posts only)
            self.client.call("DELETE", f"/2/tweets/{post}", what=_("deleting the post"))
            return ActionResult(True, _("Post deleted on X."))
        if not action.author_id:  # MUTE: POST /2/users/:id/muting
            raise Permanent(_("X needs the author's account id to mute them."))
        body = {"target_user_id": action.author_id}
        self.client.call("POST", f"/2/users/{self._me()}/muting", what=_("muting the account"), body=body)
        return ActionResult(True, _("Account muted on X."))
