"""A mailbox's messages into Fédère items: pure functions over ``connectors.mail.parse``, never raise.

A message is known by its Message-ID alone (RFC 5322 section 3.6.4), never by its UID: UIDs change when the
server's UIDVALIDITY does, and the same message read twice (a re-scan, another folder) is the same item. A thread
is its first message's id (the first of ``References``, else ``In-Reply-To``) and a reply's parent the message its
``In-Reply-To`` names (else the last of ``References``). A message without a Message-ID gets one derived from its
bytes (the same on every read); one without a sender cannot be answered and is counted as malformed.
"""

from __future__ import annotations

import hashlib
import html
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from federe.connectors.mail.parse import Mail, MailError, attachments_html, parse_mail
from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus


def derived_id(raw: bytes) -> str:
    """A stable Message-ID for a message that has none: the same bytes give the same id."""
    return f"federe.no-id.{hashlib.sha256(raw).hexdigest()[:32]}@imap.invalid"


def read_mail(raw: bytes) -> Mail:
    """The message parsed; one without a Message-ID is read again with a derived one. MailError otherwise."""
    try:
        return parse_mail(raw)
    except MailError:  # no usable Message-ID (else the second reading fails the same way: no sender, unreadable)
        return parse_mail(f"Message-ID: <{derived_id(raw)}>\r\n".encode() + raw)


def map_message(
    raw: bytes,
    *,
    folder: str,
    uid: int,
    uidvalidity: int,
    size: int,
    whole: bool = True,
    status: NetworkStatus = NetworkStatus.PUBLISHED,
    received: datetime | None = None,
) -> Item | MalformedItem:
    """One message of a folder as an item; malformed (with the reason, in words) when it cannot be read."""
    try:
        mail = read_mail(raw)
    except MailError as exc:
        return MalformedItem(reason=str(exc), external_id=f"{folder}/{uidvalidity}/{uid}")
    body = mail.body_html + attachments_html(mail.attachments)
    if not whole:
        body = (
            "<p>"
            + html.escape(
                _("This e-mail (%(size)s) is larger than Fédère reads: its text and attachments were not downloaded.")
                % {"size": _megabytes(size)}
            )
            + "</p>"
        )
    author = Author(
        external_id=mail.sender_email,
        handle=mail.sender_email,
        display_name=mail.sender_name or mail.sender_email.partition("@")[0],
        email=mail.sender_email,
    )
    return Item(
        external_id=mail.message_id,
        thread_id=mail.thread_root,
        parent_id=mail.parent,
        author=author,
        body_html=body,
        created_at=mail.date or received or timezone.now(),
        kind=ItemKind.MAIL,
        thread_title=mail.topic,
        status=status,
        raw={
            "folder": folder,
            "uid": uid,
            "uidvalidity": uidvalidity,
            "size": size,
            "subject": mail.subject,
            "attachments": [{"name": a.filename, "type": a.mime_type, "size": a.size} for a in mail.attachments],
        },
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
