"""Plain TCP (or TLS) connections to a server a user named, under netsafe's rules (chat servers such as IRC).

As for mail servers (``mailserver.py``): the host is resolved and judged as ``check_url`` judges a web address,
the socket is connected to the checked address (TLS still checks the certificate against the name), and no
connection is opened inside a database transaction.
"""

from __future__ import annotations

import socket
import ssl

import httpx

from federe.core.netsafe.addresses import check_url
from federe.core.netsafe.fetch import _refuse_inside_transaction


def tcp_connection(host: str, port: int, *, tls: bool = False, timeout: float = 10) -> socket.socket:
    """A connected socket; raises NetRefused for an address Fédère may not reach, OSError / ssl.SSLError else."""
    shown = f"[{host}]" if ":" in host else host
    url = httpx.URL(f"http://{shown}:{port}/")
    _refuse_inside_transaction(url)
    target = check_url(url)
    sock = socket.create_connection((target.addresses[0], port), timeout)
    if not tls:
        return sock
    try:
        return ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    except (OSError, ssl.SSLError):
        sock.close()
        raise
