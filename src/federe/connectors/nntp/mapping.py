"""News articles into Fédère items: pure functions, never raise.

An article is known by its Message-ID alone (without brackets): message-ids are unique across Usenet (RFC 5536
§3.1.3), so an article crossposted to two followed groups is one item, and a held article (from the moderator's
mailbox) that is approved comes back from the server as the same item, now PUBLISHED.

Threading follows RFC 5537 §3.4.4: a follow-up's ``References`` lists its ancestors, oldest first, so the thread
is the first id of ``References`` and the parent the last one; an article without ``References`` starts its own
thread. MIME and charsets are decoded by ``connectors.mail.parse``.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from federe.connectors.mail.parse import Mail, MailError, attachments_html, parse_mail
from federe.connectors.types import Author, Item, ItemKind, MalformedItem, NetworkStatus, Target


def map_article(
    raw: bytes, group: str, status: NetworkStatus = NetworkStatus.PUBLISHED, received: datetime | None = None
) -> Item | MalformedItem:
    try:
        mail = parse_mail(raw)
    except MailError as exc:
        return MalformedItem(reason=str(exc))
    return map_mail(mail, group, status, received)


def map_mail(mail: Mail, group: str, status: NetworkStatus, received: datetime | None = None) -> Item:
    references = mail.references or ((mail.in_reply_to,) if mail.in_reply_to else ())
    author = Author(
        external_id=mail.sender_email,
        handle=mail.sender_email,
        display_name=mail.sender_name or mail.sender_email.partition("@")[0],
        email=mail.sender_email,
    )
    return Item(
        external_id=mail.message_id,
        thread_id=references[0] if references else mail.message_id,
        parent_id=references[-1] if references else "",
        author=author,
        body_html=mail.body_html + attachments_html(mail.attachments),
        created_at=mail.date or received or timezone.now(),
        kind=ItemKind.REPLY if references else ItemKind.POST,
        thread_title=mail.topic,
        status=status,
        raw={"group": group, "message_id": mail.message_id, "subject": mail.subject},
    )


def map_group(name: str, status: str) -> Target:
    """One line of LIST ACTIVE as a group to follow; its status in words (RFC 3977 §7.6.3: y, n, m)."""
    detail = {"m": _("moderated"), "n": _("read-only here")}.get(status, "")
    return Target(id=name, name=name, detail=detail)
