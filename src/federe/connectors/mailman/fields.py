"""What a user types to connect a Mailman channel, and the mail server replies go through."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.base import SetupField
from federe.connectors.errors import Permanent
from federe.connectors.mail.outgoing import MailServer
from federe.core.netsafe.mailserver import PROTOCOLS

DEFAULT_PORTS = {"smtp": 25, "starttls": 587, "smtps": 465, "lmtp": 24}

SETUP_FIELDS = (
    SetupField(
        "rest_url",
        _lazy("Mailman REST API address"),
        kind="url",
        help=_lazy("Mailman core's REST API, for example http://localhost:8001/3.1"),
    ),
    SetupField(
        "rest_user", _lazy("REST user name"), help=_lazy("admin_user in the [webservice] section of mailman.cfg")
    ),
    SetupField("rest_password", _lazy("REST password"), secret=True, kind="password"),
    SetupField(
        "maildir",
        _lazy("Subscriber mailbox (Maildir folder)"),
        required=False,
        help=_lazy("The absolute path of the Maildir where a subscribed address receives the lists' mail."),
    ),
    SetupField(
        "from_address",
        _lazy("Replies and posts are sent from"),
        required=False,
        help=_lazy("An address allowed to post."),
    ),
    SetupField("from_name", _lazy("Sender name shown on replies"), required=False),
    SetupField("mail_host", _lazy("Mail server (for replies)"), required=False),
    SetupField("mail_port", _lazy("Mail server port"), required=False),
    SetupField(
        "mail_protocol",
        _lazy("Mail server protocol"),
        required=False,
        help=_lazy("smtp, starttls (port 587), smtps (port 465) or lmtp; starttls when left empty."),
    ),
    SetupField("mail_user", _lazy("Mail server user name"), required=False),
    SetupField("mail_password", _lazy("Mail server password"), secret=True, required=False, kind="password"),
)


def mail_server(config: dict[str, Any], credentials: dict[str, Any]) -> tuple[MailServer, str]:
    """The mail server replies go through and the sender's address; Permanent in plain words when incomplete."""
    sender = str(config.get("from_address") or "").strip()
    host = str(config.get("mail_host") or "").strip()
    if "@" not in sender or not host:
        raise Permanent(
            _("To reply on a mailing list, give the address replies are sent from and the mail server to send them.")
        )
    protocol = str(config.get("mail_protocol") or "starttls").strip().lower()
    if protocol not in PROTOCOLS:
        raise Permanent(_("The mail server protocol must be one of %(choices)s.") % {"choices": ", ".join(PROTOCOLS)})
    try:
        port = int(config.get("mail_port") or DEFAULT_PORTS[protocol])
    except (TypeError, ValueError):
        port = 0
    if not 0 < port < 65536:
        raise Permanent(_("The mail server port must be a number between 1 and 65535."))
    server = MailServer(
        host=host,
        port=port,
        protocol=protocol,
        user=str(config.get("mail_user") or "").strip(),
        password=str(credentials.get("mail_password") or ""),
    )
    return server, sender
