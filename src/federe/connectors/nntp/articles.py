"""Writing news articles: follow-ups, new threads, approvals and cancels (RFC 5536, RFC 5537).

* A follow-up (RFC 5537 §3.4.4) goes to the parent's ``Followup-To`` (else its ``Newsgroups``), its ``Subject``
  is "Re: " and the parent's topic, and its ``References`` are the parent's followed by the parent's id (the
  first kept, the middle trimmed when there are too many).
* The Message-ID (RFC 5536 §3.1.3) of what Fédère posts is derived from the reply's or delivery's idempotency
  key (``mail.outgoing.message_id_for``): a retried post carries the same id, and the server, which remembers
  the ids it has seen, refuses it as a duplicate instead of showing it twice.
* Approving a held article (RFC 5537 §3.9): the moderator posts the article as it was submitted, with an
  ``Approved`` header and without the mail transport's headers (``To``, ``Received``…).
* A cancel is a control message (RFC 5537 §5.3): ``Control: cancel <id>`` to the article's groups.
"""

from __future__ import annotations

import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime, formataddr

from django.utils import timezone

from federe.connectors.mail.outgoing import reply_subject
from federe.connectors.mail.parse import _header as header  # the one tolerant header reader
from federe.connectors.mail.parse import message_ids

MAX_REFERENCES = 20
# Headers of the mail that carried a held article to its moderator, or that the news server sets itself.
TRANSPORT_HEADERS = {
    b"to",
    b"cc",
    b"bcc",
    b"received",
    b"return-path",
    b"delivered-to",
    b"x-original-to",
    b"envelope-to",
    b"path",
    b"xref",
    b"injection-info",
    b"injection-date",
    b"nntp-posting-host",
    b"nntp-posting-date",
    b"approved",
}
_HEADER_NAME = re.compile(rb"^([!-9;-~]+):")
_SAFE_HEADER = re.compile(r"^[^\r\n\0]*$")


def headers_of(raw: bytes) -> EmailMessage:
    """The header block of an article, parsed (never raises on a hostile one: broken headers read as empty)."""
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    parsed = BytesHeaderParser(policy=policy.default).parsebytes(head)
    assert isinstance(parsed, EmailMessage)
    return parsed


def follow_up_of(parent: EmailMessage, parent_id: str) -> tuple[str, str, list[str]]:
    """(groups, subject, references) of a follow-up to ``parent`` (RFC 5537 §3.4.4)."""
    groups = header(parent, "Followup-To") or header(parent, "Newsgroups")
    chain = [ref for ref in message_ids(header(parent, "References")) if ref != parent_id] + [parent_id]
    kept = chain[:1] + chain[1:][-(MAX_REFERENCES - 1) :]
    return groups, reply_subject(header(parent, "Subject")), kept


def build(
    *,
    sender: str,
    sender_name: str,
    groups: str,
    subject: str,
    message_id: str,
    text: str,
    references: list[str] | None = None,
    extra: dict[str, str] | None = None,
) -> bytes:
    """A plain-text article in UTF-8 (MIME, RFC 5536 §3.1 headers), its lines ending in CRLF."""
    article = EmailMessage(policy=policy.SMTP)
    article["From"] = formataddr((sender_name, sender)) if sender_name else sender
    article["Newsgroups"] = groups
    article["Subject"] = subject
    article["Date"] = format_datetime(timezone.now())
    article["Message-ID"] = f"<{message_id}>"
    if references:
        article["References"] = " ".join(f"<{ref}>" for ref in references)
    for name, value in (extra or {}).items():
        article[name] = value
    article["User-Agent"] = "Federe"
    article.set_content(text.strip() + "\n", charset="utf-8", cte="8bit")
    return article.as_bytes()


def approved(raw: bytes, approver: str) -> bytes:
    """The held article as the moderator posts it: its own headers and body, the transport's headers dropped,
    ``Approved`` added. Works on the bytes, so that the body and its encoding go out as they came in."""
    if not _SAFE_HEADER.match(approver):
        raise ValueError("an Approved address is one line")
    parts = re.split(rb"(\r?\n\r?\n)", raw, maxsplit=1)
    head, body = parts[0], b"".join(parts[1:]) or b"\r\n\r\n"
    kept: list[bytes] = []
    dropping = False
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t"):  # a folded header's next line
            if not dropping:
                kept.append(line)
            continue
        matched = _HEADER_NAME.match(line)
        dropping = bool(matched) and matched.group(1).lower() in TRANSPORT_HEADERS  # type: ignore[union-attr]
        if not dropping:
            kept.append(line)
    kept.append(b"Approved: " + approver.encode("utf-8"))
    return b"\r\n".join(kept) + body


def cancel_id(message_id: str, sender: str) -> str:
    """The Message-ID of the cancel of ``message_id``: the same on every attempt (a retry is a duplicate)."""
    domain = sender.rpartition("@")[2] or "federe.invalid"
    digest = hashlib.sha256(f"cancel:{message_id}".encode()).hexdigest()[:32]
    return f"federe.cancel.{digest}@{domain}"
