"""Discord: a bot in a server. Read its chosen channels, reply, moderate, post.

Built to Discord's published API v10 (discord.com/developers/docs; ``client.py`` names each endpoint) and tested on
payloads written from it (tests/connectors/discord/fixtures/README.md): our machines cannot reach Discord, so
``verified_against_real_server`` is False and the channel page says so.

Config: ``guild_id`` (the server), ``targets`` (the channel ids to read, chosen on the channel page from
``list_targets``; none: every text channel), ``publish_channel`` (where posts go; default: the first target),
``window_minutes`` (the silence that starts a new thread, 30), ``mute_days`` (1, 28 at most). Credentials:
``bot_token`` (Developer Portal → the application → Bot → Reset Token).

Reading polls each channel (no gateway: a websocket connection is out of scope). The cursor keeps, per channel, the
last message id read: the next sync asks ``after`` it (100 a page, oldest first once sorted); a channel read for the
first time gives its latest ``backfill`` messages (50) only. Threads are conversation windows (``windows.py``).

Posts and replies carry a ``nonce`` derived from the idempotency key with ``enforce_nonce``: Discord returns the
message it already made with that nonce "in the past few minutes" instead of a second one. That holds minutes, not
the hours a delivery may wait, so ``publish_is_idempotent`` is False: before a retry, ``find_published`` looks for
the bot's message with the same text among the channel's latest 50.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import windows
from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.discord import mapping
from federe.connectors.discord.client import TIMEOUT_SECONDS, DiscordClient
from federe.connectors.discord.moderation import act
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
    Target,
)
from federe.connectors.values import int_setting, parse_utc, sendable_text
from federe.core.html import html_to_text

PAGE_SIZE = 100  # Get Channel Messages' largest limit
MAX_TEXT = 2000  # a message's content
SEARCHED = 50  # the latest messages find_published looks through
NO_MENTIONS: dict[str, list[str]] = {"parse": []}  # a reply never pings @everyone, roles or users by accident


@register
class DiscordConnector(Connector):
    key = "discord"
    label = "Discord"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = False  # built to discord.com/developers/docs; Discord is out of our reach
    actions = frozenset({ActionKind.DELETE, ActionKind.BAN, ActionKind.UNBAN, ActionKind.KICK, ActionKind.MUTE})
    # One request per channel and sync; Discord's per-route buckets allow a few a second and its global limit 50 a
    # second, so a minute is far inside them for a handful of channels, and fresh enough for a chat.
    default_sync_interval_seconds = 60
    post_rules = PostRules(max_length=MAX_TEXT)
    targets_label = _lazy("Channels")
    limitations = (
        _lazy(
            "Discord sends a message's text to a bot only when the bot has the Message Content intent (Developer"
            " Portal → Bot → Privileged Gateway Intents); without it, messages that do not mention the bot arrive"
            " without their text."
        ),
        _lazy(
            "Fédère reads by polling each chosen channel, not through Discord's gateway: the first sync of a channel"
            " reads its latest 50 messages only, and threads and forum posts are not read."
        ),
        _lazy(
            "Discord honours a post's nonce for a few minutes only: after a lost answer, Fédère looks for the bot's"
            " message with the same text among the channel's latest 50 before posting again."
        ),
        _lazy("A timeout (mute) lasts 28 days at most; Fédère does not upload images to Discord yet."),
    )
    setup_fields = (
        SetupField(
            "bot_token",
            _lazy("Bot token"),
            secret=True,
            kind="password",
            help=_lazy("Developer Portal → your application → Bot → Reset Token"),
        ),
        SetupField("guild_id", _lazy("Server id"), help=_lazy("Right-click the server → Copy Server ID")),
        SetupField(
            "publish_channel",
            _lazy("Post to (channel id)"),
            required=False,
            help=_lazy("The first chosen channel otherwise"),
        ),
        SetupField(
            "window_minutes",
            _lazy("New thread after (minutes of silence)"),
            required=False,
            help=_lazy("A chat silent this long starts a new conversation thread; 30 by default"),
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "In the Discord Developer Portal, create an application, then under Bot: Reset Token (copy it) and"
                " switch on the Message Content intent, without which the bot reads no message's text."
            )
        ),
        SetupStep(
            _lazy(
                "Invite the bot to the server (OAuth2 → URL Generator, scope “bot”) with the permissions View"
                " Channels, Read Message History, Send Messages, Manage Messages, Kick Members, Ban Members and"
                " Moderate Members. Server ids are shown once Developer Mode is on (User Settings → Advanced)."
            ),
            "https://discord.com/developers/applications",
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.silence = timedelta(minutes=int_setting(config, "window_minutes", windows.DEFAULT_WINDOW_MINUTES, 1, 1440))
        self._client: DiscordClient | None = None

    @property
    def client(self) -> DiscordClient:
        """Built on first use, so that a missing token is reported as a connector error."""
        if self._client is None:
            token = str(self.credentials.get("bot_token") or "").strip()
            if not token or any(c.isspace() for c in token):
                raise Unauthorized(_("This channel has no Discord bot token: paste the one the Developer Portal gave."))
            self._client = DiscordClient(token, timeout=int_setting(self.config, "timeout", TIMEOUT_SECONDS, 1, 60))
        return self._client

    @property
    def guild_id(self) -> str:
        guild = mapping.snowflake(str(self.config.get("guild_id") or "").strip())
        if not guild:
            raise Permanent(_("Give the Discord server's id (a number: right-click the server → Copy Server ID)."))
        return guild

    def check(self) -> None:
        """The token works (GET /users/@me) and the bot is in the server (GET /guilds/{id})."""
        self.client.me()
        self.client.guild(self.guild_id)

    def list_targets(self) -> list[Target]:
        """The server's text and announcement channels (GET /guilds/{id}/channels)."""
        targets = []
        for channel in self.client.channels(self.guild_id):
            if isinstance(channel, dict) and channel.get("type") in mapping.TEXT_CHANNELS:
                channel_id = mapping.snowflake(channel.get("id"))
                if channel_id:
                    detail = _("announcements") if channel.get("type") == 5 else str(channel.get("topic") or "")[:80]
                    targets.append(Target(id=channel_id, name=f"#{channel.get('name') or channel_id}", detail=detail))
        return targets

    def _chosen(self) -> list[str]:
        """The channels chosen in the channel's settings (none: every text channel is read)."""
        chosen = self.config.get("targets")
        return [c for c in (mapping.snowflake(t) for t in chosen) if c] if isinstance(chosen, list) else []

    def _channels(self) -> dict[str, str]:
        """The channels to read (the chosen ones, else every text channel), with their names."""
        names = {target.id: target.name for target in self.list_targets()}
        chosen = self._chosen()
        return {c: names.get(c, f"#{c}") for c in chosen} if chosen else names

    # -- reading -------------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        cursor = cursor or {}
        guild = self.guild_id
        last_ids = {k: v for k, v in (cursor.get("channels") or {}).items() if mapping.snowflake(v)}
        state = {chat: list(pair) for chat, pair in (cursor.get("windows") or {}).items()}
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        has_more = False
        backfill = int_setting(self.config, "backfill", 50, 1, PAGE_SIZE)
        chosen = self._chosen()
        for channel, name in self._channels().items():
            after = last_ids.get(channel, "")
            try:
                page = self.client.messages(channel, after=after, limit=PAGE_SIZE if after else backfill)
            except Permanent as exc:  # one channel deleted or closed to the bot: the others are still read
                if chosen:
                    words = _("The channel %(name)s could not be read: %(error)s")
                    malformed.append(MalformedItem(reason=words % {"name": name, "error": exc.message}))
                continue  # every text channel was asked for: one the bot may not see is not an error
            has_more = has_more or (bool(after) and len(page) >= PAGE_SIZE)
            page = sorted(
                (m for m in page if isinstance(m, dict)), key=lambda m: int(mapping.snowflake(m.get("id")) or 0)
            )
            for message in page:
                message_id = mapping.snowflake(message.get("id"))
                if not message_id:
                    malformed.append(MalformedItem(reason=_("A Discord message without an id.")))
                    continue
                last_ids[channel] = message_id
                if not mapping.readable(message):
                    continue
                try:
                    items.append(self._item(message, guild, (channel, name), state))
                except (KeyError, TypeError, ValueError):
                    reason = _("A Discord message that cannot be read.")
                    malformed.append(MalformedItem(reason=reason, external_id=mapping.ref(channel, message_id)))
        return Batch(
            items=items, malformed=malformed, cursor={"channels": last_ids, "windows": state}, has_more=has_more
        )

    def _item(self, message: dict[str, Any], guild: str, channel: tuple[str, str], state: dict[str, Any]) -> Item:
        """The item, in its channel's conversation window; ``channel`` is (id, name)."""
        at = mapping.created_at(message)
        thread = windows.thread_for(state, channel[0], at, self.silence)
        name = channel[1]
        start = windows.window_start(thread) or at
        return mapping.item_of(message, guild, thread, f"{name} · {start:%Y-%m-%d %H:%M} UTC")

    # -- writing -------------------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        channel, parent = mapping.split_ref(reply.parent_id)
        channel = channel or windows.channel_of(reply.thread_id)
        if not mapping.snowflake(channel):
            raise Permanent(_("This message is not in a Discord channel this connection reads."))
        data: dict[str, Any] = {"content": _text(html_to_text(reply.body_html)), "allowed_mentions": NO_MENTIONS}
        data |= {"nonce": _nonce(reply.idempotency_key), "enforce_nonce": True}
        if parent:
            data["message_reference"] = {"message_id": parent, "channel_id": channel, "fail_if_not_exists": False}
        return self._sent(self.client.create_message(channel, data))

    def _publish_channel(self, post: OutgoingPost) -> str:
        given = post.options.get("channel") or self.config.get("publish_channel")
        targets = self.config.get("targets") if isinstance(self.config.get("targets"), list) else []
        channel = mapping.snowflake(str(given or (targets[0] if targets else "")).strip())
        if not channel:
            raise Permanent(_("Choose the Discord channel posts go to (its id), or a channel to read."))
        return channel

    def publish(self, post: OutgoingPost) -> PublishResult:
        content = _text(post.body_text.strip() or html_to_text(post.body_html))
        data = {"content": content, "allowed_mentions": NO_MENTIONS, "nonce": _nonce(post.idempotency_key)}
        return self._sent(self.client.create_message(self._publish_channel(post), {**data, "enforce_nonce": True}))

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        """The bot's message with this post's nonce or text among the channel's latest ``SEARCHED``."""
        channel = self._publish_channel(post)
        content = _text(post.body_text.strip() or html_to_text(post.body_html))
        me = mapping.snowflake(self.client.me().get("id"))
        for message in self.client.messages(channel, limit=SEARCHED):
            if not isinstance(message, dict) or mapping.author_of(message).external_id != me:
                continue
            if message.get("nonce") == _nonce(post.idempotency_key) or message.get("content") == content:
                return self._sent(message)
        return None

    def _sent(self, message: dict[str, Any]) -> PublishResult:
        message_id, channel = mapping.snowflake(message.get("id")), mapping.snowflake(message.get("channel_id"))
        if not message_id or not channel:
            raise Permanent(_("Discord accepted the message but did not say which message it created."))
        guild = mapping.snowflake(self.config.get("guild_id"))
        return PublishResult(
            external_id=mapping.ref(channel, message_id),
            url=f"https://discord.com/channels/{guild}/{channel}/{message_id}" if guild else "",
            created_at=parse_utc(message.get("timestamp")),
        )

    def act(self, action: ModerationAction) -> ActionResult:
        guild = mapping.snowflake(self.config.get("guild_id"))
        return act(self.client, action, guild, mute_days=int_setting(self.config, "mute_days", 1, 1, 28))


def _nonce(key: str) -> str:
    """Discord's nonce holds 25 characters at most: a digest of the delivery's idempotency key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:25]


def _text(text: str) -> str:
    return sendable_text(text, limit=MAX_TEXT, network="Discord")
