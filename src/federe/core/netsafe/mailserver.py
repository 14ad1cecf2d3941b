"""Connections to mail servers (SMTP, SMTP over TLS, LMTP, IMAP) under netsafe's rules.

A mail server's address is a user's choice, like a feed's: the host is resolved and judged here as
``check_url`` judges a web address (loopback, private and metadata addresses refused unless an operator allows
them), the connection is pinned to the checked address (TLS still checks the certificate against the name), and
no connection is opened inside a database transaction.
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from typing import Any

import httpx

from federe.core.netsafe.addresses import check_url
from federe.core.netsafe.fetch import _refuse_inside_transaction

PROTOCOLS = ("smtp", "starttls", "smtps", "lmtp", "auto")  # auto: SMTP, with STARTTLS when the server offers it
IMAP_SECURITY = ("auto", "starttls", "tls", "none")  # auto: STARTTLS when offered (RFC 3501 section 6.2.1)


class _Pinned:
    """Connects to the checked address while the host name stays the server's (for TLS and messages)."""

    pinned = ""
    source_address: Any
    timeout: float

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self.pinned or host, port), timeout, self.source_address)


class _PinnedSMTP(_Pinned, smtplib.SMTP):
    pass


class _PinnedLMTP(_Pinned, smtplib.LMTP):
    pass


class _PinnedSMTPS(smtplib.SMTP_SSL):
    pinned = ""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((self.pinned or host, port), timeout, self.source_address)
        return self.context.wrap_socket(sock, server_hostname=self._host)  # type: ignore[attr-defined]


def _checked_address(host: str, port: int) -> str:
    """The address to connect to, judged as ``check_url`` judges a web address; never inside a transaction."""
    shown = f"[{host}]" if ":" in host else host
    url = httpx.URL(f"http://{shown}:{port}/")
    _refuse_inside_transaction(url)
    return check_url(url).addresses[0]


def mail_connection(host: str, port: int, protocol: str, *, timeout: float = 10) -> smtplib.SMTP:
    """An open, greeted connection to a mail server (``protocol``: smtp, starttls, smtps or lmtp).

    Raises NetRefused for an address Fédère may not reach, and OSError / smtplib errors as smtplib does.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown mail protocol {protocol!r}")
    pinned = _checked_address(host, port)
    classes: dict[str, type[smtplib.SMTP]] = {
        "smtp": _PinnedSMTP,
        "starttls": _PinnedSMTP,
        "auto": _PinnedSMTP,
        "lmtp": _PinnedLMTP,
        "smtps": _PinnedSMTPS,
    }
    kind = classes[protocol]
    if protocol == "smtps":
        server: smtplib.SMTP = kind(timeout=timeout, context=ssl.create_default_context())  # type: ignore[call-arg]
    else:
        server = kind(timeout=timeout)
    server.pinned = pinned  # type: ignore[attr-defined]
    server._host = host  # type: ignore[attr-defined]  # the name TLS checks the certificate against
    server.connect(host, port)
    if protocol == "starttls":
        server.ehlo()
        server.starttls(context=ssl.create_default_context())
    elif protocol == "auto":
        server.ehlo()
        if server.has_extn("starttls"):
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
    return server


class _PinnedIMAP(imaplib.IMAP4):
    """Connects (in ``__init__``, as imaplib does) to the checked address; the host name stays the server's."""

    def __init__(self, host: str, port: int, pinned: str, timeout: float) -> None:
        self.pinned = pinned
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return socket.create_connection((self.pinned, self.port), timeout)


class _PinnedIMAPS(imaplib.IMAP4_SSL):
    def __init__(self, host: str, port: int, pinned: str, timeout: float) -> None:
        self.pinned = pinned
        super().__init__(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        sock = socket.create_connection((self.pinned, self.port), timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def imap_connection(host: str, port: int, security: str, *, timeout: float = 20) -> imaplib.IMAP4:
    """An open, greeted IMAP connection (``security``: auto, starttls, tls or none), not yet logged in.

    Raises NetRefused for an address Fédère may not reach, and OSError / imaplib errors as imaplib does.
    """
    if security not in IMAP_SECURITY:
        raise ValueError(f"unknown IMAP security {security!r}")
    kind = _PinnedIMAPS if security == "tls" else _PinnedIMAP
    server = kind(host, port, _checked_address(host, port), timeout)
    offered = "STARTTLS" in server.capabilities
    if security == "starttls" and not offered:
        server.shutdown()
        raise imaplib.IMAP4.error("the server does not offer STARTTLS")
    if offered and security in ("starttls", "auto"):
        server.starttls(ssl_context=ssl.create_default_context())
    return server
