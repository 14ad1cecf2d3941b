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
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
USER_AGENT = "Federe/0.1 (community listening; +https://federe.org)"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class NetError(Exception):
    """A fetch failed; ``message`` says why in plain words (in the active language)."""

    retryable = True
    code = "error"

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.status = status


class NetRefused(NetError):
    """We refused to fetch this address (unsafe address, scheme, credentials): trying again will not help."""

    retryable = False
    code = "refused"


@dataclass(frozen=True)
class Target:
    """A checked address: the URL, its host and port, and the IP addresses we are allowed to connect to."""

    url: httpx.URL
    host: str
    port: int
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes
    headers: httpx.Headers
    url: str  # the final address, after redirects
    not_modified: bool = False
    redirects: tuple[str, ...] = field(default=())

    @property
    def etag(self) -> str:
        return self.headers.get("ETag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("Last-Modified", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            key, _sep, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("'\"").lower()
        return ""


# -- address policy ----------------------------------------------------------------------------------------------


def address_problem(ip: IPAddress) -> str:
    """Why this address must not be reached (a short English word for logs and tests), or '' if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_problem(embedded)
        if ip in _NAT64_LOCAL:
            return "private"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "reserved"
    return ""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and would reach (mapped, NAT64, 6to4, Teredo), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _kind_words(problem: str) -> str:
    return {
        "loopback": _("is this server itself (loopback)"),
        "private": _("is in a private network"),
        "link-local": _("is link-local (this includes the cloud metadata service)"),
        "unspecified": _("is unspecified"),
        "multicast": _("is a multicast address"),
        "shared": _("is in a shared carrier-grade NAT range"),
        "reserved": _("is in a reserved, non-public range"),
    }.get(problem, problem)


def _allow_settings(allow_private: bool | None, allow_hosts: Iterable[str] | None) -> tuple[bool, list[str]]:
    if allow_private is None:
        allow_private = bool(getattr(settings, "FEDERE_NET_ALLOW_PRIVATE", False))
    hosts = list(getattr(settings, "FEDERE_NET_ALLOW_HOSTS", []) if allow_hosts is None else allow_hosts)
    return allow_private, hosts


def _host_allowed(host: str, ip: IPAddress, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            name = entry.rstrip(".")
            if host == name.lstrip(".") or (name.startswith(".") and host.endswith(name)):
                return True
            continue
        candidates = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        if any(candidate.version == network.version and candidate in network for candidate in candidates):
            return True
    return False


def _resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _not_found(host) from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 scope id
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise _not_found(host)
    return addresses


def _not_found(host: str) -> NetError:
    return NetError(_("The address %(host)s could not be found. Check the spelling.") % {"host": host}, code="dns")


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """The address as httpx reads it, when it is one we may fetch (http/https, a host, no credentials)."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url).strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise NetRefused(_("This address is not valid: %(url)s") % {"url": str(url)[:200]}, code="invalid") from exc
    if parsed.scheme not in ("http", "https"):
        raise NetRefused(
            _("Only http:// and https:// addresses can be fetched (not %(scheme)s).")
            % {"scheme": parsed.scheme or "?"},
            code="scheme",
        )
    if parsed.userinfo:
        raise NetRefused(
            _("Addresses with a user name or password in them are refused: remove the part before @."),
            code="credentials",
        )
    if not parsed.host:
        raise NetRefused(_("This address has no host name: %(url)s") % {"url": str(url)[:200]}, code="invalid")
    return parsed


def check_url(
    url: str | httpx.URL, *, allow_private: bool | None = None, allow_hosts: Iterable[str] | None = None
) -> Target:
    """Check an address and resolve it; raise NetRefused (or NetError when the name does not resolve)."""
    parsed = parse_url(url)
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    allow_all, allowed = _allow_settings(allow_private, allow_hosts)
    addresses = _resolve(host, port)
    for address in addresses:
        ip = ipaddress.ip_address(address)
        problem = address_problem(ip)
        if problem and not allow_all and not _host_allowed(host, ip, allowed):
            raise NetRefused(
                _(
                    "Fédère refuses to fetch %(host)s: its address %(ip)s %(kind)s. Reaching it could expose the"
                    " inside of your network; an administrator can allow it with FEDERE_NET_ALLOW_HOSTS."
                )
                % {"host": host, "kind": _kind_words(problem), "ip": address},
                code="address",
            )
    return Target(url=parsed, host=host, port=port, addresses=tuple(addresses))


# -- transport that connects only to checked addresses -------------------------------------------------------------


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to the addresses checked for a host name, never to a fresh DNS answer."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self.pins: dict[tuple[str, int], tuple[str, ...]] = {}

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.pins.get((host.lower(), port))
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not checked before connecting")
        last: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise httpcore.ConnectError("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle is slow."""
    return httpx.create_ssl_context()


class SafeTransport(httpx.HTTPTransport):
    """httpx's transport, but each request's host is checked and its connection pinned to the checked address.

    httpx gives no public way to hand its connection pool a network backend, so the pool is rebuilt with ours
    (``_pool`` is the attribute httpx.HTTPTransport has used since 0.18; the assertion fails loudly otherwise).
    """

    def __init__(self, *, allow_private: bool | None = None, allow_hosts: Iterable[str] | None = None) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        assert hasattr(self, "_pool"), "httpx.HTTPTransport changed: netsafe cannot pin addresses"
        self._backend = _PinnedBackend()
        self._pool = httpcore.ConnectionPool(ssl_context=_ssl_context(), network_backend=self._backend)
        self.allow_private = allow_private
        self.allow_hosts = None if allow_hosts is None else list(allow_hosts)
        self.checked: list[Target] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = check_url(request.url, allow_private=self.allow_private, allow_hosts=self.allow_hosts)
        self.checked.append(target)
        self._backend.pins[(request.url.raw_host.decode("ascii").lower(), target.port)] = target.addresses
        return super().handle_request(request)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After or X-RateLimit-Reset value (seconds, an HTTP date or an ISO 8601 time) as seconds to wait."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# -- fetching ---------------------------------------------------------------------------------------------------


def _deadline_error(url: str, seconds: float) -> NetError:
    return NetError(
        _("%(url)s did not finish answering within %(seconds)s seconds: the transfer was cut.")
        % {"url": url, "seconds": f"{seconds:g}"},
        code="deadline",
    )


def _shown(url: httpx.URL) -> str:
    """The address as messages show it: without its query string."""
    return str(url.copy_with(query=None, fragment=None))[:300]


def _refuse_inside_transaction(url: httpx.URL) -> None:
    """A network call must not hold a database transaction open (TestCase's own wrapping blocks do not count)."""
    for connection in connections.all(initialized_only=True):
        if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
            problem = f"network call to {_shown(url)} inside a database transaction ({connection.alias})"
            if getattr(settings, "FEDERE_NET_FORBID_IN_TRANSACTION", False):
                raise RuntimeError(problem)
            logger.error(problem)


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def request(
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    max_bytes: int = 5_000_000,
    timeout: float = 10,
    total_deadline: float = 20,
    allow_private: bool | None = None,
    allow_hosts: Iterable[str] | None = None,
    user_agent: str = USER_AGENT,
    follow_redirects: bool = True,
) -> FetchResult:
    """One HTTP exchange under the rules above; the answer's status is returned, not raised (except 304 → flag)."""
    started = time.monotonic()
    current = parse_url(url)  # resolved and checked by the transport, at each hop
    if params:
        current = current.copy_merge_params(dict(params))
    origin = current
    _refuse_inside_transaction(origin)
    sent_headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate", **(headers or {})}
    hops: list[str] = []
    transport = SafeTransport(allow_private=allow_private, allow_hosts=allow_hosts)
    with httpx.Client(transport=transport, follow_redirects=False, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            remaining = total_deadline - (time.monotonic() - started)
            if remaining <= 0:
                raise _deadline_error(_shown(origin), total_deadline)
            step = min(timeout, remaining)
            hop_headers = dict(sent_headers)
            if not _same_origin(current, origin):
                hop_headers = {k: v for k, v in hop_headers.items() if k.lower() not in ("authorization", "cookie")}
            built = client.build_request(
                method, current, headers=hop_headers, content=content, timeout=httpx.Timeout(step)
            )
            try:
                response = _send(client, built, _shown(current), timeout)
            except NetRefused as exc:
                if hops:  # say where the refused address came from
                    exc.message = f"{exc.message} " + _("(%(url)s redirected there.)") % {"url": _shown(origin)}
                    exc.args = (exc.message,)
                raise
            try:
                if response.status_code in REDIRECT_STATUSES and follow_redirects:
                    location = response.headers.get("Location", "")
                    if not location:
                        raise NetError(
                            _("%(url)s answered with a redirect but did not say where to.") % {"url": _shown(current)},
                            code="redirect",
                        )
                    try:
                        following = current.join(location)
                    except httpx.InvalidURL as exc:
                        raise NetRefused(
                            _("%(url)s redirects to an invalid address.") % {"url": _shown(current)}, code="redirect"
                        ) from exc
                    hops.append(str(following))
                    parse_url(following)
                    if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                        method, content = "GET", None
                    current = following
                    continue
                body = _read_capped(response, _shown(current), max_bytes, started, total_deadline)
            finally:
                response.close()
            return FetchResult(
                status=response.status_code,
                body=body,
                headers=response.headers,
                url=str(current),
                not_modified=response.status_code == 304,
                redirects=tuple(hops),
            )
    raise NetError(
        _("%(url)s redirects more than %(count)s times: give the final address instead.")
        % {"url": _shown(origin), "count": MAX_REDIRECTS},
        code="redirects",
    )


def fetch_url(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 5_000_000,
    timeout: float = 10,
    total_deadline: float = 20,
    allow_private: bool | None = None,
    allow_hosts: Iterable[str] | None = None,
    user_agent: str = USER_AGENT,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> FetchResult:
    """GET ``url`` safely, conditionally when ``etag`` / ``last_modified`` come from the previous answer."""
    sent = dict(headers or {})
    if etag:
        sent["If-None-Match"] = etag
    if last_modified:
        sent["If-Modified-Since"] = last_modified
    return request(
        "GET",
        url,
        params=params,
        headers=sent,
        max_bytes=max_bytes,
        timeout=timeout,
        total_deadline=total_deadline,
        allow_private=allow_private,
        allow_hosts=allow_hosts,
        user_agent=user_agent,
    )


def _send(client: httpx.Client, built: httpx.Request, url: str, timeout: float) -> httpx.Response:
    try:
        return client.send(built, stream=True)
    except NetError:
        raise
    except httpx.TimeoutException as exc:
        raise NetError(
            _("%(url)s did not answer within %(seconds)s seconds (timeout).") % {"url": url, "seconds": f"{timeout:g}"},
            code="timeout",
        ) from exc
    except httpx.ConnectError as exc:
        tls = tls_failure(exc)
        if tls:
            raise NetError(tls_words(tls, url), code="tls") from exc
        raise NetError(
            _("Cannot reach %(url)s: the server refused the connection or is down.") % {"url": url},
            code="unreachable",
        ) from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise NetRefused(_("This address is not valid: %(url)s") % {"url": url}, code="invalid") from exc
    except httpx.HTTPError as exc:
        raise NetError(
            _("The connection to %(url)s broke before it answered.") % {"url": url}, code="unreachable"
        ) from exc


def tls_failure(exc: BaseException) -> str:
    """Why a connection failed in the TLS handshake: a certificate problem (see _CERTIFICATE), "tls", or "".

    httpx wraps the ssl module's error in its own ConnectError; the original stays in the exception chain.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:  # chains can loop back on themselves
        chain.append(current)
        current = current.__cause__ or current.__context__
    for seen in chain:
        text = f"{getattr(seen, 'verify_message', '')} {seen}".lower()
        if isinstance(seen, ssl.SSLCertVerificationError) or "certificate_verify_failed" in text:
            return next((kind for kind in _CERTIFICATE if kind in text), "certificate")
    return "tls" if any(isinstance(seen, ssl.SSLError) or "[SSL" in str(seen) for seen in chain) else ""


# What the ssl module says about a refused certificate (its verify_message), as the reason we give.
_CERTIFICATE = ("self-signed", "expired", "hostname mismatch", "local issuer")


def tls_words(kind: str, url: str) -> str:
    reasons = {
        "self-signed": _("it is self-signed"),
        "expired": _("it has expired"),
        "hostname mismatch": _("it was issued for another name"),
        "local issuer": _("no known authority signed it"),
    }
    values = {"url": url, "reason": reasons.get(kind, "")}
    if kind in reasons:
        return _("The HTTPS certificate of %(url)s is not valid (%(reason)s): fix it or check the address.") % values
    if kind == "certificate":
        return _("The HTTPS certificate of %(url)s is not valid: fix it or check the address.") % values
    return _("The secure (HTTPS) connection to %(url)s failed: check the address and the server's TLS setup.") % values


def _read_capped(response: httpx.Response, url: str, max_bytes: int, started: float, total_deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(url, max_bytes)
            chunks.append(chunk)
            if time.monotonic() - started > total_deadline:
                raise _deadline_error(url, total_deadline)
    except httpx.TimeoutException as exc:
        if time.monotonic() - started > total_deadline:
            raise _deadline_error(url, total_deadline) from exc
        raise NetError(
            _("%(url)s stopped sending in the middle of its answer (timeout).") % {"url": url}, code="timeout"
        ) from exc
    except httpx.DecodingError as exc:
        raise NetError(_("%(url)s sent a compressed answer that cannot be read.") % {"url": url}) from exc
    except httpx.HTTPError as exc:
        raise NetError(
            _("The connection to %(url)s broke in the middle of its answer.") % {"url": url}, code="unreachable"
        ) from exc
    return b"".join(chunks)


def _too_large(url: str, max_bytes: int) -> NetError:
    return NetError(
        _("%(url)s is too large: Fédère stops reading after %(size)s MB.")
        % {"url": url, "size": f"{max_bytes / 1_000_000:g}"},
        code="too_large",
    )
