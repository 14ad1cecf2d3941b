"""Facebook Pages: read the Page's posts and their comments, reply, hide, delete, block people, publish.

Built to Meta's Graph API v25.0 reference (developers.facebook.com/docs/graph-api; the endpoints are named in
``client.py``, errors and rate limits in ``graph.py``) and tested on payloads written from it
(tests/connectors/facebook/fixtures/README.md): no Meta server is reachable where Fédère is tested, so
``verified_against_real_server`` is False and the channel page says so.

Config: ``page_id`` (required), ``watch_posts`` (the latest posts whose comments are read, default 10),
``backfill_pages`` (pages of 25 posts read at the first sync, default 2), ``timeout``. Credentials:
``page_access_token``, a long-lived Page access token (see ``setup_help``; it does not expire, but a password
change or a lost role on the Page revokes it: Fédère then says so in plain words).

Replies and posts have no idempotency key on Facebook. Before replying, the connector looks at the newest
comments under the parent for one by the Page with the same text, and returns it instead of replying twice.
A post whose outcome is unknown is looked for the same way in the Page's latest posts (``find_published``): a
post by the Page with exactly the text of the delivery is taken for it. Posting the very same text twice on
purpose within the Page's 25 latest posts cannot be told apart from a retry: that is the remaining risk.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.facebook.client import PageClient
from federe.connectors.facebook.graph import client_for, graph_id, message_of, same_text
from federe.connectors.facebook.mapping import UNKNOWN
from federe.connectors.facebook.reading import Reader
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

NETWORK = "Facebook"
OLDER_POSTS = _lazy(
    "Comments are read on the Page's latest posts only (10 by default): a comment on an older post is not read."
    " Facebook's webhooks, which would bring them, are not used."
)
TEXT_ONLY = _lazy("Fédère publishes text (with links) to the Page; it does not upload photos or videos yet.")
NO_MESSENGER = _lazy("Messenger conversations with the Page are not read.")
HIDING = _lazy(
    "A hidden comment stays visible to its author and their friends (Facebook's hiding); deleting removes it for"
    " everyone."
)
BLOCKING = _lazy(
    "Blocking works only for people Facebook names in the comment: it may not say who wrote a comment, and such a"
    " person cannot be blocked from Fédère."
)


@register
class FacebookConnector(Connector):
    key = "facebook"
    label = "Facebook"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = False  # built to the Graph API v25.0 reference; no Meta server to test against
    # Business Use Case limits of a Page token: 4800 calls a day per engaged user; a sync costs 1 + watch_posts
    # calls (about 11), so every 5 minutes is about 3200 calls a day, well within a small Page's share.
    default_sync_interval_seconds = 300
    actions = frozenset({ActionKind.REMOVE, ActionKind.RESTORE, ActionKind.DELETE, ActionKind.BAN, ActionKind.UNBAN})
    limitations = (OLDER_POSTS, HIDING, BLOCKING, TEXT_ONLY, NO_MESSENGER)
    post_rules = PostRules(max_length=63_206)  # Facebook's limit for a post's text
    setup_fields = (
        SetupField("page_id", _lazy("Page id"), help=_lazy("In Facebook: your Page → About → Page transparency.")),
        SetupField(
            "page_access_token",
            _lazy("Page access token"),
            secret=True,
            kind="password",
            help=_lazy("A long-lived Page access token: see the steps on the channel's page."),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "In Meta for Developers (developers.facebook.com), create an app of the Business type and add the"
                " Facebook Login for Business product. Fédère cannot sign you in to Facebook itself this time: you"
                " obtain a token there and paste it here."
            )
        ),
        SetupStep(
            _lazy(
                "In the Graph API Explorer, choose your app, then “Get User Access Token” with the permissions"
                " pages_show_list, pages_read_engagement, pages_read_user_content, pages_manage_engagement,"
                " pages_manage_posts and pages_manage_metadata."
            )
        ),
        SetupStep(
            _lazy(
                "Exchange it for a long-lived user token (the Access Token Debugger's “Extend Access Token” button),"
                " then ask for your Pages with it: the access_token given for your Page is a long-lived Page token"
                " that does not expire. Paste it above with the Page's id."
            ),
            "GET https://graph.facebook.com/v25.0/me/accounts?fields=id,name,access_token",
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self._page: PageClient | None = None

    @property
    def page(self) -> PageClient:
        """Built on first use, so that a missing Page id or token is reported as a connector error."""
        if self._page is None:
            graph, page_id = client_for(
                self.config,
                self.credentials,
                network=NETWORK,
                id_key="page_id",
                no_id=_("This channel has no Facebook Page id: set it in the channel's settings."),
                no_token=_("This channel has no Facebook Page access token: paste one."),
            )
            self._page = PageClient(graph, page_id)
        return self._page

    def check(self) -> None:
        """The token reaches the Page (GET /{page-id})."""
        if graph_id(self.page.page().get("id")) != self.page.page_id:
            raise Unauthorized(_("This Facebook token does not manage the Page %(id)s.") % {"id": self.page.page_id})

    def fetch(self, cursor: Cursor | None) -> Batch:
        reader = Reader(
            client=self.page.graph,
            page_id=self.page.page_id,
            watch_posts=int_setting(self.config, "watch_posts", 10, 1, 50),
            backfill_pages=int_setting(self.config, "backfill_pages", 2, 1, 20),
        )
        return reader.fetch(cursor)

    # -- replies and posts ------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        parent = graph_id(reply.parent_id) or graph_id(reply.thread_id)
        if not parent:
            raise Permanent(_("“%(value)s” is not a Facebook post or comment.") % {"value": str(reply.parent_id)[:40]})
        text = html_to_text(sanitize_html(reply.body_html)).strip()
        for comment in self.page.latest_comments(parent) if reply.retry_since else []:
            author = comment.get("from") if isinstance(comment.get("from"), dict) else {}
            if (
                author.get("id") == self.page.page_id  # type: ignore[union-attr]
                and same_text(comment.get("message"), text)
                and posted_since(comment.get("created_time"), reply.retry_since)
            ):
                return self._result(comment)
        return self._result(self.page.comment_on(parent, text))

    def publish(self, post: OutgoingPost) -> PublishResult:
        text = message_of(post)
        if not text:
            raise Permanent(_("A Facebook post needs some text."))
        return self._result(self.page.publish(text))  # after a lost answer, the ledger asks find_published first

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        """The Page's post with this delivery's text among its latest posts (GET /{page-id}/feed)."""
        text = message_of(post)
        for entry in self.page.latest_posts():
            author = entry.get("from") if isinstance(entry.get("from"), dict) else {}
            if author.get("id") == self.page.page_id and same_text(entry.get("message"), text):  # type: ignore[union-attr]
                return self._result(entry)
        return None

    def _result(self, answer: dict[str, Any]) -> PublishResult:
        object_id = graph_id(answer.get("id"))
        if not object_id:
            raise Permanent(_("Facebook accepted the message but did not say which one it created."))
        url = web_url(answer.get("permalink_url")) or f"https://www.facebook.com/{object_id}"
        return PublishResult(external_id=object_id, url=url, created_at=parse_utc(answer.get("created_time")))

    # -- moderation ---------------------------------------------------------------------------------------------

    def act(self, action: ModerationAction) -> ActionResult:
        if action.kind in (ActionKind.BAN, ActionKind.UNBAN):
            return self._block(action, action.kind == ActionKind.BAN)
        object_id = graph_id(action.external_id)
        if not object_id:
            raise Permanent(_("“%(value)s” is not a Facebook comment.") % {"value": str(action.external_id)[:40]})
        if action.kind == ActionKind.DELETE:
            return self._delete(object_id)
        hide = action.kind == ActionKind.REMOVE
        if self.page.state(object_id).get("is_hidden") is hide:
            return ActionResult(done=True, detail="already hidden" if hide else "already visible")
        self.page.set_hidden(object_id, hide)
        return ActionResult(done=True, detail="hidden" if hide else "unhidden")

    def _delete(self, object_id: str) -> ActionResult:
        try:
            self.page.state(object_id)
        except Permanent as exc:
            if exc.status == 404:
                return ActionResult(done=True, detail="already deleted")
            raise
        self.page.delete(object_id)
        return ActionResult(done=True, detail="deleted")

    def _block(self, action: ModerationAction, block: bool) -> ActionResult:
        user_id = graph_id(action.author_id)
        if not user_id or action.author_id == UNKNOWN:
            raise Permanent(_("Facebook did not say who wrote this comment: the person cannot be blocked."))
        if self.page.is_blocked(user_id) is block:
            return ActionResult(done=True, detail="already blocked" if block else "not blocked")
        (self.page.block if block else self.page.unblock)(user_id)
        return ActionResult(done=True, detail="blocked" if block else "unblocked")
