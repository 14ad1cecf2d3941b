"""WordPress blog comments: read every comment (any status), reply as the brand's user, moderate; publish
articles, drafts and scheduled posts (``publishing.py``: exactly once, the slug is the delivery's marker).

Config: ``site_url`` (required, e.g. https://blog.example.org), and optionally ``api_url`` (default
``<site_url>/wp-json``; use ``<site_url>/?rest_route=`` on sites without pretty permalinks), ``page_size``
(2-100, default 100), ``recheck_last`` (default 100), ``recheck_days`` (default 3), ``recheck_max`` (default
500), ``timeout`` (seconds, default 10). Credentials: ``username`` and ``app_password`` (an Application
Password of a user who may moderate comments: Editor or Administrator).

The cursor
----------
``{"last_id": L, "offset": O, "recheck_page": R}``

WordPress comments have no modification date, and the REST API cannot filter on "id greater than". So a
sync has two phases:

1. **New comments**, in every status (``status=any``: approved, hold, spam, trash, post-trashed), read in
   ascending id order (``orderby=id&order=asc``) with ``offset``. ``L`` is the highest comment id stored and
   ``O`` the number of comments with an id up to ``L`` (where the next new comment sits in that list). Each
   page is read from ``O - 1``: the first comment of the answer is the *anchor* and must be the one we already
   hold (id <= L). If it is newer, older comments were deleted for good since (WordPress's "Empty spam" does
   that), the list moved left and new comments may sit before ``O``: the connector then bisects (requests of
   one id each, log2(total) of them) for the position of the first comment newer than ``L`` and reads from
   there. Nothing is skipped; a comment read twice is harmless, ingest is idempotent. ``has_more`` stays true
   while ``X-WP-Total`` says more comments follow.
2. **Recheck**. Once caught up, ``R`` becomes 1 and the next pages re-read the most recent comments (id
   descending): at least the last ``recheck_last`` comments and every comment of the last ``recheck_days``
   days, at most ``recheck_max``. Ingest updates a stored message whose body or status changed, so approvals,
   spam marks, trashing and edits made on the blog reach Fédère. When the recheck ends, ``R`` goes back to 0
   and ``has_more`` is false: each sync ends with one recheck. A change to an older comment is not seen
   (WordPress gives no way to ask "what changed since").

Malformed comments are reported once, when they first arrive; the recheck does not report them again.

Replies are sent once (POST /wp/v2/comments). If the answer is lost and Fédère retries, WordPress refuses the
identical comment with 409 ``comment_duplicate``; the connector then finds the comment already posted (same
post, parent, user and text) and returns it. A retry with *edited* text posts a second comment: that is the
remaining risk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent, Unauthorized
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
from federe.connectors.values import int_setting, parse_utc, web_url
from federe.connectors.wordpress import publishing
from federe.connectors.wordpress.client import NO_RIGHTS, NOT_WORDPRESS, TIMEOUT_SECONDS, NotJson, WordPressClient
from federe.connectors.wordpress.mapping import map_comment
from federe.core.html import html_to_text, sanitize_html

# What each moderation action sets on WordPress, as the comment's REST status.
TARGET_STATUS = {ActionKind.APPROVE: "approved", ActionKind.HOLD: "hold", ActionKind.SPAM: "spam"}
NO_BAN = _lazy(
    "WordPress cannot ban a commenter through its API: add their e-mail or IP address to the"
    " “Disallowed Comment Keys” in Settings → Discussion."
)


@dataclass(frozen=True)
class Position:
    last_id: int = 0
    offset: int = 0
    recheck_page: int = 0

    @classmethod
    def from_cursor(cls, cursor: Cursor | None) -> Position:
        cursor = cursor or {}
        return cls(*(_count(cursor.get(key)) for key in ("last_id", "offset", "recheck_page")))

    def to_cursor(self) -> Cursor:
        return {"last_id": self.last_id, "offset": self.offset, "recheck_page": self.recheck_page}


def _count(value: Any) -> int:
    """A cursor field as a non-negative int; anything unreadable starts that field over."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _id(comment: Any) -> int:
    value = comment.get("id") if isinstance(comment, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@register
class WordPressConnector(Connector):
    key = "wordpress"
    label = "WordPress"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    # Articles: a title and HTML, no length limit; drafts and private posts; WordPress publishes scheduled ones.
    post_rules = PostRules(title=True, html=True, visibilities=publishing.VISIBILITIES, schedules_itself=True)
    verified_against_real_server = True  # tests/connectors/wordpress/test_integration.py, WordPress 6.1
    actions = frozenset({ActionKind.APPROVE, ActionKind.HOLD, ActionKind.SPAM, ActionKind.REMOVE, ActionKind.DELETE})
    limitations = (NO_BAN,)
    # Comments need a moderator within seconds; a sync costs one or two small requests (bench/reaction.py).
    default_sync_interval_seconds = 15
    # While comments arrive: every 4 s, at most 720 syncs an hour (120 at once, then one every 6 s on average);
    # a quiet blog goes back to its interval (docs/operations.md, "Polling pace").
    active_sync_interval_seconds = 4
    setup_fields = (
        SetupField("site_url", _lazy("Blog address"), kind="url", help=_lazy("For example https://blog.example.org")),
        SetupField("username", _lazy("WordPress user name"), secret=True),
        SetupField(
            "app_password",
            _lazy("Application password"),
            secret=True,
            kind="password",
            help=_lazy("In WordPress: Users → Profile → Application Passwords. The user must be able to moderate."),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "Sync within seconds (optional): WordPress can call Fédère when a comment arrives, so that Fédère"
                " syncs at once instead of at the next poll. Install contrib/wordpress/federe-notify.php (in"
                " wp-content/mu-plugins) and add to wp-config.php:"
            ),
            "define( 'FEDERE_NOTIFY_URL', '{hook_url}' );",
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.page_size = int_setting(config, "page_size", 100, 2, 100)
        self.recheck_last = int_setting(config, "recheck_last", 100, 0, 10_000)
        self.recheck_days = int_setting(config, "recheck_days", 3, 0, 365)
        self.recheck_max = int_setting(config, "recheck_max", 500, 0, 10_000)
        self._client: WordPressClient | None = None

    @property
    def client(self) -> WordPressClient:
        """Built on first use, so that a missing address is reported as a connector error, in plain words."""
        if self._client is None:
            site = str(self.config.get("site_url") or "").strip()
            if not site.startswith(("http://", "https://")):
                raise Permanent(
                    _("Give the blog's full address, starting with https:// (e.g. https://blog.example.org).")
                )
            self._client = WordPressClient(
                site,
                str(self.credentials.get("username") or ""),
                str(self.credentials.get("app_password") or ""),
                timeout=int_setting(self.config, "timeout", int(TIMEOUT_SECONDS), 1, 120),
                api_url=str(self.config.get("api_url") or ""),
            )
        return self._client

    # -- check ----------------------------------------------------------------------------------------------

    def check(self) -> None:
        try:
            root = self.client.root()
        except NotJson as exc:  # an HTML page where the REST API should be
            raise Permanent(str(NOT_WORDPRESS)) from exc
        if not isinstance(root, dict) or "wp/v2" not in (root.get("namespaces") or []):
            raise Permanent(str(NOT_WORDPRESS))
        me = self.client.me()
        capabilities = me.get("capabilities") if isinstance(me, dict) else None
        if not isinstance(capabilities, dict) or not capabilities.get("moderate_comments"):
            raise Unauthorized(str(NO_RIGHTS))

    # -- fetch ----------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        position = Position.from_cursor(cursor)
        if position.recheck_page:
            return self._recheck(position)
        return self._fetch_new(position)

    def _list(
        self, *, offset: int, per_page: int, order: str = "asc", ids_only: bool = False
    ) -> tuple[list[Any], int | None]:
        params: dict[str, Any] = {
            "context": "edit",  # e-mails and every status; needs moderate_comments
            "status": "any",
            "orderby": "id",
            "order": order,
            "offset": offset,
            "per_page": per_page,
        }
        params.update({"_fields": "id"} if ids_only else {"_embed": "up"})  # up: the post, for its title
        return self.client.list_comments(params)

    def _fetch_new(self, position: Position) -> Batch:
        comments, total, start = self._page_after(position)
        fresh = [c for c in comments if not 0 < _id(c) <= position.last_id]
        items, malformed = self._map(fresh)
        offset = start + len(comments)
        more = offset < total if total is not None else len(comments) >= self.page_size - 1
        recheck = not more and (self.recheck_last > 0 or self.recheck_days > 0) and self.recheck_max > 0
        following = Position(
            last_id=max([position.last_id, *(_id(c) for c in comments)]),
            offset=offset,
            recheck_page=1 if recheck else 0,
        )
        return Batch(items=items, malformed=malformed, cursor=following.to_cursor(), has_more=more or recheck)

    def _page_after(self, position: Position) -> tuple[list[Any], int | None, int]:
        """The comments after the last one stored, the total, and the offset the returned list starts at."""
        if position.offset == 0:
            comments, total = self._list(offset=0, per_page=self.page_size)
            return comments, total, 0
        comments, total = self._list(offset=position.offset - 1, per_page=self.page_size)
        if comments and _id(comments[0]) <= position.last_id:
            return comments[1:], total, position.offset  # the anchor is in place: nothing moved
        # Older comments were deleted for good, so the list moved left: find where the new ones start now.
        high = min(position.offset, total) if total is not None else position.offset
        start = self._first_newer(position.last_id, high)
        comments, total = self._list(offset=start, per_page=self.page_size)
        return comments, total, start

    def _first_newer(self, last_id: int, high: int) -> int:
        """Bisect for the position of the first comment newer than ``last_id`` (one tiny request per step)."""
        low = 0
        while low < high:
            middle = (low + high) // 2
            found, _total = self._list(offset=middle, per_page=1, ids_only=True)
            if found and _id(found[0]) <= last_id:
                low = middle + 1
            else:
                high = middle
        return low

    def _recheck(self, position: Position) -> Batch:
        page, size = position.recheck_page, self.page_size
        comments, _total = self._list(offset=(page - 1) * size, per_page=size, order="desc")
        items, _malformed = self._map(comments)  # malformed ones were reported when they first arrived
        read = (page - 1) * size + len(comments)
        since = datetime.now(UTC) - timedelta(days=self.recheck_days)
        recent = bool(items) and min(item.created_at for item in items) > since
        more = len(comments) == size and read < self.recheck_max and (read < self.recheck_last or recent)
        following = replace(position, recheck_page=page + 1 if more else 0)
        return Batch(items=items, cursor=following.to_cursor(), has_more=more)

    @staticmethod
    def _map(comments: list[Any]) -> tuple[list[Item], list[MalformedItem]]:
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        for comment in comments:
            mapped = map_comment(comment)
            if isinstance(mapped, MalformedItem):
                malformed.append(mapped)
            else:
                items.append(mapped)
        return items, malformed

    # -- reply ----------------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        post = _number(reply.thread_id, "post")
        parent = _number(reply.parent_id, "comment") if reply.parent_id else 0
        data = {"post": post, "parent": parent, "content": reply.body_html, "status": "approved"}
        try:
            created = self.client.create_comment(data)
        except Permanent as exc:
            if exc.code != "comment_duplicate":
                raise
            created = self._already_posted(post, parent, reply.body_html)
        return _published(created)

    def _already_posted(self, post: int, parent: int, body_html: str) -> dict[str, Any]:
        """The comment WordPress calls a duplicate of ours: an earlier attempt whose answer we did not get."""
        me = self.client.me()
        params = {"post": post, "parent": parent, "author": me.get("id"), "status": "any", "context": "edit"}
        comments, _total = self.client.list_comments({**params, "orderby": "id", "order": "desc", "per_page": 20})
        wanted = html_to_text(sanitize_html(body_html))
        for comment in comments:
            content = comment.get("content") if isinstance(comment, dict) else None
            raw = content.get("raw") if isinstance(content, dict) else None
            if isinstance(raw, str) and html_to_text(sanitize_html(raw)) == wanted:
                return comment
        raise Permanent(_("WordPress says this reply was already posted, but Fédère could not find it on the post."))

    # -- publish (wordpress/publishing.py) ------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishResult:
        body = publishing.post_body(post, datetime.now(UTC))  # refused before anything is sent when it cannot go
        found = self.find_published(post)
        if found is not None:
            return found  # an earlier attempt's: WordPress has no idempotency key, its slug is our marker
        return publishing.result_of(self.client.create_post(body))

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        for candidate in self.client.list_posts(publishing.find_params(post)):
            if isinstance(candidate, dict) and candidate.get("slug") == publishing.slug_for(post):
                return publishing.result_of(candidate)
        return None

    # -- moderation -----------------------------------------------------------------------------------------

    def act(self, action: ModerationAction) -> ActionResult:
        if action.kind == ActionKind.BAN:
            raise Permanent(str(NO_BAN))
        comment_id = _number(action.external_id, "comment")
        if action.kind in (ActionKind.REMOVE, ActionKind.DELETE):
            return self._remove(comment_id, hard=action.kind == ActionKind.DELETE)
        target = TARGET_STATUS[action.kind]
        current = self.client.get_comment(comment_id)
        # WordPress answers 500 to a status it already has; and a status-only update would overwrite the
        # commenter's IP address and browser with ours (WordPress 6.1), so we send them back unchanged.
        if current.get("status") == target:
            return ActionResult(done=True, detail=target)
        data: dict[str, Any] = {"status": target}
        for key in ("author_ip", "author_user_agent"):
            if current.get(key):
                data[key] = current[key]
        updated = self.client.update_comment(comment_id, data)
        return ActionResult(done=True, detail=str(updated.get("status") or target))

    def _remove(self, comment_id: int, *, hard: bool) -> ActionResult:
        """To the trash (WordPress empties it after 30 days), or deleted for good when asked."""
        try:
            answer = self.client.delete_comment(comment_id, force=hard)
        except Permanent as exc:
            if exc.code == "rest_already_trashed" or (exc.status == 404 and hard):
                return ActionResult(done=True, detail="deleted" if hard else "trash")
            raise
        return ActionResult(done=True, detail="deleted" if hard else str(answer.get("status") or "trash"))


def _number(value: str, what: str) -> int:
    if not str(value).isdigit() or int(value) <= 0:
        if what == "post":
            raise Permanent(_("%(value)s is not a WordPress post id.") % {"value": repr(value)[:40]})
        raise Permanent(_("%(value)s is not a WordPress comment id.") % {"value": repr(value)[:40]})
    return int(value)


def _published(comment: Any) -> PublishResult:
    if not isinstance(comment, dict) or _id(comment) <= 0:
        raise Permanent(_("WordPress accepted the reply but did not say which comment it created."))
    return PublishResult(
        external_id=str(_id(comment)),
        url=web_url(comment.get("link")),
        created_at=parse_utc(comment.get("date_gmt")),
    )
