"""Articles held for moderation: a moderated group's submissions are mailed to its moderator (RFC 5537 §3.5.1),
and the moderator's mailbox is a Maildir on this server (``config["moderation_maildir"]``, read-only, under
``FEDERE_MAILDIR_ROOTS``: see ``connectors.mail.maildir``). Each mail is the article itself, with a ``To``.

Fédère never moves or deletes a mail there: an approved article is known by being on the server, a rejected
one by the decision Fédère records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.mail import maildir
from federe.connectors.mail.parse import message_ids
from federe.connectors.nntp.articles import header, headers_of
from federe.connectors.nntp.mapping import map_article
from federe.connectors.types import Item, MalformedItem, NetworkStatus


def groups_of(raw: bytes) -> list[str]:
    try:
        return [g.strip() for g in header(headers_of(raw[: maildir.HEAD_BYTES]), "Newsgroups").split(",") if g]
    except Exception:  # a broken header block names no group
        return []


def read(folder: str, cursor: Any, limit: int, followed: set[str]) -> tuple[list[Item | MalformedItem], Any, bool]:
    """The held articles after ``cursor`` for the groups followed: items or malformed, the next cursor, more."""
    page = maildir.read_page(folder, cursor, limit)
    found: list[Item | MalformedItem] = []
    for entry, raw in page.messages:
        groups = groups_of(raw)
        if not groups:
            found.append(
                MalformedItem(
                    reason=_("A mail in the moderation mailbox is not a news article."), external_id=entry.name
                )
            )
            continue
        followed_groups = [g for g in groups if g in followed]
        if not followed_groups:
            continue
        mapped = map_article(raw, followed_groups[0], NetworkStatus.HELD, datetime.fromtimestamp(entry.seconds, UTC))
        if isinstance(mapped, MalformedItem):
            mapped = MalformedItem(reason=mapped.reason, external_id=entry.name)
        found.append(mapped)
    return found, page.cursor, page.has_more


def find(folder: str, message_id: str) -> bytes | None:
    """The held article with this Message-ID (its newest copy), or None."""
    if not folder:
        return None
    for entry in reversed(maildir.entries(folder)):
        head = maildir.read_entry(entry, maildir.HEAD_BYTES)
        if head is not None and message_id in message_ids(header(headers_of(head), "Message-ID")):
            return maildir.read_entry(entry)
    return None
