"""Telegram: a bot in groups and channels. Read their messages, reply, moderate, post.

Built to the published Telegram Bot API (core.telegram.org/bots/api; ``client.py`` names each method) and tested on
payloads written from it (tests/connectors/telegram/fixtures/README.md): our machines cannot reach Telegram, so
``verified_against_real_server`` is False and the channel page says so.

Config: ``chats`` (the groups and channels to read, by id ``-100…`` or ``@username``, separated by spaces),
``publish_chat`` (where posts go; default: the first chat), ``window_minutes`` (the silence that starts a new
thread, 30), ``mute_days`` (1). Credentials: ``bot_token`` (from @BotFather).

Reading is by polling getUpdates (no webhook: Fédère may run where Telegram cannot reach it). The cursor keeps the
next ``offset``: Telegram forgets the updates below it only when the next getUpdates sends it, that is after Fédère
has stored the page, so a crash between the two reads the page again (stored once: ids are stable). Updates from
other chats are confirmed and dropped. Telegram keeps updates 24 hours at most: when the last read is older than
that, what was said in between may be lost, and the cursor records that period as a gap (``gaps``, shown on the
channel's health like IRC's). ``read_hour`` (the hour of the last read, UTC) is kept to the hour so that reading
the same page twice gives the same cursor.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import windows
from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.registry import register
from federe.connectors.telegram import logs, mapping
from federe.connectors.telegram.client import TIMEOUT_SECONDS, TelegramClient
from federe.connectors.telegram.moderation import act
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
from federe.connectors.values import int_setting, sendable_text
from federe.core.html import html_to_text

logs.install()  # httpx logs each address, and the token is in it

PAGE_SIZE = 100  # getUpdates' largest limit
KEPT_HOURS = 24  # how long Telegram keeps an update it was not asked for
KEPT_GAPS = 10
MAX_TEXT = 4096  # sendMessage's text, in characters after entity parsing


@register
class TelegramConnector(Connector):
    key = "telegram"
    label = "Telegram"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = False  # built to core.telegram.org/bots/api; Telegram is out of our reach
    actions = frozenset({ActionKind.DELETE, ActionKind.BAN, ActionKind.UNBAN, ActionKind.KICK, ActionKind.MUTE})
    # getUpdates has no published limit of its own; one call a minute keeps far inside the 24 hours of history.
    default_sync_interval_seconds = 60
    post_rules = PostRules(max_length=MAX_TEXT)
    limitations = (
        _lazy(
            "Telegram keeps a bot's updates 24 hours at most: when Fédère does not read for longer, what was said"
            " meanwhile is lost, and the channel's health shows that period."
        ),
        _lazy(
            "A bot sees every message of a group only when its privacy mode is off or it is an administrator;"
            " otherwise it sees commands and replies to itself only."
        ),
        _lazy("A bot cannot read a chat's history: Fédère reads what is said from the moment the bot is added."),
        _lazy(
            "Edits made after Fédère read a message are not picked up; a bot deletes others' messages only"
            " within 48 hours."
        ),
        _lazy(
            "Telegram has no idempotency key and a bot cannot search a chat: a post whose sending was cut off is"
            " left for a person to check, never sent twice."
        ),
        _lazy("Muting works in supergroups only; ban, mute and delete need the bot to be an administrator."),
    )
    setup_fields = (
        SetupField(
            "bot_token",
            _lazy("Bot token"),
            secret=True,
            kind="password",
            help=_lazy("From @BotFather: /newbot, or /token for an existing bot"),
        ),
        SetupField(
            "chats",
            _lazy("Groups and channels"),
            help=_lazy("Separated by spaces: @username for public ones, the id (-100…) for private ones"),
        ),
        SetupField(
            "publish_chat", _lazy("Post to"), required=False, help=_lazy("A group or channel; the first one otherwise")
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
            _lazy("In Telegram, open @BotFather and send /newbot (or /token for your bot): copy its token."), "/newbot"
        ),
        SetupStep(
            _lazy(
                "Still in @BotFather: /setprivacy → your bot → Disable, so that the bot sees every message of a"
                " group (an administrator bot sees them anyway)."
            ),
            "/setprivacy",
        ),
        SetupStep(
            _lazy(
                "Add the bot to each group as an administrator with the rights to delete messages and ban users, and"
                " to each channel as an administrator who may post. A private group's id is shown by the group's"
                " web address in web.telegram.org (-100…)."
            )
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.silence = timedelta(minutes=int_setting(config, "window_minutes", windows.DEFAULT_WINDOW_MINUTES, 1, 1440))
        self._client: TelegramClient | None = None

    @property
    def client(self) -> TelegramClient:
        """Built on first use, so that a missing token is reported as a connector error."""
        if self._client is None:
            token = str(self.credentials.get("bot_token") or "").strip()
            if not token:
                raise Unauthorized(_("This channel has no Telegram bot token: paste the one @BotFather gave."))
            self._client = TelegramClient(token, timeout=int_setting(self.config, "timeout", TIMEOUT_SECONDS, 1, 60))
        return self._client

    @property
    def chats(self) -> list[str]:
        chats = [chat.lower() if chat.startswith("@") else chat for chat in str(self.config.get("chats") or "").split()]
        if not chats:
            raise Permanent(_("Give at least one Telegram group or channel: @username, or its id (-100…)."))
        return chats

    def check(self) -> None:
        """The token works (getMe) and the bot can see each chat (getChat)."""
        self.client.get_me()
        for chat in self.chats:
            self.client.get_chat(chat)

    # -- reading -------------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        chosen = frozenset(self.chats)
        cursor = cursor or {}
        offset = mapping.integer(cursor.get("offset")) or None
        state = {chat: list(pair) for chat, pair in (cursor.get("windows") or {}).items()}
        gaps = self._gaps(cursor)
        updates = self.client.get_updates(offset, PAGE_SIZE)
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        for update in updates:
            update_id = mapping.integer(update.get("update_id")) if isinstance(update, dict) else 0
            if not update_id:
                malformed.append(MalformedItem(reason=_("A Telegram update without an id.")))
                continue
            offset = max(offset or 0, update_id + 1)
            message = mapping.message_of(update)
            if message is None or not isinstance(message.get("chat"), dict):
                continue  # another kind of update, asked for by an earlier program: nothing to read
            if not mapping.chat_matches(message["chat"], chosen):
                continue
            try:
                items.append(self._item(message, state))
            except (KeyError, TypeError, ValueError, OverflowError, OSError):
                malformed.append(
                    MalformedItem(reason=_("A Telegram message that cannot be read."), external_id=str(update_id))
                )
        return Batch(
            items=items,
            malformed=malformed,
            cursor={"offset": offset, "windows": state, "gaps": gaps, "read_hour": _hour(datetime.now(UTC))},
            has_more=len(updates) >= PAGE_SIZE,
        )

    def _item(self, message: dict[str, Any], state: dict[str, Any]) -> Item:
        chat = message["chat"]
        at = mapping.created_at(message)
        thread = windows.thread_for(state, str(mapping.integer(chat["id"])), at, self.silence)
        start = windows.window_start(thread) or at
        return mapping.item_of(message, thread, f"{mapping.chat_name(chat)} · {start:%Y-%m-%d %H:%M} UTC")

    @staticmethod
    def _gaps(cursor: Cursor) -> list[list[str]]:
        """The cursor's gaps, and a new one when the last read is older than what Telegram keeps."""
        gaps = [list(gap) for gap in cursor.get("gaps") or []]
        try:
            last = datetime.fromisoformat(str(cursor.get("read_hour")))
        except ValueError:
            return gaps
        # The last read was within the hour after ``read_hour``; what is older than 24 hours now was dropped.
        start, end = last + timedelta(hours=1), datetime.now(UTC) - timedelta(hours=KEPT_HOURS)
        if end > start:
            gaps = [*gaps, [start.isoformat(), _hour(end)]][-KEPT_GAPS:]
        return gaps

    # -- writing -------------------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        chat, parent = mapping.split_ref(reply.parent_id)
        chat = chat or windows.channel_of(reply.thread_id)
        if not chat:
            raise Permanent(_("This message is not in a Telegram chat this channel follows."))
        return self._sent(self.client.send_message(chat, _text(reply.body_html), reply_to=parent or None))

    def publish(self, post: OutgoingPost) -> PublishResult:
        chat = str(post.options.get("chat") or self.config.get("publish_chat") or self.chats[0]).strip()
        text = post.body_text.strip() or html_to_text(post.body_html)
        return self._sent(self.client.send_message(chat, _text_checked(text)))

    def _sent(self, message: dict[str, Any]) -> PublishResult:
        found = message.get("chat")
        chat: dict[str, Any] = found if isinstance(found, dict) else {}
        message_id, chat_id = mapping.integer(message.get("message_id")), mapping.integer(chat.get("id"))
        if not message_id or not chat_id:
            raise Permanent(_("Telegram accepted the message but did not say which message it created."))
        return PublishResult(
            external_id=mapping.ref(chat_id, message_id),
            url=mapping.message_url(chat, message_id),
            created_at=mapping.created_at(message),
        )

    def act(self, action: ModerationAction) -> ActionResult:
        chat, message_id = mapping.split_ref(action.external_id)
        chat = chat or windows.channel_of(action.thread_id)
        if not chat:
            raise Permanent(_("This message does not say which Telegram chat it is in."))
        mute_days = int_setting(self.config, "mute_days", 1, 1, 366)
        return act(self.client, action, chat, message_id, mute_days=mute_days)


def _text(body_html: str) -> str:
    return _text_checked(html_to_text(body_html))


def _text_checked(text: str) -> str:
    return sendable_text(text, limit=MAX_TEXT, network="Telegram")


def _hour(at: datetime) -> str:
    return at.replace(minute=0, second=0, microsecond=0).isoformat()
