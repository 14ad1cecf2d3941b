"""Matrix rooms and spaces: read the chosen rooms, reply, post announcements, moderate (client-server API).

Config: ``homeserver`` (required, e.g. https://matrix.example.org), ``targets`` (the room and space ids chosen
on the channel's page), optionally ``announcements_room`` (where announcements go; default the first room
followed), ``history`` (events per room read on a room's first sync, and the timeline limit, 1-500, default 100),
``long_poll_seconds`` (0-60, default 25), ``timeout`` (seconds, default 10).
Credentials: ``access_token``, or ``user`` and ``password``. With a password, the connector logs in once with a
device id of its own (``device_id``, derived from the homeserver and user) and keeps the token and device id in
the credentials (``check`` writes them into the credentials it was given, which the channel then stores):
transaction ids, which make a retried send return the first event, are scoped to that device.

Reading: see ``sync.py``. Sending (replies, announcements, redactions) uses ``PUT`` with a transaction id derived
from the idempotency key, so a retry after a lost answer returns the event already sent instead of a second one.
Moderation acts in the message's room (its external id holds it): redact (REMOVE), kick, ban, unban, each looked up
first in the room's state (asked twice, the second finds it done); SUSPEND deactivates the account through
Synapse's admin API, only when the token is a server admin's.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.matrix import mapping
from federe.connectors.matrix.client import TIMEOUT_SECONDS, MatrixClient
from federe.connectors.matrix.sync import RoomReader
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
    Target,
)
from federe.connectors.values import int_setting
from federe.core.html import html_to_text, sanitize_html

MAX_ROOMS_LISTED = 200
NO_ROOMS = _lazy("Choose the rooms or spaces to follow on the channel's page.")
NO_SUSPEND = _lazy(
    "Deactivating an account needs a Synapse server administrator's token; this channel's user is not one."
)
MEMBER_VERBS = {ActionKind.KICK: "kick", ActionKind.BAN: "ban", ActionKind.UNBAN: "unban"}
# The memberships after which each action has nothing left to do.
ALREADY_DONE = {
    ActionKind.KICK: {"leave", "ban", ""},
    ActionKind.BAN: {"ban"},
    ActionKind.UNBAN: {"leave", "join", "invite", "knock", ""},
}


FIND_PAGES = 3  # pages of 100 events read back by find_published


def txn_id(kind: str, key: str) -> str:
    """A transaction id derived from an idempotency key: the same key, the same event on the homeserver."""
    return f"federe-{kind}-{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def device_id(homeserver: str, user: str) -> str:
    digest = hashlib.sha256(f"{homeserver.rstrip('/')}|{user}".encode()).hexdigest()[:10].upper()
    return f"FEDERE{digest}"


@register
class MatrixConnector(Connector):
    key = "matrix"
    label = _lazy("Matrix (rooms and spaces)")
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = True  # tests/connectors/matrix/test_integration.py, Synapse 1.163
    actions = frozenset({ActionKind.REMOVE, ActionKind.KICK, ActionKind.BAN, ActionKind.UNBAN, ActionKind.SUSPEND})
    # Matrix events are at most 65536 bytes, JSON included: about 30,000 characters of text and its HTML.
    post_rules = PostRules(max_length=30_000, html=True)
    targets_label = _lazy("Rooms and spaces")
    long_poll_seconds = 25
    limitations = (
        _lazy(
            "Fédère cannot read end-to-end encrypted rooms: it does not hold the room keys. Follow unencrypted"
            " rooms, or add a bot that can decrypt."
        ),
        _lazy(
            "A redaction removes a message's content for everyone, and Matrix cannot undo it: there is no 'restore'."
        ),
        _lazy(
            "On its first sync a room gives its last messages only (the history setting, 100 by default), not"
            " its whole past."
        ),
        NO_SUSPEND,
    )
    setup_fields = (
        SetupField(
            "homeserver", _lazy("Homeserver address"), kind="url", help=_lazy("For example https://matrix.example.org")
        ),
        SetupField(
            "access_token",
            _lazy("Access token"),
            secret=True,
            required=False,
            kind="password",
            help=_lazy("Or leave it empty and give a user and password: Fédère logs in once and keeps one device."),
        ),
        SetupField("user", _lazy("Matrix user (e.g. @brand:example.org)"), secret=True, required=False),
        SetupField("password", _lazy("Password"), secret=True, required=False, kind="password"),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "Invite the channel's Matrix user into each room to follow, with a power level that lets it redact,"
                " kick and ban (moderator, 50) if Fédère is to moderate. Then choose the rooms on this page."
            )
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.history = int_setting(config, "history", 100, 1, 500)
        self.wait_seconds = int_setting(config, "long_poll_seconds", self.long_poll_seconds, 0, 60)
        self.timeout = int_setting(config, "timeout", TIMEOUT_SECONDS, 1, 120)
        self._client: MatrixClient | None = None
        self._user_id = ""

    @property
    def client(self) -> MatrixClient:
        """Built (and logged in, when only a password is given) on first use."""
        if self._client is None:
            homeserver = str(self.config.get("homeserver") or "").strip()
            if not homeserver.startswith(("https://", "http://")):
                raise Permanent(_("Give the homeserver's address, starting with https://."))
            client = MatrixClient(homeserver, str(self.credentials.get("access_token") or ""), timeout=self.timeout)
            if not client.access_token:
                self._login(client)
            self._client = client
        return self._client

    def _login(self, client: MatrixClient) -> None:
        user, password = str(self.credentials.get("user") or ""), str(self.credentials.get("password") or "")
        if not user or not password:
            raise Unauthorized(_("Give an access token, or a Matrix user and password."))
        device = str(self.credentials.get("device_id") or device_id(client.homeserver, user))
        answer = client.login(user, password, device)
        if not client.access_token:
            raise Unauthorized(_("The homeserver accepted the login but gave no access token."))
        # Kept in the credentials the channel stores (see the module's docstring): one device, one token.
        self.credentials["access_token"] = client.access_token
        self.credentials["device_id"] = str(answer.get("device_id") or device)
        self.keep_credentials()
        self._user_id = str(answer.get("user_id") or "")

    @property
    def user_id(self) -> str:
        if not self._user_id:
            self._user_id = str(self.client.whoami().get("user_id") or "")
        return self._user_id

    def check(self) -> None:
        who = self.client.whoami()
        if not who.get("user_id"):
            raise Unauthorized(_("The homeserver did not say which user this token belongs to."))
        self._user_id = str(who["user_id"])
        if who.get("device_id") and not self.credentials.get("device_id"):
            self.credentials["device_id"] = str(who["device_id"])
            self.keep_credentials()

    # -- rooms -----------------------------------------------------------------------------------------------

    def list_targets(self) -> list[Target]:
        targets = []
        for room in self.client.joined_rooms()[:MAX_ROOMS_LISTED]:
            name = (self.client.state(room, "m.room.name") or {}).get("name")
            create = self.client.state(room, "m.room.create") or {}
            members = len(self.client.joined_members(room))
            space = create.get("type") == "m.space"
            count = ngettext("%(count)s member", "%(count)s members", members) % {"count": members}
            detail = _("space, %(members)s") % {"members": count} if space else count
            targets.append(Target(id=room, name=str(name or room), detail=detail))
        return targets

    def _targets(self) -> list[str]:
        targets = self.config.get("targets")
        chosen = [t for t in targets if isinstance(t, str) and t] if isinstance(targets, list) else []
        if not chosen:
            raise Permanent(str(NO_ROOMS))
        return chosen

    def fetch(self, cursor: Cursor | None) -> Batch:
        reader = RoomReader(self.client, self._targets(), history=self.history, wait_seconds=self.wait_seconds)
        return reader.read(cursor or {})

    # -- sending ---------------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        room, parent = mapping.split_ref(reply.parent_id or reply.thread_id, reply.thread_id)
        if not room.startswith("!"):
            raise Permanent(_("%(value)s is not a Matrix room.") % {"value": repr(room)[:60]})
        content = _message(reply.body_html)
        if parent and parent != room:
            content["m.relates_to"] = self._relation(room, parent)
        event_id = self.client.send(room, txn_id("reply", reply.idempotency_key), content)
        return _published(room, event_id)

    def _relation(self, room: str, parent: str) -> dict[str, Any]:
        """A reply in the parent's thread when it has one, else a plain reply."""
        answered = self.client.event(room, parent)
        relates = mapping.relation(answered.get("content") or {})
        if relates.get("rel_type") == "m.thread" and isinstance(relates.get("event_id"), str):
            return {
                "rel_type": "m.thread",
                "event_id": relates["event_id"],
                "is_falling_back": False,
                "m.in_reply_to": {"event_id": parent},
            }
        return {"m.in_reply_to": {"event_id": parent}}

    def publish(self, post: OutgoingPost) -> PublishResult:
        room = self._announcements_room()
        content = _message(post.body_html, post.body_text)
        return _published(room, self.client.send(room, txn_id("post", post.idempotency_key), content))

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        """The event an earlier attempt sent: Synapse shows the sending device its own events with their
        ``unsigned.transaction_id``; the room's last ``FIND_PAGES`` pages are read, newest first. (The txnId alone
        makes a retry safe only while the homeserver remembers it, about 30 minutes: this also covers later ones.)"""
        room, wanted, before = self._announcements_room(), txn_id("post", post.idempotency_key), ""
        for _page in range(FIND_PAGES):
            answer = self.client.latest(room, before=before, limit=100)
            for event in answer.get("chunk") or []:
                unsigned = event.get("unsigned") if isinstance(event, dict) else None
                if isinstance(unsigned, dict) and unsigned.get("transaction_id") == wanted:
                    return _published(room, str(event.get("event_id") or ""))
            before = str(answer.get("end") or "")
            if not before or not answer.get("chunk"):
                break
        return None

    def _announcements_room(self) -> str:
        return str(self.config.get("announcements_room") or "") or self._targets()[0]

    # -- moderation ------------------------------------------------------------------------------------------

    def act(self, action: ModerationAction) -> ActionResult:
        room, event = mapping.split_ref(action.external_id, action.thread_id)
        if action.kind == ActionKind.SUSPEND:
            return self._deactivate(action.author_id)
        if not room.startswith("!"):
            raise Permanent(_("Fédère does not know this message's Matrix room."))
        if action.kind == ActionKind.REMOVE:
            return self._redact(room, event, action.reason)
        if not action.author_id.startswith("@"):
            raise Permanent(_("Fédère does not know this message's Matrix author."))
        membership = self.client.membership(room, action.author_id)
        if membership in ALREADY_DONE[action.kind]:
            return ActionResult(done=True, detail=_("already done (%(state)s)") % {"state": membership or "-"})
        self.client.member_action(room, MEMBER_VERBS[action.kind], action.author_id, action.reason)
        return ActionResult(done=True, detail=MEMBER_VERBS[action.kind])

    def _redact(self, room: str, event: str, reason: str) -> ActionResult:
        """One request: the transaction id comes from the event, so asked again the homeserver answers with the
        first redaction (and redacting an event already redacted changes nothing on it)."""
        redaction = self.client.redact(room, event, txn_id("redact", f"{room}|{event}"), reason)
        return ActionResult(done=True, detail=_("redacted (%(event)s)") % {"event": redaction})

    def _deactivate(self, user: str) -> ActionResult:
        if not user.startswith("@"):
            raise Permanent(_("Fédère does not know this message's Matrix author."))
        if not self.client.is_server_admin(self.user_id):
            raise Permanent(str(NO_SUSPEND))
        if user.split(":", 1)[-1] != self.user_id.split(":", 1)[-1]:
            raise Permanent(
                _("Only accounts of this homeserver can be deactivated from it; %(user)s is not one.") % {"user": user}
            )
        if self.client.admin_user(user).get("deactivated"):
            return ActionResult(done=True, detail=_("already deactivated"))
        self.client.deactivate(user)
        return ActionResult(done=True, detail=_("deactivated"))


def _message(body_html: str, body_text: str = "") -> dict[str, Any]:
    """An m.text message with its HTML (Matrix's subset is close to ours) and its plain-text variant."""
    safe = sanitize_html(body_html)
    text = body_text or html_to_text(safe)
    return {"msgtype": "m.text", "body": text, "format": mapping.HTML_FORMAT, "formatted_body": safe}


def _published(room: str, event_id: str) -> PublishResult:
    if not event_id.startswith("$"):
        raise Permanent(_("The homeserver accepted the message but did not say which event it created."))
    return PublishResult(
        external_id=mapping.ref(room, event_id), url=mapping.matrix_to(room, event_id), created_at=timezone.now()
    )
