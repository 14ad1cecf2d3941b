"""Mastodon (and servers with its client API) as a listening source (hashtag timelines and search) and a channel
to publish on (``publishing.py``: statuses with content warning, visibility, language and media, sent once thanks
to the delivery's ``Idempotency-Key``).

Config: ``instance_url`` (required, e.g. https://mastodon.social), ``hashtags`` and/or ``search_terms``
(comma-separated; at least one of them, unless the channel only publishes: then the token is enough), ``limit``
(statuses per request, 1-40, default 40), ``timeout`` (seconds, default 10). Credentials: ``access_token``
(optional to listen: many servers allow status search only to logged-in apps, and some hide hashtag timelines
from anonymous readers; needed to publish, with the write:statuses and write:media scopes).

Calls: ``GET /api/v1/timelines/tag/:hashtag`` (public statuses with the tag) and
``GET /api/v2/search?q=…&type=statuses`` (full-text search; needs a token and a search backend on most servers).

The cursor
----------
``{"sources": {"tag:<name>": {"min_id": W}, "search:<terms>": {"min_id": W, "max_id": M, "top": T}}}``

* The first sync of a source reads only its latest page (no history) and remembers the newest id ``W``.
* **Hashtags**: ``min_id=W`` returns the statuses immediately after ``W``, oldest side first, so each page moves
  ``W`` forward with no gap; ``has_more`` while pages are full.
* **Search** results are not guaranteed in id order, so a window (``W``, newest] is read backwards: a full page
  sets ``max_id`` to its oldest id and remembers the newest id seen (``T``); when a page is not full, the window
  is complete and ``W`` becomes ``T``.
* A status found by several sources is handed over once per page (and stored once: ingest is idempotent).

Rate limits (HTTP 429) become ``RateLimited`` with the wait from ``X-RateLimit-Reset``.

Takahē (recorded): the hashtag timeline and search need a token; the hashtag timeline has no replies; search
finds no statuses by words and answers nothing to ``min_id``/``max_id``, so search terms find nothing there.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupField
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.mastodon import publishing
from federe.connectors.mastodon.client import TIMEOUT_SECONDS, MastodonClient
from federe.connectors.mastodon.mapping import map_status
from federe.connectors.registry import register
from federe.connectors.types import Batch, Cursor, Item, MalformedItem, Media, OutgoingPost, PostRules, PublishResult
from federe.connectors.values import int_setting

MAX_SOURCES = 10
_HASHTAG = re.compile(r"^[^\W_][\w·]*$|^_[\w·]+$")


def _id_key(value: str) -> tuple[int, int, str]:
    """Mastodon ids are numeric strings (snowflakes); compare them as numbers, anything else as text."""
    return (1, int(value), "") if value.isdigit() else (0, 0, value)


def _newest(*values: Any) -> str:
    ids = [str(v) for v in values if isinstance(v, str | int) and not isinstance(v, bool) and str(v)]
    return max(ids, key=_id_key) if ids else ""


def _oldest(values: list[str]) -> str:
    return min(values, key=_id_key) if values else ""


def parse_hashtags(value: Any) -> list[str]:
    names = [part.strip().lstrip("#") for part in re.split(r"[,\s]+", str(value or "")) if part.strip().lstrip("#")]
    bad = [name for name in names if not _HASHTAG.match(name)]
    if bad:
        raise Permanent(
            _("%(tag)s is not a hashtag: use letters, digits and underscores, e.g. #federe.") % {"tag": bad[0][:40]}
        )
    return list(dict.fromkeys(names))


def parse_terms(value: Any) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in str(value or "").split(",") if part.strip()))


@register
class MastodonConnector(Connector):
    key = "mastodon"
    label = _lazy("Mastodon (hashtags, search and publishing)")
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ, Capability.PUBLISH})
    post_rules = PostRules(
        max_length=publishing.MAX_CHARACTERS,
        count=publishing.mastodon_length,
        media_max=publishing.MAX_MEDIA,
        content_warning=True,
        visibilities=publishing.VISIBILITIES,
        language=True,
    )
    # Run against a live Takahē 0.11 (Mastodon client API; ../shared/peers/takahe): tests/connectors/mastodon/
    # test_takahe_peer.py (marker ``peers``, not in CI: Takahē cannot be installed there), and replayed in CI from
    # the answers recorded on it (fixtures/recorded_takahe_*, test_recorded.py). Not yet run against Mastodon
    # itself: media, declared languages, boosts in timelines, rate limits and full-text search are only covered
    # by payloads written from Mastodon's documentation.
    verified_against_real_server = True
    publish_is_idempotent = True  # the delivery's Idempotency-Key, kept an hour per account by Mastodon
    limitations = (
        _lazy(
            "Each status is sent with its delivery's Idempotency-Key, which Mastodon keeps an hour: a retry after a"
            " lost answer gives back the first status. Servers that ignore the key (Takahē 0.11) would show it twice."
        ),
    )
    default_sync_interval_seconds = 5 * 60
    setup_fields = (
        SetupField(
            "instance_url", _lazy("Server address"), kind="url", help=_lazy("For example https://mastodon.social")
        ),
        SetupField(
            "hashtags",
            _lazy("Hashtags"),
            required=False,
            help=_lazy("Comma-separated, without or with #: federe, fediverse"),
        ),
        SetupField(
            "search_terms",
            _lazy("Search terms"),
            required=False,
            help=_lazy("Comma-separated. Most servers search statuses only with an access token."),
        ),
        SetupField(
            "access_token",
            _lazy("Access token (optional)"),
            secret=True,
            required=False,
            kind="password",
            help=_lazy(
                "On your server: Preferences → Development → New application: the read scope to listen, and"
                " write:statuses and write:media to publish."
            ),
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.limit = int_setting(config, "limit", 40, 1, 40)
        self._client: MastodonClient | None = None

    @property
    def instance_url(self) -> str:
        return str(self.config.get("instance_url") or "").strip().rstrip("/")

    @property
    def instance_host(self) -> str:
        return (urlsplit(self.instance_url).hostname or "").lower()

    @property
    def client(self) -> MastodonClient:
        if self._client is None:
            if not self.instance_url.startswith(("http://", "https://")):
                raise Permanent(
                    _("Give the server's full address, starting with https:// (e.g. https://mastodon.social).")
                )
            self._client = MastodonClient(
                self.instance_url,
                str(self.credentials.get("access_token") or "").strip(),
                timeout=int_setting(self.config, "timeout", TIMEOUT_SECONDS, 1, 60),
            )
        return self._client

    def sources(self) -> list[tuple[str, str, str]]:
        """(key, kind, value) for each hashtag and search term."""
        found = [(f"tag:{tag.lower()}", "tag", tag) for tag in parse_hashtags(self.config.get("hashtags"))]
        found += [(f"search:{term}", "search", term) for term in parse_terms(self.config.get("search_terms"))]
        if not found and not self.credentials.get("access_token"):  # with a token, a channel may only publish
            raise Permanent(_("Give at least one hashtag or one search term to listen to."))
        if len(found) > MAX_SOURCES:
            raise Permanent(
                _("At most %(count)s hashtags and search terms per channel: create another channel for the rest.")
                % {"count": MAX_SOURCES}
            )
        return list(dict.fromkeys(found))

    # -- check ----------------------------------------------------------------------------------------------

    def check(self) -> None:
        sources = self.sources()
        instance = self.client.instance()
        if not isinstance(instance, dict) or not (instance.get("uri") or instance.get("domain")):
            raise Permanent(
                _("%(site)s does not look like a Mastodon server (no instance information).")
                % {"site": self.instance_url}
            )
        if self.client.token:
            self.client.verify_app()
        for _key, kind, value in sources:
            self._read(kind, value, {"limit": 1})

    # -- fetch ----------------------------------------------------------------------------------------------

    def _read(self, kind: str, value: str, params: dict[str, Any]) -> list[Any]:
        if kind == "tag":
            return self.client.tag_timeline(quote(value, safe=""), params)
        return self.client.search_statuses(value, params)

    def fetch(self, cursor: Cursor | None) -> Batch:
        previous = (cursor or {}).get("sources")
        previous = previous if isinstance(previous, dict) else {}
        states: dict[str, dict[str, str]] = {}
        items: dict[str, Item] = {}
        malformed: list[MalformedItem] = []
        more = False
        for key, kind, value in self.sources():
            stored = previous.get(key)
            stored = stored if isinstance(stored, dict) else {}
            state = {k: str(v) for k, v in stored.items() if isinstance(v, str | int) and not isinstance(v, bool)}
            statuses = self._read(kind, value, self._params(kind, state))
            ids = [str(s["id"]) for s in statuses if isinstance(s, dict) and isinstance(s.get("id"), str | int)]
            states[key], source_more = self._advance(kind, state, ids)
            more = more or source_more
            for status in statuses:
                mapped = map_status(status, instance_host=self.instance_host, source=key)
                if isinstance(mapped, MalformedItem):
                    malformed.append(mapped)
                elif mapped.external_id in items:
                    items[mapped.external_id].raw["sources"].append(key)
                else:
                    items[mapped.external_id] = mapped
        ordered = sorted(items.values(), key=lambda item: item.created_at)
        return Batch(items=ordered, malformed=malformed, cursor={"sources": states}, has_more=more)

    def _params(self, kind: str, state: dict[str, str]) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": self.limit}
        if state.get("min_id"):
            params["min_id"] = state["min_id"]
        if kind == "search" and state.get("max_id"):
            params["max_id"] = state["max_id"]
        return params

    def _advance(self, kind: str, state: dict[str, str], ids: list[str]) -> tuple[dict[str, str], bool]:
        """The source's next state, and whether more statuses wait."""
        floor = state.get("min_id", "")
        if not floor:  # first read: the latest page only, no history
            return {"min_id": _newest(*ids)} if ids else {}, False
        full = len(ids) >= self.limit
        if kind == "tag":
            return {"min_id": _newest(floor, *ids)}, full
        top = _newest(state.get("top"), *ids)
        if full:
            return {"min_id": floor, "max_id": _oldest(ids), "top": top}, True
        return {"min_id": _newest(floor, top)}, False

    # -- publish (mastodon/publishing.py) -------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishResult:
        if not self.client.token:
            raise Permanent(_("Publishing on Mastodon needs an access token with the write:statuses scope."))
        publishing.check_media(post.media)
        publishing.status_body(post, ["-"] * len(post.media))  # refused before any upload when it cannot go
        media_ids = [self._upload(media) for media in post.media]
        body = publishing.status_body(post, media_ids)
        status = self.client.send("/api/v1/statuses", json=body, idempotency_key=post.idempotency_key)
        return publishing.result_of(status)

    def _upload(self, media: Media) -> str:
        fields = {"description": media.alt_text.strip()[:1500]} if media.alt_text.strip() else {}
        data = publishing.read_media(media)
        content_type, body = publishing.multipart(fields, "file", media.path.name, media.mime_type, data)
        attachment = self.client.send("/api/v2/media", content=body, content_type=content_type)
        if not isinstance(attachment, dict) or not attachment.get("id"):
            raise Permanent(_("The Mastodon server did not say which media it kept."))
        publishing.wait_until_processed(self.client.get, attachment)
        return str(attachment["id"])
