"""IRC channels: the worker's live bot listens, syncs read what it heard, replies and moderation connect briefly.

Config: ``host``, ``port`` (6667, or 6697 with TLS), ``tls`` (yes/no), ``nick`` (the bot's), ``channels``
(``#a #b``), ``window_minutes`` (the silence that starts a new thread, 30 by default: ``windows.py``),
``oper_name``. Credentials: ``oper_password`` (IRC operator, for moderation on servers where the bot is not
chanop), ``sasl_user`` and ``sasl_password`` (SASL PLAIN), ``nickserv_password`` (NickServ IDENTIFY),
``server_password`` (PASS). ``check`` also chooses the channel's ``spool`` name once (kept in its config).

Reading: IRC keeps no history (RFC 2812 has no command to read the past), so the worker keeps one live connection
per channel (``bot.py``, started through ``Connector.listen``) that writes every line it hears to a spool on
disk (``spool.py``); ``fetch`` reads the spool after the cursor's sequence number (from the byte offset the
cursor keeps), 200 lines a page. A message's
id is ``<channel> <nick> <digest>``, the digest of (server, channel, nick, time, text, sequence): read twice, the
same id, so a sync repeated or resumed after a restart stores nothing twice. The times the bot was not connected
are recorded as gaps, kept in the cursor (the last 10) and shown on the channel's health (``missed_periods``).

Writing: a reply or a moderation action opens a short connection of its own (nick ``<nick>_``, RFC 2812 §3.1),
with OPER when configured, joins the channel, says its line(s) through the token bucket and quits: it never waits
for the live bot, and works while the bot is away. A reply is ``PRIVMSG <channel> :<nick>: <text>`` (RFC 2812
§3.3.1), cut at 400 bytes. KICK (§3.2.8); BAN and UNBAN set and clear ``+b <nick>!*@*`` (§3.2.3), looking at the
ban list (numerics 367/368) first, so asked twice the second finds it done; MUTE sets the quiet list mode ``+q``
only where the server's ISUPPORT ``CHANMODES`` has one (ngIRCd has none: refused in words).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import windows
from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.irc.bot import Bot, channels_of
from federe.connectors.irc.lines import split_text
from federe.connectors.irc.moderation import NO_QUIET, act
from federe.connectors.irc.session import Session
from federe.connectors.irc.spool import Spool
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionKind,
    ActionResult,
    Author,
    Batch,
    Cursor,
    Item,
    ItemKind,
    MalformedItem,
    ModerationAction,
    OutgoingReply,
    PublishResult,
)
from federe.connectors.values import int_setting
from federe.core.html import html_to_text, text_to_html

PAGE_SIZE = 200
KEPT_GAPS = 10
SPOOL_NAME = re.compile(r"^[a-z0-9]{8,64}$")


def digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:24]


@register
class IrcConnector(Connector):
    key = "irc"
    label = _lazy("IRC (channels)")
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ, Capability.REPLY, Capability.MODERATE})
    verified_against_real_server = True  # tests/connectors/irc/test_peer.py, ngIRCd 26.1
    actions = frozenset({ActionKind.KICK, ActionKind.BAN, ActionKind.UNBAN, ActionKind.MUTE})
    live = True
    default_sync_interval_seconds = 60
    limitations = (
        _lazy(
            "IRC keeps no history: Fédère reads only what its bot heard while connected, from the first connection on."
        ),
        _lazy("A message cannot be removed from IRC: it was delivered when it was said."),
        _lazy("Replies come from a second, short connection (the bot's nick followed by “_”), which joins and leaves."),
        NO_QUIET,
    )
    setup_fields = (
        SetupField("host", _lazy("IRC server"), help=_lazy("Its host name, for example irc.libera.chat")),
        SetupField("port", _lazy("Port"), required=False, help=_lazy("6667 without TLS, 6697 with TLS")),
        SetupField(
            "tls",
            _lazy("TLS"),
            required=False,
            kind="choice",
            choices=(("no", _lazy("No: plain text (port 6667)")), ("yes", _lazy("Yes: TLS (port 6697)"))),
        ),
        SetupField("nick", _lazy("Bot nick"), help=_lazy("The name the bot uses on the server, for example federe")),
        SetupField("channels", _lazy("Channels"), help=_lazy("Separated by spaces, for example #support #general")),
        SetupField(
            "window_minutes",
            _lazy("New thread after (minutes of silence)"),
            required=False,
            help=_lazy("A channel silent this long starts a new conversation thread; 30 by default"),
        ),
        SetupField(
            "oper_name", _lazy("IRC operator name"), required=False, help=_lazy("Only to moderate as an IRC operator")
        ),
        SetupField("oper_password", _lazy("IRC operator password"), secret=True, required=False, kind="password"),
        SetupField(
            "sasl_user",
            _lazy("SASL account"),
            secret=True,
            required=False,
            help=_lazy("Where the network has accounts (SASL PLAIN)"),
        ),
        SetupField("sasl_password", _lazy("SASL password"), secret=True, required=False, kind="password"),
        SetupField(
            "nickserv_password",
            _lazy("NickServ password"),
            secret=True,
            required=False,
            kind="password",
            help=_lazy("Sent as IDENTIFY to NickServ after connecting, where the network has no SASL"),
        ),
        SetupField("server_password", _lazy("Server password"), secret=True, required=False, kind="password"),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "Moderation needs rights on the channel: give the bot's IRC operator name and password, or have the"
                " channel's operators give chanop (+o) to the bot's nick and to its nick followed by “_”."
            )
        ),
        SetupStep(
            _lazy(
                "The worker keeps the bot connected: run “federe worker” (what is said while it is stopped is missed)."
            )
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.silence = timedelta(minutes=int_setting(config, "window_minutes", windows.DEFAULT_WINDOW_MINUTES, 1, 1440))
        if str(config.get("tls", "")).strip().lower() in {"yes", "oui", "true", "1", "on"}:
            self.config = {**config, "tls": True, "port": config.get("port") or 6697}
        else:
            self.config = {**config, "tls": False}
        self._given_config = config

    @property
    def channels(self) -> list[str]:
        channels = channels_of(self.config)
        if not channels:
            raise Permanent(_("Give at least one channel to follow, starting with # (for example #support)."))
        return channels

    @property
    def spool(self) -> Spool:
        name = str(self.config.get("spool") or "")
        if not SPOOL_NAME.match(name):
            name = digest(self.config.get("host"), self.config.get("port"), self.config.get("nick"))
        directory = getattr(settings, "FEDERE_IRC_SPOOL_DIR", None) or Path(settings.DATA_DIR) / "irc"
        return Spool(Path(directory), name)

    def session(self) -> Session:
        if not str(self.config.get("host") or "").strip() or not str(self.config.get("nick") or "").strip():
            raise Permanent(_("Give the IRC server and the bot's nick."))
        return Session(self.config, self.credentials, nick=f"{self.config['nick']}_")

    # -- setup and live ------------------------------------------------------------------------------------------

    def check(self) -> None:
        channels = self.channels
        with closing(self.session().open()) as session:
            for channel in channels:
                session.join(channel)
        # The spool's name, chosen once: written into the config the channel then stores.
        self._given_config.setdefault("spool", secrets.token_hex(12))

    def listen(self, stop: threading.Event) -> None:
        Bot(self.config, self.credentials, self.spool).run(stop)

    # -- reading -------------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        self.channels  # noqa: B018 - refuses a channel without channels, in words
        cursor = cursor or {}
        last = int(cursor.get("seq") or 0)
        state = {channel: list(pair) for channel, pair in (cursor.get("windows") or {}).items()}
        gaps = [list(gap) for gap in cursor.get("gaps") or []]
        items: list[Item] = []
        malformed: list[MalformedItem] = []
        has_more = False
        offset = int(cursor.get("offset") or 0)
        for count, (entry, after) in enumerate(self.spool.read_after(last, offset)):
            if count >= PAGE_SIZE:
                has_more = True
                break
            last, offset = entry["seq"], after
            try:
                if entry["kind"] == "message":
                    items.append(self._item(entry, state))
                elif entry["kind"] == "gap":
                    gaps = [*gaps, [entry["start"], entry["end"]]][-KEPT_GAPS:]
                elif entry["kind"] == "malformed":
                    reason = _("A line from the IRC server that is not IRC: %(line)s") % {
                        "line": entry.get("raw", "")[:80]
                    }
                    malformed.append(MalformedItem(reason=reason, external_id=f"line-{last}"))
            except (KeyError, TypeError, ValueError):
                malformed.append(
                    MalformedItem(reason=_("A spooled IRC line that cannot be read."), external_id=f"line-{last}")
                )
        return Batch(
            items=items,
            malformed=malformed,
            cursor={"seq": last, "offset": offset, "windows": state, "gaps": gaps},
            has_more=has_more,
        )

    def _item(self, entry: dict[str, Any], state: dict[str, Any]) -> Item:
        at = datetime.fromisoformat(entry["at"]).astimezone(UTC)
        channel, nick, text = str(entry["channel"]), str(entry["nick"]), str(entry["text"])
        thread = windows.thread_for(state, channel, at, self.silence)
        server = f"{self.config.get('host')}:{self.config.get('port') or 6667}"
        start = windows.window_start(thread) or at
        return Item(
            external_id=f"{channel} {nick} {digest(server, channel, nick, entry['at'], text, entry['seq'])}",
            thread_id=thread,
            author=Author(external_id=nick, handle=nick, display_name=nick),
            body_html=text_to_html(text) or "<p></p>",
            created_at=at,
            kind=ItemKind.CHAT,
            thread_title=f"{channel} · {start:%Y-%m-%d %H:%M} UTC",
            raw=entry,
        )

    # -- writing -------------------------------------------------------------------------------------------------

    def _channel(self, *ids: str) -> str:
        for value in ids:
            channel = value.partition(" ")[0]
            if channel.lower() in {c.lower() for c in self.channels}:
                return channel
        raise Permanent(_("This message is not in a channel this IRC connection follows."))

    def reply(self, reply: OutgoingReply) -> PublishResult:
        channel = self._channel(reply.thread_id, reply.parent_id)
        parts = reply.parent_id.split(" ")
        addressed = f"{parts[1]}: " if len(parts) == 3 else ""
        with closing(self.session().open()) as session:
            session.join(channel)
            pieces = split_text(addressed + html_to_text(reply.body_html), min(400, session.line_room))
            if not pieces:
                raise Permanent(_("The reply is empty."))
            for piece in pieces:
                session.send("PRIVMSG", channel, piece)
            nick = session.nick
        return PublishResult(
            external_id=f"{channel} {nick} {digest('reply', reply.idempotency_key)}", created_at=datetime.now(UTC)
        )

    def act(self, action: ModerationAction) -> ActionResult:
        channel = self._channel(action.thread_id, action.external_id)
        parts = action.external_id.split(" ")
        nick = action.author_id or (parts[1] if len(parts) == 3 else "")
        if not nick:
            raise Permanent(_("This message does not say who wrote it."))
        with closing(self.session().open()) as session:
            return act(session, action.kind, channel, nick, action.reason)
