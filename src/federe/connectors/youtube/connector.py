"""YouTube: read the comments on a channel and its videos, the held ones too, reply, and moderate them.

Built to the YouTube Data API v3 reference (developers.google.com/youtube/v3/docs) and tested on payloads written
from it (tests/connectors/youtube/fixtures/README.md): no machine where Fédère is tested reaches YouTube, so
``verified_against_real_server`` is False and the channel page says so.

Config: ``client_id`` (the OAuth client's id), ``channel_id`` (optional: by default the channel the token belongs
to), ``backfill_pages`` (pages of 100 threads read at the first sync, default 1), ``catch_up_pages`` (default 5),
``timeout`` (seconds, default 10). Credentials: ``client_secret`` and ``refresh_token`` (Google's refresh-token
grant, oauth.py). Reading is in ``reading.py`` (the cursor is explained there), moderation in ``moderation.py``.

Quota (10,000 units a day by default, reset at midnight Pacific Time): a sync costs 1 unit a page of threads, 2
for the held lists and 1 a page of missing replies, about 4 units; every 15 minutes that is about 400 units a day,
which leaves room for some 190 replies or moderation actions (50 units each).

Replies (comments.insert with ``snippet.parentId``) have no idempotency key on YouTube; before sending, the
connector reads the thread's replies (1 unit) and returns the channel's own reply with the same text, if an
earlier attempt did post it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.mail.outgoing import plain_text
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionKind,
    ActionResult,
    Batch,
    Cursor,
    ModerationAction,
    OutgoingReply,
    PublishResult,
)
from federe.connectors.values import int_setting, parse_utc, posted_since
from federe.connectors.youtube.client import TIMEOUT_SECONDS, YouTubeClient
from federe.connectors.youtube.mapping import author_channel, comment_url, snippet_of, text
from federe.connectors.youtube.moderation import ACTIONS, Moderator
from federe.connectors.youtube.oauth import GoogleToken
from federe.connectors.youtube.reading import Position, Reader

MAX_REPLY = 10_000  # characters YouTube takes in a comment
NO_PUBLISHING = _lazy(
    "No publishing: uploading videos is out of Fédère's scope and YouTube's community posts have no public API."
)
QUOTA_LIMIT = _lazy(
    "Every call spends the Google Cloud project's daily YouTube quota (10,000 units by default, reset at midnight"
    " Pacific Time): a sync costs a few units, a reply or a moderation action 50. Once it is spent, Fédère waits"
    " for the reset."
)
OWN_ONLY = _lazy(
    "YouTube deletes only the channel's own comments; others' comments are removed by holding them back for review"
    " (Fédère can restore them) or rejected for good (hidden with their replies: a rejected comment cannot be"
    " published again). Marking as spam has no API."
)
OLD_THREADS = _lazy(
    "Each sync reads the newest threads: a reply to an older thread is seen only when that thread is read again."
)
NO_LOGIN_FLOW = _lazy(
    "There is no “Connect with Google” button yet: the refresh token is obtained in Google's tools and pasted here."
)


@register
class YouTubeConnector(Connector):
    key = "youtube"
    label = "YouTube"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ, Capability.REPLY, Capability.MODERATE})
    verified_against_real_server = False  # built to the YouTube Data API v3 reference; YouTube is out of reach
    default_sync_interval_seconds = 900  # about 4 quota units a sync: ~400 of the 10,000 daily units
    actions = ACTIONS
    limitations = (NO_PUBLISHING, QUOTA_LIMIT, OWN_ONLY, OLD_THREADS, NO_LOGIN_FLOW)
    setup_fields = (
        SetupField(
            "client_id",
            _lazy("OAuth client ID"),
            help=_lazy("Google Cloud console → APIs & Services → Credentials: the client ID of a web application."),
        ),
        SetupField("client_secret", _lazy("OAuth client secret"), secret=True, kind="password"),
        SetupField(
            "refresh_token",
            _lazy("Refresh token"),
            secret=True,
            kind="password",
            help=_lazy("Granted by the channel's owner with the youtube.force-ssl scope."),
        ),
        SetupField(
            "channel_id",
            _lazy("Channel ID"),
            required=False,
            help=_lazy("Optional: by default, the channel of the account that granted the token (UC…)."),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "In the Google Cloud console, create a project, enable the “YouTube Data API v3”, and create an"
                " OAuth client ID (APIs & Services → Credentials → Create credentials → OAuth client ID, type “Web"
                " application”). Add https://developers.google.com/oauthplayground as an authorised redirect URI."
            )
        ),
        SetupStep(
            _lazy(
                "In the OAuth 2.0 Playground (gear icon → “Use your own OAuth credentials”, with the client ID and"
                " secret), authorise this scope signed in as the channel's owner, then “Exchange authorization code"
                " for tokens” and copy the refresh token here. Publish the OAuth app (not “Testing”): Google ends"
                " the refresh tokens of apps in testing after seven days."
            ),
            "https://www.googleapis.com/auth/youtube.force-ssl",
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self._client: YouTubeClient | None = None
        self._channel = str(config.get("channel_id") or "").strip()

    @property
    def client(self) -> YouTubeClient:
        """Built on first use, so that missing credentials are reported as a connector error."""
        if self._client is None:
            client_id = str(self.config.get("client_id") or self.credentials.get("client_id") or "").strip()
            secret = str(self.credentials.get("client_secret") or "").strip()
            refresh = str(self.credentials.get("refresh_token") or "").strip()
            if not client_id or not secret or not refresh:
                raise Unauthorized(
                    _("This channel lacks its OAuth client ID, client secret or refresh token: set them.")
                )
            timeout = int_setting(self.config, "timeout", TIMEOUT_SECONDS, 1, 60)
            token = GoogleToken(self.credentials, client_id=client_id, timeout=timeout)
            self._client = YouTubeClient(token, timeout=timeout)
        return self._client

    def channel(self, cursor: Cursor | None = None) -> str:
        """The channel's id: configured, remembered in the cursor, or asked (GET /channels?mine=true, 1 unit)."""
        if not self._channel:
            self._channel = Position.from_cursor(cursor).channel or self._mine()
        return self._channel

    def _mine(self) -> str:
        found = self.client.my_channel().get("items")
        first = found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else {}
        if not text(first.get("id")):
            raise Permanent(_("The Google account that granted the token has no YouTube channel."))
        return text(first.get("id"))

    def check(self) -> None:
        """The token works and leads to a channel (GET /channels?mine=true)."""
        self._mine()

    def fetch(self, cursor: Cursor | None) -> Batch:
        reader = Reader(
            client=self.client,
            channel=self.channel(cursor),
            backfill_pages=int_setting(self.config, "backfill_pages", 1, 1, 20),
            catch_up_pages=int_setting(self.config, "catch_up_pages", 5, 1, 50),
        )
        return reader.fetch(cursor)

    def act(self, action: ModerationAction) -> ActionResult:
        channel = self.channel() if action.kind == ActionKind.DELETE else self._channel
        return Moderator(self.client, channel).act(action)

    def reply(self, reply: OutgoingReply) -> PublishResult:
        """comments.insert under the thread's top-level comment (YouTube threads are one level deep)."""
        parent = str(reply.thread_id or "").strip()
        body = plain_text(reply.body_html).strip()
        if not parent:
            raise Permanent(_("This message has no YouTube comment thread to answer."))
        if not body:
            raise Permanent(_("The reply is empty."))
        if len(body) > MAX_REPLY:
            raise Permanent(_("YouTube takes comments of 10,000 characters at most."))
        sent = self._already_sent(parent, body, reply.retry_since) if reply.retry_since else None
        return self._published(sent or self.client.insert_reply(parent, body))

    def _already_sent(self, parent: str, body: str, since: datetime) -> dict[str, Any] | None:
        """The channel's own reply with this text under ``parent``, if an attempt since ``since`` posted it."""
        found = self.client.replies(parent).get("items")
        mine = self.channel()
        for comment in found if isinstance(found, list) else []:
            snippet = snippet_of(comment)
            if (
                author_channel(snippet) == mine
                and text(snippet.get("textOriginal")) == body
                and posted_since(snippet.get("publishedAt"), since)
            ):
                return comment if isinstance(comment, dict) else None
        return None

    def _published(self, comment: dict[str, Any]) -> PublishResult:
        comment_id, snippet = text(comment.get("id")), snippet_of(comment)
        if not comment_id:
            raise Permanent(_("YouTube accepted the reply but did not say which comment it created."))
        return PublishResult(
            external_id=comment_id,
            url=comment_url(comment_id, text(snippet.get("videoId")), text(snippet.get("channelId"))),
            created_at=parse_utc(snippet.get("publishedAt")),
        )
