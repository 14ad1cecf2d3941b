"""Fetching addresses that users type (feeds, instances, webhooks) without letting them reach inside our network.

A feed address is chosen by a user, so it may point at the server itself (``http://127.0.0.1:5432``), at the
local network (``http://10.0.0.1/admin``) or at the cloud's metadata service (``http://169.254.169.254/``).
This module refuses all of those (SSRF), unless an operator allows them explicitly.

How
---
* **Only http and https**, no user name or password in the address.
* **We resolve the host ourselves** (``socket.getaddrinfo``) and refuse it when *any* of its addresses is not a
  public one: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the metadata address,
  fe80::/10), unspecified, multicast, reserved or documentation ranges, shared/CGNAT (100.64/10), and IPv6
  forms that carry one of those IPv4 addresses (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4,
  Teredo). Odd spellings (``0x7f.1``, ``2130706433``, ``127.1``) go through the same resolver, so they are
  judged by the address they really mean.
* **DNS rebinding**: the connection is made to the address we checked, never to a second lookup. The transport's
  network backend receives the host name from httpcore and connects to the pinned address instead; the URL and
  the Host header keep the name, so TLS still sends the right SNI and checks the certificate against the name.
* **Redirects are followed by hand** (at most 5); every hop goes through the same check. Credentials
  (``Authorization``) are dropped when a redirect leaves the original origin.
* **Limits**: connect and read timeouts, a total deadline for the whole exchange (an endless slow answer is cut),
  and a size cap counted while streaming (we stop reading at ``max_bytes``).
* **Conditional GET**: ``If-None-Match`` / ``If-Modified-Since``; a 304 gives ``not_modified``.
* **Never inside a database transaction**: a remote server may take seconds to answer, and on SQLite an open
  write transaction locks the whole database meanwhile. A request made inside one is logged as an error, and
  refused with ``FEDERE_NET_FORBID_IN_TRANSACTION`` (on in the test settings, so that every test checks it).
* Messages name the address without its query string (which may carry tokens and is noise to a reader).

Operators allow more with ``FEDERE_NET_ALLOW_PRIVATE`` (every address) or ``FEDERE_NET_ALLOW_HOSTS`` (host names,
``.suffix`` for a domain and its subdomains, or CIDRs such as ``10.1.0.0/16``). The test settings allow loopback
only, so tests can serve feeds from 127.0.0.1 while private ranges stay refused.

Where things are: ``addresses`` (which addresses may be fetched, the resolver), ``transport`` (connections
pinned to the checked addresses), ``fetch`` (:func:`request` and :func:`fetch_url`: redirects, limits, no
transaction), ``answer`` (:class:`FetchResult`, ``Retry-After``), ``tls`` (certificate failures in plain
words), ``errors``. Callers use the names below: ``from federe.core import netsafe``, ``netsafe.request(...)``.
"""

from federe.core.netsafe.addresses import Target, address_problem, check_url, parse_url
from federe.core.netsafe.answer import FetchResult, retry_after_seconds
from federe.core.netsafe.errors import NetError, NetRefused
from federe.core.netsafe.fetch import MAX_REDIRECTS, REDIRECT_STATUSES, USER_AGENT, fetch_url, request
from federe.core.netsafe.mailserver import imap_connection, mail_connection
from federe.core.netsafe.sockets import tcp_connection
from federe.core.netsafe.tls import tls_failure, tls_refused, tls_words
from federe.core.netsafe.transport import SafeTransport

__all__ = [
    "MAX_REDIRECTS",
    "REDIRECT_STATUSES",
    "USER_AGENT",
    "FetchResult",
    "NetError",
    "NetRefused",
    "SafeTransport",
    "Target",
    "address_problem",
    "check_url",
    "fetch_url",
    "imap_connection",
    "mail_connection",
    "parse_url",
    "request",
    "retry_after_seconds",
    "tcp_connection",
    "tls_failure",
    "tls_refused",
    "tls_words",
]
