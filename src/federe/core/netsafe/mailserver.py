"""Connections to mail servers (SMTP, SMTP over TLS, LMTP) under netsafe's rules.

A mail server's address is a user's choice, like a feed's: the host is resolved and judged here as
``check_url`` judges a web address (loopback, private and metadata addresses refused unless an operator allows
them), the connection is pinned to the checked address (TLS still checks the certificate against the name), and
no connection is opened inside a database transaction.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from typing import Any

import httpx

from federe.core.netsafe.addresses import check_url
from federe.core.netsafe.fetch import _refuse_inside_transaction

PROTOCOLS = ("smtp", "starttls", "smtps", "lmtp")


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


def mail_connection(host: str, port: int, protocol: str, *, timeout: float = 10) -> smtplib.SMTP:
    """An open, greeted connection to a mail server (``protocol``: smtp, starttls, smtps or lmtp).

    Raises NetRefused for an address Fédère may not reach, and OSError / smtplib errors as smtplib does.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown mail protocol {protocol!r}")
    shown = f"[{host}]" if ":" in host else host
    url = httpx.URL(f"http://{shown}:{port}/")
    _refuse_inside_transaction(url)
    target = check_url(url)
    classes: dict[str, type[smtplib.SMTP]] = {
        "smtp": _PinnedSMTP,
        "starttls": _PinnedSMTP,
        "lmtp": _PinnedLMTP,
        "smtps": _PinnedSMTPS,
    }
    kind = classes[protocol]
    if protocol == "smtps":
        server: smtplib.SMTP = kind(timeout=timeout, context=ssl.create_default_context())  # type: ignore[call-arg]
    else:
        server = kind(timeout=timeout)
    server.pinned = target.addresses[0]  # type: ignore[attr-defined]
    server._host = host  # type: ignore[attr-defined]  # the name TLS checks the certificate against
    server.connect(host, port)
    if protocol == "starttls":
        server.ehlo()
        server.starttls(context=ssl.create_default_context())
    return server
