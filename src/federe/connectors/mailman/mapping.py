"""Mailman's payloads and list mail into Fédère items: pure functions, never raise.

A message is known by its list and its Message-ID: ``<list_id>/<message-id>``. The same message held by Mailman
(HELD, from the held queue) and later delivered to the subscriber's mailbox (PUBLISHED) is the same item, so an
accepted message changes status instead of arriving twice. A thread is ``<list_id>/<first message's id>`` and a
reply's parent is the message its ``In-Reply-To`` names (else the last of its ``References``).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.mail.maildir import HEAD_BYTES
from federe.connectors.mail.parse import Mail, MailError, attachments_html, parse_mail
from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus, Target
from federe.connectors.values import parse_utc


def item_id(list_id: str, message_id: str) -> str:
    return f"{list_id}/{message_id}"


def split_id(value: str) -> tuple[str, str]:
    """(list id, Message-ID) of an item, thread or parent id; ('', '') when it is not one of ours."""
    list_id, sep, message_id = str(value or "").partition("/")
    if not sep or "." not in list_id or not message_id:
        return "", ""
    return list_id, message_id


def map_mail(mail: Mail, list_id: str, status: NetworkStatus, received: datetime | None = None) -> Item:
    author = Author(
        external_id=mail.sender_email,
        handle=mail.sender_email,
        display_name=mail.sender_name or mail.sender_email.partition("@")[0],
        email=mail.sender_email,
    )
    parent = mail.parent
    return Item(
        external_id=item_id(list_id, mail.message_id),
        thread_id=item_id(list_id, mail.thread_root),
        parent_id=item_id(list_id, parent) if parent else "",
        author=author,
        body_html=mail.body_html + attachments_html(mail.attachments),
        created_at=mail.date or received or timezone.now(),
        kind=ItemKind.MAIL,
        thread_title=mail.topic,
        status=status,
        raw={"list_id": list_id, "message_id": mail.message_id, "subject": mail.subject},
    )


def map_held(held: object, list_id: str) -> Item | MalformedItem:
    """One entry of ``GET /lists/{list_id}/held`` (its raw message in ``msg``) as a HELD item."""
    if not isinstance(held, dict):
        return MalformedItem(reason=_("Mailman sent a held message that is not a JSON object."))
    request_id = held.get("request_id")
    text = held.get("msg")
    if not isinstance(text, str) or not text.strip():
        return MalformedItem(
            reason=_("Mailman's held message %(id)s has no message text.") % {"id": request_id},
            external_id=str(held.get("message_id") or ""),
        )
    try:
        mail = parse_mail(text.encode("utf-8", "surrogateescape"))
    except MailError as exc:
        return MalformedItem(reason=str(exc), external_id=str(held.get("message_id") or ""))
    item = map_mail(mail, list_id, NetworkStatus.HELD, parse_utc(held.get("hold_date")))
    item.raw.update({"request_id": request_id, "reason": str(held.get("reason") or "")})
    return item


def map_delivered(raw: bytes, lists: set[str] | None, received: datetime | None = None) -> Item | MalformedItem | None:
    """A message from the subscriber's mailbox: a PUBLISHED item of a followed list, None when it is another mail
    (no List-Id, a list's own notice such as a welcome, or a list the channel does not follow), malformed when it
    cannot be read."""
    if not _maybe_followed(raw, lists):
        return None  # cheap look at the raw headers first: full parsing costs far more (bench in the report)
    try:
        mail = parse_mail(raw)
    except MailError as exc:
        return MalformedItem(reason=str(exc))
    if not mail.list_id or not mail.list_post or (lists is not None and mail.list_id not in lists):
        return None
    return map_mail(mail, mail.list_id, NetworkStatus.PUBLISHED, received)


def _maybe_followed(raw: bytes, lists: set[str] | None) -> bool:
    """Whether the raw header block may be a post of a followed list (List-Post, and List-Id naming one of them);
    a message without a header block goes on to be parsed (and reported malformed)."""
    head = re.split(rb"\r?\n\r?\n", raw[:HEAD_BYTES], maxsplit=1)[0].lower()
    if b"message-id:" not in head:
        return True
    if b"\nlist-post:" not in head and not head.startswith(b"list-post:"):
        return False
    return lists is None or any(f"<{list_id}>".encode() in head for list_id in lists)


def map_list(entry: dict[str, object]) -> Target | None:
    list_id = entry.get("list_id")
    if not isinstance(list_id, str) or not list_id:
        return None
    name = str(entry.get("display_name") or entry.get("fqdn_listname") or list_id)
    address = str(entry.get("fqdn_listname") or "")
    count = entry.get("member_count")
    members = (
        ngettext("%(count)d member", "%(count)d members", count) % {"count": count} if isinstance(count, int) else ""
    )
    detail = ", ".join(part for part in (address, members) if part)
    return Target(id=list_id, name=name, detail=detail)
