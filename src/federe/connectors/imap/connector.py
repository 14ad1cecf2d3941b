"""A support or community mailbox as a channel: IMAP in (RFC 3501), replies by SMTP submission, moderation by
moving messages between folders (RFC 6851 MOVE, RFC 6154 special-use folders).

Config: ``imap_host``, ``imap_port``, ``security`` (auto: STARTTLS when the server offers it; starttls; tls; none),
``user``; ``targets`` (the folders followed, INBOX when none is chosen); ``smtp_host``, ``smtp_port`` (submission,
logged in as the mailbox user, STARTTLS when offered under ``auto``), ``from_address``, ``from_name``;
``page_size`` (messages per page, default 100), ``max_message_bytes`` (larger messages are read for their header
only, default 10 MB), ``long_poll_seconds`` (IDLE, 0-60, default 25), ``spam_folder`` and ``archive_folder``
(when the server marks none as ``\\Junk`` / ``\\Archive``). Credentials: ``password`` (IMAP and SMTP).

Reading (``client.py``): per folder, the cursor keeps ``(UIDVALIDITY, last UID read)``. Each page reads the UIDs
above the last one (``UID SEARCH UID n:*``), with ``BODY.PEEK[]`` so that nothing is marked read. When the
server's UIDVALIDITY differs from the cursor's (the folder was recreated or renumbered, RFC 3501 section 2.3.1.1),
the folder is read again from its first message: items are keyed by Message-ID (``mapping.py``), so a message
read again is the same item and nothing is stored twice.

IDLE (RFC 2177): when a sync finds nothing new and the server offers IDLE, the fetch waits in the first folder
followed (``long_poll_seconds``) and reads again as soon as the server reports a new message. The connector
declares ``long_poll_seconds``, so the worker syncs such a channel again as soon as a sync ends: a mail is in the
inbox about a second after it arrives, without a thread of its own (the wait holds one worker slot; a channel with
``long_poll_seconds`` 0 polls at its interval instead).

Replies (``connectors.mail.outgoing``): plain text with ``In-Reply-To`` and ``References`` (RFC 5322 section
3.6.4), taken from the parent message found on the server, sent to its ``Reply-To`` (else ``From``), and a
Message-ID derived from the reply's idempotency key. Before sending, the Sent folder (special-use ``\\Sent``, else
"Sent", created when missing) is searched for that Message-ID: a retry finds the first attempt there and sends
nothing. After sending, a copy is appended there. (A worker that dies between the SMTP answer and the APPEND
would, on retry, send it a second time with the same Message-ID, which mail readers and Fédère treat as one.)

Moderation moves a message, found by its Message-ID: SPAM to the ``\\Junk`` folder, REMOVE to the ``\\Archive``
folder (created when missing, and the decision's detail says so), RESTORE back to the first folder followed. Both are
reversible, nothing is deleted. Asked twice, the second finds the message already there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import Connector, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Permanent
from federe.connectors.imap import fields
from federe.connectors.imap.client import ImapClient
from federe.connectors.imap.mapping import map_message
from federe.connectors.mail import outgoing
from federe.connectors.mail.parse import message_ids
from federe.connectors.registry import register
from federe.connectors.types import (
    ActionKind,
    ActionResult,
    Batch,
    Cursor,
    Item,
    MalformedItem,
    ModerationAction,
    NetworkStatus,
    OutgoingReply,
    PublishResult,
    Target,
)
from federe.connectors.values import int_setting

SPECIAL_WORDS = {
    "\\junk": _lazy("spam"),
    "\\archive": _lazy("archive"),
    "\\sent": _lazy("sent mail"),
    "\\drafts": _lazy("drafts"),
    "\\trash": _lazy("trash"),
}


@register
class ImapConnector(Connector):
    key = "imap"
    label = _lazy("E-mail inbox (IMAP and SMTP)")
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ, Capability.REPLY, Capability.MODERATE})
    verified_against_real_server = True  # tests/connectors/imap/test_integration.py, Dovecot 2.3.19.1
    actions = frozenset({ActionKind.SPAM, ActionKind.REMOVE, ActionKind.RESTORE})
    long_poll_seconds = 25
    targets_label = _lazy("Folders to follow")
    setup_fields = fields.SETUP_FIELDS
    limitations = (
        _lazy(
            "Fédère reads the folders you follow, not the mail already moved elsewhere; it never deletes mail:"
            " “spam” moves a message to the Spam (Junk) folder and “remove” to the Archive folder."
        ),
    )
    setup_help = (
        SetupStep(
            _lazy(
                "Use a mailbox of its own for the channel (support@, contact@…). Fédère reads it without marking"
                " messages as read, and sends replies through your mail server's submission port with the same"
                " user name and password."
            )
        ),
    )

    def __init__(self, *, config: dict[str, Any], credentials: dict[str, Any]) -> None:
        super().__init__(config=config, credentials=credentials)
        self.page_size = int_setting(config, "page_size", 100, 1, 1000)
        self.max_bytes = int_setting(config, "max_message_bytes", 10_000_000, 10_000, 100_000_000)
        self.wait_seconds = int_setting(config, "long_poll_seconds", self.long_poll_seconds, 0, 60)

    @contextmanager
    def _session(self) -> Iterator[ImapClient]:
        with ImapClient(fields.imap_server(self.config, self.credentials)) as client:
            yield client

    def _followed(self) -> list[str]:
        chosen = self.config.get("targets")
        if isinstance(chosen, list) and chosen:
            return [str(name) for name in chosen]
        return ["INBOX"]

    def check(self) -> None:
        with self._session() as client:
            for folder in self._followed():
                client.select(folder)

    def list_targets(self) -> list[Target]:
        with self._session() as client:
            folders = client.folders()
        targets = []
        for folder in folders:
            if folder.selectable:
                uses = [str(words) for flag, words in SPECIAL_WORDS.items() if flag in folder.flags]
                targets.append(Target(id=folder.name, name=folder.name, detail=", ".join(uses)))
        return targets

    # -- fetch ----------------------------------------------------------------------------------------------

    def fetch(self, cursor: Cursor | None) -> Batch:
        state = (cursor or {}).get("folders") if isinstance(cursor, dict) else None
        state = state if isinstance(state, dict) else {}
        with self._session() as client:
            batch = self._read(client, state)
            if batch.items or batch.malformed or batch.has_more or not self.wait_seconds:
                return batch
            client.select(self._followed()[0])
            if client.idle(self.wait_seconds):
                return self._read(client, state)
        return batch

    def _read(self, client: ImapClient, state: dict[str, Any]) -> Batch:
        found: dict[str, Item] = {}
        malformed: list[MalformedItem] = []
        following: dict[str, Any] = {}
        budget, has_more = self.page_size, False
        junk = client.special("\\Junk") or str(self.config.get("spam_folder") or "")
        for folder in self._followed():
            kept = state.get(folder)
            seen: dict[str, Any] = kept if isinstance(kept, dict) else {}
            if budget <= 0:
                if seen:
                    following[folder] = seen
                has_more = True
                continue
            validity, _next = client.select(folder)
            last = seen.get("uid") if seen.get("uidvalidity") == validity else 0
            last = last if isinstance(last, int) and not isinstance(last, bool) and last > 0 else 0
            uids = client.uids_after(last)
            taken = uids[:budget]
            budget -= len(taken)
            has_more = has_more or len(uids) > len(taken)
            status = NetworkStatus.SPAM if folder == junk else NetworkStatus.PUBLISHED
            for message in client.fetch(taken, max_bytes=self.max_bytes):
                mapped = map_message(
                    message.raw,
                    folder=folder,
                    uid=message.uid,
                    uidvalidity=validity,
                    size=message.size,
                    whole=message.whole,
                    status=status,
                )
                if isinstance(mapped, Item):
                    found.setdefault(mapped.external_id, mapped)
                else:
                    malformed.append(mapped)
            following[folder] = {"uidvalidity": validity, "uid": max(taken, default=last)}
        return Batch(items=list(found.values()), cursor={"folders": following}, has_more=has_more, malformed=malformed)

    # -- finding a message ----------------------------------------------------------------------------------

    def _locate(self, client: ImapClient, message_id: str, folders: list[str]) -> tuple[str, list[int]]:
        """The first of ``folders`` holding the message, selected read-write, and its UIDs there; ('', [])."""
        for folder in dict.fromkeys(name for name in folders if name):
            if not client.named(folder):
                continue
            client.select(folder, readonly=False)
            uids = client.find(message_id)
            if uids:
                return folder, uids
        return "", []

    def _everywhere(self, client: ImapClient) -> list[str]:
        return [*self._followed(), *(folder.name for folder in client.folders() if folder.selectable)]

    # -- reply ----------------------------------------------------------------------------------------------

    def reply(self, reply: OutgoingReply) -> PublishResult:
        parent = reply.parent_id or reply.thread_id
        server, sender = fields.smtp_server(self.config, self.credentials)
        message_id = outgoing.message_id_for(reply.idempotency_key, sender)
        with self._session() as client:
            sent_folder = client.special("\\Sent") or "Sent"
            if self._locate(client, message_id, [sent_folder, *self._followed()])[1]:
                return PublishResult(external_id=message_id, created_at=timezone.now())  # an earlier attempt's
            _folder, uids = self._locate(client, parent, self._everywhere(client))
            if not uids:
                raise Permanent(
                    _(
                        "The e-mail this reply answers is no longer in the mailbox (moved or deleted): Fédère cannot"
                        " tell whom to send it to."
                    )
                )
            to, subject, references = _answer_to(client.headers(uids[0]), sender)
            if "@" not in to:
                raise Permanent(_("The e-mail this reply answers has no address to answer."))
            message = outgoing.build_reply(
                sender=sender,
                sender_name=str(self.config.get("from_name") or ""),
                to=to,
                subject=subject,
                body_html=reply.body_html,
                message_id=message_id,
                parent_id=parent,
                references=references,
            )
            outgoing.send(server, message, sender=sender, recipients=[to])
            if not client.named(sent_folder):
                client.create(sent_folder)
            client.append(sent_folder, message.as_bytes())
        return PublishResult(external_id=message_id, created_at=timezone.now())

    # -- moderation -----------------------------------------------------------------------------------------

    def act(self, action: ModerationAction) -> ActionResult:
        with self._session() as client:
            inbox = self._followed()[0]
            junk = client.special("\\Junk") or str(self.config.get("spam_folder") or "") or "Spam"
            archive = client.special("\\Archive") or str(self.config.get("archive_folder") or "") or "Archive"
            targets = {ActionKind.SPAM: junk, ActionKind.REMOVE: archive, ActionKind.RESTORE: inbox}
            target = targets[action.kind]
            sources = [name for name in (*self._followed(), junk, archive) if name != target]
            folder, uids = self._locate(client, action.external_id, sources)
            if not uids:
                if self._locate(client, action.external_id, [target])[1]:
                    return ActionResult(done=True, detail=_("Already in the folder %(folder)s.") % {"folder": target})
                raise Permanent(
                    _("The e-mail %(id)s is not in the mailbox any more (moved elsewhere or deleted).")
                    % {"id": action.external_id[:200]}
                )
            created = not client.named(target)
            if created:
                client.create(target)
                client.select(folder, readonly=False)
            client.move(uids, target)
        if created:
            return ActionResult(
                done=True, detail=_("Moved to the folder %(folder)s, created for it.") % {"folder": target}
            )
        return ActionResult(done=True, detail=_("Moved to the folder %(folder)s.") % {"folder": target})


def _answer_to(header: bytes, sender: str) -> tuple[str, str, tuple[str, ...]]:
    """Where a reply to this header goes (Reply-To, else From; To when it is our own message), its subject and
    the References a reply carries on (the parent's own References)."""
    try:
        message = BytesHeaderParser(policy=policy.default).parsebytes(header)
    except Exception:  # a broken header: nothing to answer
        return "", "", ()
    fields_ = {name: _header(message, name) for name in ("Reply-To", "From", "To", "Subject", "References")}
    order = ("Reply-To", "From") if sender.lower() not in fields_["From"].lower() else ("To",)
    to = ""
    for name in order:
        addresses = [email for _name, email in getaddresses([fields_[name]]) if "@" in email]
        if addresses:
            to = addresses[0]
            break
    subject = " ".join(fields_["Subject"].split())
    return to, subject, tuple(message_ids(fields_["References"]))


def _header(message: Message, name: str) -> str:
    try:
        return str(message.get(name) or "")
    except Exception:  # a header too broken to decode
        return ""
