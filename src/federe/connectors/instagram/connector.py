"""Instagram professional accounts: read the account's media and their comments, reply, hide, delete, publish.

Built to Meta's published reference for the Instagram API with Facebook Login, Graph API v25.0
(developers.facebook.com/docs/instagram-platform: IG User, IG Media, IG Comment, Content Publishing; endpoints in
``client.py``), sharing Facebook's ``graph.py`` (errors, rate limits, paging). Tested on payloads written from that
reference (tests/connectors/instagram/fixtures/README.md): no Meta server is reachable where Fédère is tested, so
``verified_against_real_server`` is False and the channel page says so.

Config: ``ig_user_id`` (required), ``media_base_url`` (the public address where Fédère's media folder is served:
Instagram fetches a post's image from a public URL), ``watch_media`` (default 10), ``backfill_pages`` (2),
``timeout``. Credentials: ``page_access_token``, the long-lived access token of the Facebook Page linked to the
account (it does not expire; a revoked one is ``Unauthorized`` in plain words).

Publishing is the documented two steps: a media container (POST /{ig-user-id}/media with ``image_url`` and
``caption``), then POST /{ig-user-id}/media_publish. Instagram has no idempotency key: a retry first looks for a
media with exactly the delivery's caption among the account's latest media (``find_published``); a reply looks
for the account's own comment with the same text under the parent first.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.facebook.graph import client_for, graph_id, message_of, same_text
from federe.connectors.instagram.client import AccountClient
from federe.connectors.instagram.mapping import replies_of
from federe.connectors.instagram.reading import Reader
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
)
from federe.connectors.values import int_setting, parse_utc, posted_since, web_url
from federe.core.html import html_to_text, sanitize_html

NETWORK = "Instagram"
NO_MESSAGES = _lazy(
    "Direct messages are not read: Instagram lets a business answer a person only within 24 hours of their last"
    " message, through the Messenger API, which Fédère does not use."
)
NO_BAN = _lazy("Instagram's API cannot block or restrict a person: do it in the Instagram app.")
OLDER_MEDIA = _lazy(
    "Comments are read on the account's latest media only (10 by default), the first pages of each: comments on"
    " older media are not read. Instagram's webhooks, which would bring them, are not used."
)
PUBLIC_IMAGE = _lazy(
    "Instagram publishes a post with one image, which it fetches from a public address: set the public address of"
    " Fédère's media folder in the channel's settings. Text-only posts are not possible."
)
HIDDEN_REPLIES = _lazy(
    "A hidden comment cannot be answered, and an answer to a reply goes under the first comment of its thread"
    " (Instagram nests one level)."
)


@register
class InstagramConnector(Connector):
    key = "instagram"
    label = "Instagram"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = False  # built to the Instagram Graph API v25.0 reference; no Meta server here
    # Instagram calls count against Business Use Case limits (4800 × impressions a day); a sync costs about
    # 1 + 2 × watch_media calls (about 21): every 10 minutes is about 3000 calls a day, within a small account's share.
    default_sync_interval_seconds = 600
    actions = frozenset({ActionKind.REMOVE, ActionKind.RESTORE, ActionKind.DELETE})
    limitations = (OLDER_MEDIA, HIDDEN_REPLIES, NO_BAN, PUBLIC_IMAGE, NO_MESSAGES)
    post_rules = PostRules(max_length=2200, media_max=1, media_types=("image/jpeg",))  # caption limit; JPEG only
    setup_fields = (
        SetupField(
            "ig_user_id",
            _lazy("Instagram account id"),
            help=_lazy("The id of the professional account (not its @name): see the steps on the channel's page."),
        ),
        SetupField(
            "page_access_token",
            _lazy("Page access token"),
            secret=True,
            kind="password",
            help=_lazy("The long-lived access token of the Facebook Page linked to the Instagram account."),
        ),
        SetupField(
            "media_base_url",
            _lazy("Public address of the media folder"),
            kind="url",
            required=False,
            help=_lazy("Where your web server serves Fédère's media folder to everyone; needed to publish."),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "Link the Instagram professional account to a Facebook Page, then follow the Facebook channel's steps"
                " to obtain a long-lived Page access token, adding the permissions instagram_basic,"
                " instagram_manage_comments and instagram_content_publish. Fédère cannot sign you in to Instagram"
                " itself this time: you paste the token here."
            )
        ),
        SetupStep(
            _lazy("Ask for the account's id with that token (replace PAGE_ID by the Page's id):"),
            "GET https://graph.facebook.com/v25.0/PAGE_ID?fields=instagram_business_account",
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self._account: AccountClient | None = None

    @property
    def account(self) -> AccountClient:
        """Built on first use, so that a missing account id or token is reported as a connector error."""
        if self._account is None:
            graph, ig_user_id = client_for(
                self.config,
                self.credentials,
                network=NETWORK,
                id_key="ig_user_id",
                no_id=_("This channel has no Instagram account id: set it in the channel's settings."),
                no_token=_("This channel has no Page access token for Instagram: paste one."),
            )
            self._account = AccountClient(graph, ig_user_id)
        return self._account

    def check(self) -> None:
        """The token reaches the account (GET /{ig-user-id})."""
        if graph_id(self.account.account().get("id")) != self.account.ig_user_id:
            raise Unauthorized(
                _("This token does not reach the Instagram account %(id)s.") % {"id": self.account.ig_user_id}
            )

    def fetch(self, cursor: Cursor | None) -> Batch:
        reader = Reader(
            client=self.account.graph,
            ig_user_id=self.account.ig_user_id,
            watch_media=int_setting(self.config, "watch_media", 10, 1, 50),
            backfill_pages=int_setting(self.config, "backfill_pages", 2, 1, 20),
        )
        return reader.fetch(cursor)

    # -- replies and posts ------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        media_id, parent = graph_id(reply.thread_id), graph_id(reply.parent_id)
        if not media_id:
            raise Permanent(_("“%(value)s” is not an Instagram media.") % {"value": str(reply.thread_id)[:40]})
        text = html_to_text(sanitize_html(reply.body_html)).strip()
        mine = self._own_comment(media_id, parent, text, reply.retry_since) if reply.retry_since else None
        if mine is not None:
            return mine
        if parent and parent != media_id:
            return self._result(self.account.reply_to(parent, text))
        return self._result(self.account.comment_on(media_id, text))

    def _own_comment(self, media_id: str, parent: str, text: str, since: datetime) -> PublishResult | None:
        """The account's comment with this text, under ``parent`` (or on the media), sent by an earlier attempt."""
        username = str(self.account.account().get("username") or "")
        for comment in self.account.comments(media_id):
            candidates = replies_of(comment) if parent and parent == comment.get("id") else [comment]
            for found in candidates:
                if (
                    username
                    and found.get("username") == username
                    and same_text(found.get("text"), text)
                    and posted_since(found.get("timestamp"), since)
                ):
                    return self._result(found)
        return None

    def publish(self, post: OutgoingPost) -> PublishResult:
        image_url = self._image_url(post)
        container = graph_id(self.account.container(image_url, message_of(post)))
        if not container:
            raise Permanent(_("Instagram did not say which media container it created."))
        published = graph_id(self.account.publish_container(container).get("id"))
        if not published:
            raise Permanent(_("Instagram accepted the post but did not say which media it created."))
        return self._result(self.account.media(published))

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        """The account's media with this delivery's caption among its latest (GET /{ig-user-id}/media)."""
        caption = message_of(post)
        for media in self.account.latest_media():
            if same_text(media.get("caption"), caption):
                return self._result(media)
        return None

    def _image_url(self, post: OutgoingPost) -> str:
        """The public address Instagram fetches the image from: ``options["image_url"]``, else the post's first
        image under the channel's ``media_base_url``."""
        given = web_url(post.options.get("image_url"))
        if given:
            return given
        base = web_url(self.config.get("media_base_url"))
        if not post.media or not base:
            raise Permanent(str(PUBLIC_IMAGE))
        path = Path(post.media[0].path)
        try:
            relative = path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()).as_posix()
        except ValueError:
            relative = path.name
        return f"{base.rstrip('/')}/{relative}"

    def _result(self, answer: dict[str, Any]) -> PublishResult:
        object_id = graph_id(answer.get("id"))
        if not object_id:
            raise Permanent(_("Instagram accepted the message but did not say which one it created."))
        return PublishResult(
            external_id=object_id, url=web_url(answer.get("permalink")), created_at=parse_utc(answer.get("timestamp"))
        )

    # -- moderation ---------------------------------------------------------------------------------------------

    def act(self, action: ModerationAction) -> ActionResult:
        comment_id = graph_id(action.external_id)
        if not comment_id:
            raise Permanent(_("“%(value)s” is not an Instagram comment.") % {"value": str(action.external_id)[:40]})
        if action.kind == ActionKind.DELETE:
            try:
                self.account.state(comment_id)
            except Permanent as exc:
                if exc.status == 404:
                    return ActionResult(done=True, detail="already deleted")
                raise
            self.account.delete(comment_id)
            return ActionResult(done=True, detail="deleted")
        hide = action.kind == ActionKind.REMOVE
        if self.account.state(comment_id).get("hidden") is hide:
            return ActionResult(done=True, detail="already hidden" if hide else "already visible")
        self.account.set_hidden(comment_id, hide)
        return ActionResult(done=True, detail="hidden" if hide else "unhidden")
