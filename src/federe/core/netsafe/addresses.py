"""Which addresses may be fetched: the scheme, no credentials, and every resolved IP address a public one.

Host names are resolved here (``socket.getaddrinfo``) and judged by every address they resolve to; odd spellings
of an IP (``0x7f.1``, ``2130706433``, ``127.1``) go through the same resolver, so they are judged by the address
they really mean. Operators allow more with ``FEDERE_NET_ALLOW_PRIVATE`` and ``FEDERE_NET_ALLOW_HOSTS``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from federe.core.netsafe.errors import NetError, NetRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


@dataclass(frozen=True)
class Target:
    """A checked address: the URL, its host and port, and the IP addresses we are allowed to connect to."""

    url: httpx.URL
    host: str
    port: int
    addresses: tuple[str, ...]


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
