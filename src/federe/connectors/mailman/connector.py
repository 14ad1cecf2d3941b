"""GNU Mailman 3 mailing lists: held messages and list traffic in, replies and posts by e-mail (``publishing.py``:
once, by their Message-ID; a held post is said to be held), moderation through REST.

Config: ``rest_url`` (Mailman core's REST API, e.g. http://localhost:8001/3.1), ``rest_user``; ``targets``
(the list ids followed; all the lists when none is chosen); ``maildir`` (the absolute path of a subscriber's
mailbox in Maildir format, read-only, under ``FEDERE_MAILDIR_ROOTS``); for replies ``from_address`` (an address
subscribed to the lists, or allowed to post), ``from_name``, and the mail server: ``mail_host``, ``mail_port``,
``mail_protocol`` (smtp, starttls, smtps or lmtp), ``mail_user``; ``page_size`` (messages read from the mailbox
per page, default 200). Credentials: ``rest_password``, and ``mail_password`` when the mail server needs a login.

Where messages come from
------------------------
* **Held messages**, from each followed list's held queue (``GET /lists/{id}/held``): status HELD. Mailman numbers
  a list's requests in order, so the cursor keeps the highest request id seen per list (``held``).
* **Delivered posts**, from the subscriber's mailbox: status PUBLISHED. Mailman has no archive of its own (that
  is HyperKitty's work), so Fédère sees the traffic from the moment the mailbox receives it. Read incrementally by
  file name (``mailbox``: see ``connectors.mail.maildir``), never moved or flagged.

A message is ``<list_id>/<Message-ID>`` in both, so a held message that a moderator accepts comes back from the
mailbox as the same item, now PUBLISHED.

Replies are e-mails to the list with ``In-Reply-To`` and ``References`` and a ``Message-ID`` derived from the
reply's idempotency key. Before sending, the connector looks for that Message-ID in the list's held queue and
in the mailbox: a retry after a send whose answer was lost finds it there and sends nothing. (A retry within
the seconds before Mailman delivers the first copy would send it again; Mailman then delivers it twice, and
Fédère still stores it once, by its Message-ID.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.mail import maildir, outgoing
from federe.connectors.mail.parse import message_ids
from federe.connectors.mailman import fields, publishing
from federe.connectors.mailman.client import MailmanClient
from federe.connectors.mailman.mapping import item_id, map_delivered, map_held, map_list, split_id
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
    PublishResult,
    Target,
)
from federe.connectors.values import int_setting

# The held-queue action each moderation action asks Mailman for.
HELD_ACTIONS = {
    ActionKind.APPROVE: "accept",
    ActionKind.REJECT: "reject",
    ActionKind.DELETE: "discard",
    ActionKind.HOLD: "defer",
}
NO_ARCHIVE = _lazy(
    "Mailman keeps no archive Fédère can read: Fédère sees the messages held for moderation and the mail the"
    " subscriber's mailbox receives from the moment the channel is connected, not the list's past."
)
NO_TAKE_BACK = _lazy(
    "A message Mailman has delivered cannot be taken back, hidden or held: e-mail is already in the members'"
    " mailboxes. Moderation acts on held messages and on who may post."
)


@register
class MailmanConnector(Connector):
    key = "mailman"
    label = _lazy("Mailman 3 mailing lists")
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.REPLY, Capability.MODERATE, Capability.PUBLISH}
    )
    verified_against_real_server = True  # tests/connectors/mailman/test_integration.py, Mailman core 3.3.10
    post_rules = publishing.RULES  # an e-mail: its subject, plain text
    actions = frozenset(
        {ActionKind.APPROVE, ActionKind.REJECT, ActionKind.DELETE, ActionKind.HOLD, ActionKind.BAN, ActionKind.MUTE}
    )
    reject_tells_author = True  # Mailman mails the reason to the sender
    limitations = (NO_ARCHIVE, NO_TAKE_BACK)
    targets_label = _lazy("Mailing lists to follow")
    setup_fields = fields.SETUP_FIELDS
    setup_help = (
        SetupStep(
            _lazy(
                "Subscribe an address of yours to each list you follow and deliver its mail to a Maildir on this"
                " server (under a folder the administrator allows with FEDERE_MAILDIR_ROOTS): Fédère reads the"
                " list's traffic there. Replies are sent from that address, so it must be allowed to post."
            )
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.page_size = int_setting(config, "page_size", 200, 1, 1000)
        self._client: MailmanClient | None = None

    @property
    def client(self) -> MailmanClient:
        """Built on first use, so that a missing address is reported as a connector error, in plain words."""
        if self._client is None:
            url = str(self.config.get("rest_url") or "").strip()
            if not url.startswith(("http://", "https://")):
                raise Permanent(_("Give the full address of Mailman's REST API, e.g. http://localhost:8001/3.1."))
            self._client = MailmanClient(
                url,
                str(self.config.get("rest_user") or ""),
                str(self.credentials.get("rest_password") or ""),
                timeout=int_setting(self.config, "timeout", 10, 1, 120),
            )
        return self._client

    @property
    def mailbox(self) -> str:
        return str(self.config.get("maildir") or "").strip()

    def check(self) -> None:
        self.client.versions()
        if self.mailbox:
            maildir.entries(self.mailbox)

    def list_targets(self) -> list[Target]:
        return [target for target in map(map_list, self.client.lists()) if target is not None]

    def _followed(self) -> list[str]:
        chosen = self.config.get("targets")
        if isinstance(chosen, list) and chosen:
            return [str(list_id) for list_id in chosen]
        return [target.id for target in self.list_targets()]

    # -- fetch ----------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        cursor = cursor if isinstance(cursor, dict) else {}
        lists = self._followed()
        found: dict[str, Item] = {}
        malformed: list[MalformedItem] = []
        held_cursor = self._fetch_held(lists, cursor.get("held"), found, malformed)
        following: Cursor = {"held": held_cursor}
        has_more = False
        if self.mailbox:
            page = maildir.read_page(self.mailbox, cursor.get("mailbox"), self.page_size)
            for entry, raw in page.messages:
                received = datetime.fromtimestamp(entry.seconds, UTC)
                mapped = map_delivered(raw, set(lists), received)
                if isinstance(mapped, Item):
                    found[mapped.external_id] = mapped  # delivered after being held: published wins
                elif isinstance(mapped, MalformedItem):
                    malformed.append(MalformedItem(reason=mapped.reason, external_id=entry.name))
            following["mailbox"] = page.cursor
            has_more = page.has_more
        return Batch(items=list(found.values()), cursor=following, has_more=has_more, malformed=malformed)

    def _fetch_held(
        self, lists: list[str], seen: Any, found: dict[str, Item], malformed: list[MalformedItem]
    ) -> dict[str, int]:
        """The held messages newer than the cursor's request ids, per list; the request ids after them."""
        seen = seen if isinstance(seen, dict) else {}
        following: dict[str, int] = {}
        for list_id in lists:
            last = seen.get(list_id)
            last = last if isinstance(last, int) and not isinstance(last, bool) else 0
            top = last
            for entry in self.client.held(list_id):
                request_id = entry.get("request_id")
                if not isinstance(request_id, int) or request_id <= last:
                    continue
                top = max(top, request_id)
                mapped = map_held(entry, list_id)
                if isinstance(mapped, Item):
                    found.setdefault(mapped.external_id, mapped)
                else:
                    malformed.append(mapped)
            following[list_id] = top
        return following

    # -- moderation -----------------------------------------------------------------------------------------

    def _held_request(self, list_id: str, message_id: str) -> dict[str, Any] | None:
        wanted = f"<{message_id}>"
        for entry in self.client.held(list_id):
            if entry.get("message_id") == wanted or message_ids(str(entry.get("message_id") or ""))[:1] == [message_id]:
                return entry
        return None

    def act(self, action: ModerationAction) -> ActionResult:
        list_id, message_id = split_id(action.external_id)
        if not list_id:
            raise Permanent(
                _("%(value)s is not a message of a Mailman list.") % {"value": repr(action.external_id)[:80]}
            )
        if action.kind in (ActionKind.BAN, ActionKind.MUTE):
            return self._act_on_author(action, list_id, message_id)
        held = self._held_request(list_id, message_id)
        if held is None:
            if action.kind == ActionKind.HOLD:
                raise Permanent(str(NO_TAKE_BACK))
            return ActionResult(done=True, detail="no longer held")  # accepted, rejected or discarded already
        self.client.moderate(list_id, int(held["request_id"]), HELD_ACTIONS[action.kind], action.reason)
        return ActionResult(done=True, detail=HELD_ACTIONS[action.kind])

    def _act_on_author(self, action: ModerationAction, list_id: str, message_id: str) -> ActionResult:
        email = action.author_id.strip().lower()
        if "@" not in email:
            held = self._held_request(list_id, message_id)
            email = str((held or {}).get("sender") or "").strip().lower()
        if "@" not in email:
            raise Permanent(_("Fédère does not know the e-mail address of this message's author."))
        if action.kind == ActionKind.BAN:
            banned = self.client.ban(list_id, email)
            return ActionResult(done=True, detail="banned" if banned else "already banned")
        for role in ("member", "nonmember"):
            for member in self.client.find_members(list_id, email, role):
                if member.get("member_id"):
                    self.client.set_moderation(str(member["member_id"]), "hold")
                    return ActionResult(done=True, detail=f"{role} held")
        raise Permanent(
            _("%(email)s is neither a member of the list nor known to it as a sender: there is no one to moderate.")
            % {"email": email}
        )

    # -- reply ----------------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        list_id, root = split_id(reply.thread_id)
        parent_list, parent = split_id(reply.parent_id) if reply.parent_id else (list_id, root)
        if not list_id or parent_list != list_id:
            raise Permanent(_("%(value)s is not a thread of a Mailman list.") % {"value": repr(reply.thread_id)[:80]})
        server, sender = fields.mail_server(self.config, self.credentials)
        message_id = outgoing.message_id_for(reply.idempotency_key, sender)
        if self._already_sent(list_id, message_id):
            return PublishResult(external_id=item_id(list_id, message_id), created_at=timezone.now())
        described = self.client.mailing_list(list_id)
        address = str(described.get("fqdn_listname") or "")
        if "@" not in address:
            raise Permanent(_("Mailman did not give the address of the list %(list)s.") % {"list": list_id})
        subject, references = self._parent_headers(list_id, parent, root)
        message = outgoing.build_reply(
            sender=sender,
            sender_name=str(self.config.get("from_name") or ""),
            to=address,
            subject=subject or str(described.get("display_name") or list_id),
            body_html=reply.body_html,
            message_id=message_id,
            parent_id=parent,
            references=references,
        )
        outgoing.send(server, message, sender=sender, recipients=[address])
        return PublishResult(external_id=item_id(list_id, message_id), created_at=timezone.now())

    # -- publish (mailman/publishing.py) --------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishResult:
        text = publishing.post_text(post)  # refused before anything is sent when it cannot go
        list_id = publishing.list_for(post, self._followed())
        server, sender = fields.mail_server(self.config, self.credentials)
        message_id = outgoing.message_id_for(post.idempotency_key, sender)
        finder = self._finder()
        found = finder.look(list_id, message_id)
        if found is not None:  # an earlier attempt's post, held or delivered
            return found
        described = self.client.mailing_list(list_id)
        address = str(described.get("fqdn_listname") or "")
        if "@" not in address:
            raise Permanent(_("Mailman did not give the address of the list %(list)s.") % {"list": list_id})
        message = outgoing.build_post(
            sender=sender,
            sender_name=str(self.config.get("from_name") or ""),
            to=address,
            subject=publishing.subject_of(post, described, list_id),
            text=text,
            message_id=message_id,
        )
        outgoing.send(server, message, sender=sender, recipients=[address])
        found, _idle = finder.settled(list_id, message_id)  # held or delivered: said at once when held
        return found or publishing.result(list_id, message_id)

    def find_published(self, post: OutgoingPost) -> PublishResult | None:
        list_id = publishing.list_for(post, self._followed())
        _server, sender = fields.mail_server(self.config, self.credentials)
        message_id = outgoing.message_id_for(post.idempotency_key, sender)
        return self._finder().find(list_id, message_id, has_mailbox=bool(self.mailbox))

    def _finder(self) -> publishing.Finder:
        settle = int_setting(self.config, "settle_seconds", int(publishing.SETTLE_SECONDS), 0, 120)
        return publishing.Finder(self.client, self._held_request, self._in_mailbox, settle_seconds=settle)

    def _already_sent(self, list_id: str, message_id: str) -> bool:
        """The reply is held by the list, or the list delivered it to the mailbox (the same id on another list is
        another message)."""
        if self._held_request(list_id, message_id) is not None:
            return True
        headers = self._in_mailbox(message_id, list_id)
        return headers is not None

    def _in_mailbox(self, message_id: str, list_id: str) -> Any:
        """The headers of the list's message with this Message-ID in the mailbox (last 30 days), or None."""
        if not self.mailbox:
            return None
        return maildir.find_headers(self.mailbox, message_id, list_id=list_id)

    def _parent_headers(self, list_id: str, parent: str, root: str) -> tuple[str, tuple[str, ...]]:
        """The parent's subject and References, from the mailbox when it is there; else the thread's ids."""
        headers = self._in_mailbox(parent, list_id)
        if headers is None:
            return "", tuple(dict.fromkeys(ref for ref in (root,) if ref != parent))
        try:
            references = tuple(message_ids(str(headers.get("References") or "")))
            subject = " ".join(str(headers.get("Subject") or "").split())
        except Exception:  # a broken header: thread under the parent alone
            references, subject = (), ""
        return subject, references or tuple(ref for ref in (root,) if ref != parent)
