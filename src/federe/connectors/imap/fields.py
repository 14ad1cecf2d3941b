"""What a user types to connect a mailbox, and the IMAP and SMTP servers it gives."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import SetupField
from federe.connectors.errors import Permanent
from federe.connectors.imap.client import ImapServer
from federe.connectors.mail.outgoing import MailServer
from federe.core.netsafe.mailserver import IMAP_SECURITY

IMAP_PORTS = {"tls": 993}  # else 143
SMTP_PROTOCOLS = {"auto": "auto", "starttls": "starttls", "tls": "smtps", "none": "smtp"}
SMTP_PORTS = {"tls": 465}  # else 587, the submission port (RFC 6409)

SETUP_FIELDS = (
    SetupField("imap_host", _lazy("IMAP server"), help=_lazy("For example imap.example.org")),
    SetupField("imap_port", _lazy("IMAP port"), required=False, help=_lazy("993 with TLS, else 143 when left empty.")),
    SetupField(
        "security",
        _lazy("Connection security"),
        required=False,
        kind="choice",
        choices=(
            ("auto", _lazy("Automatic: STARTTLS when the server offers it")),
            ("starttls", _lazy("STARTTLS (ports 143 and 587)")),
            ("tls", _lazy("TLS from the first byte (ports 993 and 465)")),
            ("none", _lazy("None: only for a server on this machine")),
        ),
    ),
    SetupField("user", _lazy("Mailbox user name"), help=_lazy("Often the full address, e.g. support@example.org")),
    SetupField("password", _lazy("Mailbox password"), secret=True, kind="password"),
    SetupField(
        "smtp_host",
        _lazy("Mail server for replies (SMTP)"),
        required=False,
        help=_lazy("The submission server; the IMAP server when left empty. Replies log in as the mailbox user."),
    ),
    SetupField("smtp_port", _lazy("SMTP port"), required=False, help=_lazy("465 with TLS, else 587 when left empty.")),
    SetupField(
        "from_address",
        _lazy("Replies are sent from"),
        required=False,
        help=_lazy("The mailbox's address; the user name when it is an address."),
    ),
    SetupField("from_name", _lazy("Sender name shown on replies"), required=False),
)


def _port(value: Any, default: int) -> int:
    try:
        port = int(value or default)
    except (TypeError, ValueError):
        port = 0
    if not 0 < port < 65536:
        raise Permanent(_("The mail server port must be a number between 1 and 65535."))
    return port


def security(config: dict[str, Any]) -> str:
    chosen = str(config.get("security") or "auto").strip().lower()
    if chosen not in IMAP_SECURITY:
        choices = ", ".join(IMAP_SECURITY)
        raise Permanent(_("The connection security must be one of %(choices)s.") % {"choices": choices})
    return chosen


def imap_server(config: dict[str, Any], credentials: dict[str, Any]) -> ImapServer:
    host = str(config.get("imap_host") or "").strip()
    user = str(config.get("user") or "").strip()
    if not host or not user:
        raise Permanent(_("Give the IMAP server and the mailbox user name."))
    chosen = security(config)
    return ImapServer(
        host=host,
        port=_port(config.get("imap_port"), IMAP_PORTS.get(chosen, 143)),
        security=chosen,
        user=user,
        password=str(credentials.get("password") or ""),
    )


def smtp_server(config: dict[str, Any], credentials: dict[str, Any]) -> tuple[MailServer, str]:
    """The submission server replies go through (logged in as the mailbox user) and the sender's address."""
    imap = imap_server(config, credentials)
    sender = str(config.get("from_address") or "").strip() or (imap.user if "@" in imap.user else "")
    if "@" not in sender:
        raise Permanent(_("To reply by e-mail, give the address replies are sent from."))
    chosen = imap.security
    server = MailServer(
        host=str(config.get("smtp_host") or "").strip() or imap.host,
        port=_port(config.get("smtp_port"), SMTP_PORTS.get(chosen, 587)),
        protocol=SMTP_PROTOCOLS[chosen],
        user=imap.user,
        password=imap.password,
    )
    return server, sender
