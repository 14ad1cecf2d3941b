"""Bluesky (AT Protocol): publish as the brand's account, read the replies and mentions, take down as an admin.

Config: ``service_url`` (the account's server, its PDS: https://bsky.social or your own), ``handle``
(e.g. brand.bsky.social), and optionally ``app_url`` (where posts are seen, default https://bsky.app),
``repos_per_page`` (1-500, default 100), ``records_per_repo`` (1-1000, default 100), ``max_repos`` (the
accounts a server may host for this way of reading to be used, default 5000), ``timeout``.
Credentials: ``app_password`` (Settings → Privacy and security → App passwords), and ``admin_password`` (only
on your own PDS: its admin password, for takedowns).

Publishing: see ``publishing.py`` (idempotent through a record key derived from the delivery).

Reading, without an AppView: ``com.atproto.sync.listRepos`` lists the server's repositories with their
revision; the posts of a repository whose revision changed since the last sync are read with
``com.atproto.repo.listRecords`` (newest first, ``records_per_repo`` at most) and those answering the brand's
posts or mentioning the brand are handed over. The cursor is ``{"revs": {did: rev}, "after": listRepos cursor}``:
a repository that did not change is not read again, so a sync with nothing new reads one page of the list.

Moderation: with the admin password, ``com.atproto.admin.updateSubjectStatus`` takes down a post (REMOVE, a
``strongRef``: uri + cid) or an account (SUSPEND, a ``repoRef``); ``getSubjectStatus`` first, so that asking
twice finds it done. Without it, both are refused in plain words.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.bluesky import publishing
from federe.connectors.bluesky.client import TIMEOUT_SECONDS, BlueskyClient
from federe.connectors.bluesky.mapping import concerns, map_record
from federe.connectors.bluesky.text import count_graphemes
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
from federe.connectors.values import int_setting, web_url

NEEDS_ADMIN = _lazy(
    "Taking down a Bluesky post or account needs the admin password of the server (your own PDS): add it to the"
    " channel's credentials. On a server run by others (bsky.social), report the post in the Bluesky app instead."
)
NOT_READ_ELSEWHERE = _lazy(
    "Bluesky replies and mentions are read from the repositories of the brand's own server (PDS), without an"
    " AppView: those written by accounts hosted on other servers are not seen."
)
NO_CONTENT_WARNING = _lazy("Bluesky has no free-text content warning: only its own labels, which Fédère does not set.")


@register
class BlueskyConnector(Connector):
    key = "bluesky"
    label = "Bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.PUBLISH, Capability.MODERATE}
    )
    verified_against_real_server = True  # tests/connectors/bluesky/test_pds_peer.py, PDS 0.5 (../shared/peers/pds)
    actions = frozenset({ActionKind.REMOVE, ActionKind.SUSPEND})
    publish_is_idempotent = True  # the record key is derived from the delivery, and read back before writing
    limitations = (NOT_READ_ELSEWHERE, NEEDS_ADMIN, NO_CONTENT_WARNING)
    post_rules = PostRules(
        max_length=publishing.MAX_GRAPHEMES,
        count=count_graphemes,
        media_max=publishing.MAX_IMAGES,
        media_max_bytes=publishing.MAX_IMAGE_BYTES,
        alt_text_required=True,
        language=True,
    )
    default_sync_interval_seconds = 5 * 60
    setup_fields = (
        SetupField(
            "service_url",
            _lazy("Server address (PDS)"),
            kind="url",
            help=_lazy("https://bsky.social for most accounts, or your own server's address"),
        ),
        SetupField("handle", _lazy("Handle"), help=_lazy("For example brand.bsky.social")),
        SetupField("app_password", _lazy("App password"), secret=True, kind="password"),
        SetupField(
            "admin_password",
            _lazy("Server admin password (optional)"),
            secret=True,
            required=False,
            kind="password",
            help=_lazy("Only on your own PDS: lets Fédère take down posts and accounts."),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "In Bluesky: Settings → Privacy and security → App passwords → Add. Use that password here, never"
                " the account's own password."
            )
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.repos_per_page = int_setting(config, "repos_per_page", 100, 1, 500)
        self.records_per_repo = int_setting(config, "records_per_repo", 100, 1, 1000)
        self.max_repos = int_setting(config, "max_repos", 5000, 1, 100_000)
        self.app_url = web_url(config.get("app_url", "https://bsky.app")).rstrip("/")
        self._client: BlueskyClient | None = None

    @property
    def handle(self) -> str:
        return str(self.config.get("handle") or "").strip().lstrip("@").lower()

    @property
    def client(self) -> BlueskyClient:
        if self._client is None:
            service = str(self.config.get("service_url") or "").strip()
            if not service.startswith(("http://", "https://")):
                raise Permanent(_("Give the server's full address, starting with https:// (e.g. https://bsky.social)."))
            if not self.handle:
                raise Permanent(_("Give the account's handle, e.g. brand.bsky.social."))
            self._client = BlueskyClient(
                service,
                admin_password=str(self.credentials.get("admin_password") or ""),
                timeout=int_setting(self.config, "timeout", TIMEOUT_SECONDS, 1, 60),
            )
        return self._client

    def _logged_in(self) -> BlueskyClient:
        client = self.client
        if not client.did:
            client.login(self.handle, str(self.credentials.get("app_password") or ""))
        return client

    def _brand_did(self) -> str:
        if self.client.did:
            return self.client.did
        did = self.client.resolve_handle(self.handle)
        if not did:
            raise Permanent(_("The Bluesky server knows no account @%(handle)s.") % {"handle": self.handle[:100]})
        return did

    # -- check ----------------------------------------------------------------------------------------------

    def check(self) -> None:
        client = self._logged_in()
        if client.has_admin:
            client.admin("GET", "com.atproto.admin.getAccountInfo", params={"did": client.did})

    # -- fetch ----------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        cursor = cursor or {}
        stored = cursor.get("revs")
        revs = {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}
        after = str(cursor.get("after") or "")
        brand = self._brand_did()
        page = self.client.list_repos(after, self.repos_per_page)
        repos = [r for r in page.get("repos") or [] if isinstance(r, dict) and isinstance(r.get("did"), str)]
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        if len(revs) + len([r for r in repos if r["did"] not in revs]) > self.max_repos:
            raise Permanent(
                ngettext(
                    "This Bluesky server hosts more than %(count)s account: Fédère reads replies and mentions through"
                    " the repositories of your own server (PDS) only, not of a large shared one.",
                    "This Bluesky server hosts more than %(count)s accounts: Fédère reads replies and mentions through"
                    " the repositories of your own server (PDS) only, not of a large shared one.",
                    self.max_repos,
                )
                % {"count": self.max_repos}
            )
        for repo in repos:
            did, rev = repo["did"], str(repo.get("rev") or repo.get("head") or "")
            if did == brand or (rev and revs.get(did) == rev) or repo.get("active") is False:
                continue
            found, bad = self._read_repo(did, brand)
            items += found
            malformed += bad
            revs[did] = rev
        following = str(page.get("cursor") or "") if len(repos) >= self.repos_per_page else ""
        items.sort(key=lambda item: item.created_at)
        return Batch(
            items=items, malformed=malformed, cursor={"revs": revs, "after": following}, has_more=bool(following)
        )

    def _read_repo(self, did: str, brand: str) -> tuple[list[Item], list[MalformedItem]]:
        records: list[Any] = []
        after = ""
        while len(records) < self.records_per_repo:
            page = self.client.list_records(did, after, min(100, self.records_per_repo - len(records)))
            batch = [r for r in page.get("records") or [] if isinstance(r, dict)]
            records += batch
            after = str(page.get("cursor") or "")
            if not after or not batch:
                break
        about = [r for r in records if concerns(r.get("value"), brand)]
        if not about:
            return [], []
        handle = str(self.client.describe_repo(did).get("handle") or "")
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        for record in about:
            mapped = map_record(record, handle=handle, app_url=self.app_url)
            (malformed if isinstance(mapped, MalformedItem) else items).append(mapped)  # type: ignore[arg-type]
        return items, malformed

    # -- publish --------------------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishResult:
        return publishing.publish(self._logged_in(), post, self.app_url)

    def reply(self, reply: OutgoingReply) -> PublishResult:
        """A reply from the inbox: a post answering the message (its thread's first post when it has no parent)."""
        answer = OutgoingPost(
            reply.body_html, idempotency_key=reply.idempotency_key, reply_to=reply.parent_id or reply.thread_id
        )
        return self.publish(answer)

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        self.client.did = self.client.did or self._brand_did()
        return publishing.published(self.client, post, self.app_url)

    # -- moderation -----------------------------------------------------------------------------------------

    def act(self, action: ModerationAction) -> ActionResult:
        client = self.client
        if not client.has_admin:
            raise Permanent(str(NEEDS_ADMIN))
        suspend = action.kind == ActionKind.SUSPEND
        did = (action.author_id or publishing.split_uri(action.external_id)[0]) if suspend else ""
        if self._taken_down({"did": did} if suspend else {"uri": action.external_id}):
            return ActionResult(done=True, detail="takendown")  # asked twice: done the first time
        subject = {"$type": "com.atproto.admin.defs#repoRef", "did": did} if suspend else self._strong_ref(action)
        takedown = {"applied": True, "ref": (action.reason or "federe")[:100]}
        client.admin("POST", "com.atproto.admin.updateSubjectStatus", body={"subject": subject, "takedown": takedown})
        return ActionResult(done=True, detail="takendown")

    def _strong_ref(self, action: ModerationAction) -> dict[str, str]:
        repo, collection, rkey = publishing.split_uri(action.external_id)
        record = self.client.get_record(repo, rkey, collection)
        if record is None or not record.get("cid"):
            raise Permanent(_("This Bluesky post no longer exists."))
        return {"$type": "com.atproto.repo.strongRef", "uri": action.external_id, "cid": str(record["cid"])}

    def _taken_down(self, query: dict[str, str]) -> bool:
        try:
            status = self.client.admin("GET", "com.atproto.admin.getSubjectStatus", params=query)
        except Permanent as exc:
            if exc.status in (400, 404):  # "Subject not found": never moderated
                return False
            raise
        takedown = status.get("takedown") if isinstance(status, dict) else None
        return isinstance(takedown, dict) and bool(takedown.get("applied"))
