"""RFC 5322 messages into plain facts a mail-based connector maps to Items: network-neutral (lists, IMAP, NNTP).

* Threading from the headers: a message answers ``In-Reply-To`` (else the last id of ``References``) and belongs
  to the thread of the first id of ``References`` (else of ``In-Reply-To``, else it starts its own thread).
* The body: the text/plain part as safe HTML (escaped, paragraphs kept), else the text/html part sanitised.
  Attachments are listed by name, type and size, never opened or run.
* Nothing here raises on a hostile message but ``MailError`` (no Message-ID, no sender), in plain words.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from django.utils.translation import gettext as _

from federe.core.html import sanitize_html, text_to_html

MAX_BODY_CHARS = 200_000
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,900})>")
_LIST_ID = re.compile(r"<([^<>\s]{1,300})>")
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd|tr)\s*(\[\d+\])?\s*:\s*|\[[^\]]{1,80}\]\s*)+", re.IGNORECASE)


class MailError(ValueError):
    """A message that cannot be read as a mail: the reason, in plain (translated) words."""


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    mime_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Mail:
    message_id: str  # without the angle brackets
    sender_email: str
    sender_name: str
    subject: str
    date: datetime | None
    body_html: str  # safe HTML
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    list_id: str = ""  # the List-Id header's id (RFC 2919), without brackets
    list_post: bool = False  # a post distributed by a list (List-Post, RFC 2369), not a list's own notice
    attachments: tuple[Attachment, ...] = ()

    @property
    def parent(self) -> str:
        """The message this one answers, or ''."""
        return self.in_reply_to or (self.references[-1] if self.references else "")

    @property
    def thread_root(self) -> str:
        """The first message of its thread (itself when it answers nothing)."""
        return self.references[0] if self.references else (self.in_reply_to or self.message_id)

    @property
    def topic(self) -> str:
        """The subject without its "Re:" and "[list]" prefixes: the thread's title."""
        return topic_of(self.subject)


def topic_of(subject: str) -> str:
    """A subject without its "Re:" and "[list]" prefixes (a list adds its own again)."""
    return _REPLY_PREFIX.sub("", subject).strip() or subject.strip()


def message_ids(value: str | None) -> list[str]:
    """The ids written in a Message-ID, In-Reply-To or References header, in order, without brackets."""
    return _MESSAGE_ID.findall(str(value or ""))


def parse_mail(raw: bytes) -> Mail:
    """One message, as read from a mailbox or an API; MailError when it has no Message-ID or no sender."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser may fail in many ways on hostile input
        raise MailError(_("This message cannot be read as an e-mail.")) from exc
    assert isinstance(message, EmailMessage)
    ids = message_ids(_header(message, "Message-ID"))
    if not ids:
        raise MailError(_("This e-mail has no Message-ID."))
    name, email = _sender(message)
    if not email:
        raise MailError(_("E-mail %(id)s has no sender address.") % {"id": ids[0][:200]})
    references = tuple(dict.fromkeys(message_ids(_header(message, "References"))))
    replied = message_ids(_header(message, "In-Reply-To"))
    list_ids = _LIST_ID.findall(_header(message, "List-Id"))
    return Mail(
        message_id=ids[0],
        sender_email=email,
        sender_name=name,
        subject=_header(message, "Subject")[:500],
        date=_date(_header(message, "Date")),
        body_html=_body(message),
        in_reply_to=replied[0] if replied else "",
        references=tuple(ref for ref in references if ref != ids[0]),
        list_id=list_ids[0].lower() if list_ids else "",
        list_post=bool(_header(message, "List-Post")),
        attachments=_attachments(message),
    )


def _header(message: EmailMessage, name: str) -> str:
    """A header as text; '' when it is missing or so broken that the parser gives up on it."""
    try:
        value = message.get(name)
    except Exception:  # a malformed header must not lose the message
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    for header in ("From", "Sender"):
        pairs = getaddresses([_header(message, header)])
        for name, email in pairs:
            if "@" in email:
                return name.strip()[:200], email.strip().lower()[:320]
    return "", ""


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _body(message: EmailMessage) -> str:
    """Every inline text part in order (a list's footer is one of them), each as safe HTML; of alternatives, the
    plain text. '' when there is none."""
    shown: list[str] = []
    try:
        for part in _text_parts(message):
            content = part.get_content()
            if isinstance(content, str):
                content = content[:MAX_BODY_CHARS]
                html_part = part.get_content_subtype() == "html"
                shown.append(sanitize_html(content) if html_part else text_to_html(content))
    except Exception:  # an unknown charset or broken encoding: keep the message and what was read
        return "".join(shown)
    return "".join(shown)


def _text_parts(part: EmailMessage, depth: int = 0) -> list[EmailMessage]:
    if depth > 10:
        return []
    if part.is_multipart():
        if part.get_content_subtype() == "alternative":
            chosen = part.get_body(preferencelist=("plain", "html"))
            return _text_parts(chosen, depth + 1) if isinstance(chosen, EmailMessage) else []
        return [found for sub in part.iter_parts() for found in _text_parts(sub, depth + 1)]  # type: ignore[arg-type]
    inline = part.get_content_disposition() != "attachment"
    return [part] if inline and part.get_content_type() in ("text/plain", "text/html") else []


def _attachments(message: EmailMessage) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    try:
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            name = str(part.get_filename() or "").strip()[:200]
            found.append(Attachment(filename=name, mime_type=part.get_content_type(), size=size))
    except Exception:  # listed when readable, never opened
        return tuple(found)
    return tuple(found)


def attachments_html(attachments: tuple[Attachment, ...]) -> str:
    """The attachments as a list to show under the body (names escaped, nothing opened)."""
    if not attachments:
        return ""
    rows = "".join(
        f"<li>{html.escape(a.filename or a.mime_type)} ({html.escape(a.mime_type)}, {_size(a.size)})</li>"
        for a in attachments
    )
    return f"<ul>{rows}</ul>"


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} B"
