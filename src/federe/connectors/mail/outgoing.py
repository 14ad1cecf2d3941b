"""Writing and sending e-mail replies: network-neutral (mailing lists, IMAP accounts, newsgroups by mail).

The Message-ID is derived from the reply's idempotency key, so a retried reply carries the same id as the first
attempt: the receiving side (the list, the mailbox, Fédère's own ingest) recognises it as the same message.
Replies thread by ``In-Reply-To`` (the parent) and ``References`` (the parent's references, then the parent).

Sending goes through ``federe.core.netsafe.mail_connection`` (address checks, no transaction): SMTP (with
STARTTLS or over TLS, optionally with a login) or LMTP.
"""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.utils import timezone
from django.utils.translation import gettext as _

from federe.connectors.errors import ConnectorError, Permanent, Transient, Unauthorized
from federe.connectors.mail.parse import topic_of
from federe.core import netsafe
from federe.core.html import html_to_text, sanitize_html

MAX_REFERENCES = 20


def message_id_for(idempotency_key: str, sender: str) -> str:
    """The Message-ID (without brackets) of the reply with this key, in the sender's domain."""
    domain = sender.rpartition("@")[2] or "federe.invalid"
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"federe.{digest}@{domain}"


def reply_subject(subject: str) -> str:
    """ "Re: " and the thread's topic: a list's "[tag]" and earlier "Re:"s are dropped (the list adds its tag)."""
    return f"Re: {topic_of(subject)}".strip()


def build_reply(
    *,
    sender: str,
    sender_name: str,
    to: str,
    subject: str,
    body_html: str,
    message_id: str,
    parent_id: str = "",
    references: tuple[str, ...] = (),
) -> EmailMessage:
    """A plain-text reply (lists and many readers refuse or mangle HTML) with its threading headers."""
    message = _message(sender=sender, sender_name=sender_name, to=to, subject=reply_subject(subject),
                       message_id=message_id)  # fmt: skip
    chain = [ref for ref in references if ref and ref != parent_id]
    if parent_id:
        chain.append(parent_id)
        message["In-Reply-To"] = f"<{parent_id}>"
    if chain:
        kept = chain[:1] + chain[1:][-(MAX_REFERENCES - 1) :]  # RFC 5322: keep the first, trim the middle
        message["References"] = " ".join(f"<{ref}>" for ref in kept)
    message.set_content(plain_text(body_html) + "\n", charset="utf-8")
    return message


def build_post(*, sender: str, sender_name: str, to: str, subject: str, text: str, message_id: str) -> EmailMessage:
    """A new message (an announcement to a list): plain text, its subject as given, no threading headers."""
    message = _message(sender=sender, sender_name=sender_name, to=to, subject=subject, message_id=message_id)
    message.set_content(text.strip() + "\n", charset="utf-8")
    return message


def _message(*, sender: str, sender_name: str, to: str, subject: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender)) if sender_name else sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = f"<{message_id}>"
    message["X-Mailer"] = "Federe"
    return message


def plain_text(body_html: str) -> str:
    """The reply's text with its paragraphs kept, from the sanitised HTML."""
    safe = sanitize_html(body_html)
    parts = [html_to_text(p) for p in safe.replace("<br>", "</p><p>").split("</p>")]
    return "\n\n".join(part for part in parts if part) or html_to_text(safe)


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    protocol: str = "smtp"  # smtp, starttls, smtps, lmtp
    user: str = ""
    password: str = ""
    timeout: float = 20

    def __repr__(self) -> str:
        return f"<MailServer {self.protocol}://{self.host}:{self.port}>"  # never the password


def send(server: MailServer, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
    """Hand ``message`` to the mail server; a connector error in plain words when it is not accepted."""
    where = f"{server.host}:{server.port}"
    try:
        connection = netsafe.mail_connection(server.host, server.port, server.protocol, timeout=server.timeout)
    except netsafe.NetError as exc:
        raise (Permanent if isinstance(exc, netsafe.NetRefused) else Transient)(exc.message) from exc
    except (OSError, smtplib.SMTPException) as exc:
        words = _("The mail server %(where)s did not answer: %(why)s.") % {"where": where, "why": _why(exc)}
        raise Transient(words) from exc
    try:
        with connection:
            if server.user:
                connection.login(server.user, server.password)
            refused = connection.send_message(message, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError as exc:
        raise Unauthorized(
            _("The mail server %(where)s refused the user name or password.") % {"where": where}
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise _refusal(exc, where) from exc
    if refused:
        raise Permanent(
            _("The mail server %(where)s refused the recipient %(to)s.") % {"where": where, "to": ", ".join(refused)}
        )


def _why(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", "") or exc or type(exc).__name__)[:200]


def _refusal(exc: BaseException, where: str) -> ConnectorError:
    """A 4xx answer or a dropped connection may pass; a 5xx answer will not."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [value[0] for value in exc.recipients.values() if isinstance(value, tuple)]
        code = min(codes) if codes else 550
    values = {"where": where, "why": _why(exc)}
    if isinstance(code, int) and code >= 500:
        return Permanent(_("The mail server %(where)s refused the message: %(why)s.") % values, status=code)
    return Transient(_("The mail server %(where)s could not take the message now: %(why)s.") % values)
