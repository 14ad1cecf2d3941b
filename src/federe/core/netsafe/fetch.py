"""One HTTP exchange under netsafe's rules: checked addresses, redirects followed by hand, limits, no transaction.

* **Redirects are followed by hand** (at most 5); every hop goes through the same check. Credentials
  (``Authorization``, cookies) are dropped when a redirect leaves the original origin.
* **Limits**: connect and read timeouts, a total deadline for the whole exchange (an endless slow answer is cut),
  and a size cap counted while streaming (we stop reading at ``max_bytes``).
* **Never inside a database transaction** (see :func:`_refuse_inside_transaction`).
* Messages name the address without its query string (which may carry tokens and is noise to a reader).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from federe.core.netsafe.addresses import parse_url
from federe.core.netsafe.answer import FetchResult
from federe.core.netsafe.errors import NetError, NetRefused
from federe.core.netsafe.tls import tls_failure, tls_words
from federe.core.netsafe.transport import SafeTransport

logger = logging.getLogger("federe.core.netsafe")
USER_AGENT = "Federe/0.1 (community listening; +https://federe.org)"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass
class _Limits:
    """How long each step may take, how long the whole exchange may take (from ``started``), how much it may read."""

    timeout: float
    total_deadline: float
    max_bytes: int
    started: float = field(default_factory=time.monotonic)

    def step(self, origin: httpx.URL) -> float:
        """The timeout of the next hop: the step timeout, or what is left of the deadline when that is shorter."""
        remaining = self.total_deadline - (time.monotonic() - self.started)
        if remaining <= 0:
            raise _deadline_error(_shown(origin), self.total_deadline)
        return min(self.timeout, remaining)


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
    """A network call must not hold a database transaction open (TestCase's own wrapping blocks do not count).

    A remote server may take seconds to answer, and on SQLite an open write transaction locks the whole database
    meanwhile. Logged as an error, and refused with ``FEDERE_NET_FORBID_IN_TRANSACTION`` (on in the test settings,
    so that every test checks it).
    """
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
    limits = _Limits(timeout=timeout, total_deadline=total_deadline, max_bytes=max_bytes)
    origin = parse_url(url)  # resolved and checked by the transport, at each hop
    if params:
        origin = origin.copy_merge_params(dict(params))
    _refuse_inside_transaction(origin)
    sent_headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate", **(headers or {})}
    transport = SafeTransport(allow_private=allow_private, allow_hosts=allow_hosts)
    with httpx.Client(transport=transport, follow_redirects=False, trust_env=False) as client:
        return _exchange(client, method, origin, sent_headers, content, limits, follow_redirects)


def _exchange(
    client: httpx.Client,
    method: str,
    origin: httpx.URL,
    sent_headers: dict[str, str],
    content: bytes | None,
    limits: _Limits,
    follow_redirects: bool,
) -> FetchResult:
    """Send, and follow redirects by hand (each hop checked again), until an answer that is not a redirect."""
    current = origin
    hops: list[str] = []
    for _hop in range(MAX_REDIRECTS + 1):
        step = limits.step(origin)
        built = client.build_request(
            method,
            current,
            headers=_hop_headers(sent_headers, current, origin),
            content=content,
            timeout=httpx.Timeout(step),
        )
        response = _send_hop(client, built, current, origin, hops, limits.timeout)
        try:
            if response.status_code in REDIRECT_STATUSES and follow_redirects:
                following = _redirect_target(response, current)
                hops.append(str(following))
                parse_url(following)
                if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                    method, content = "GET", None
                current = following
                continue
            body = _read_capped(response, _shown(current), limits)
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


def _hop_headers(sent: dict[str, str], current: httpx.URL, origin: httpx.URL) -> dict[str, str]:
    """The headers of one hop: credentials stay with the origin they were given for."""
    if _same_origin(current, origin):
        return dict(sent)
    return {k: v for k, v in sent.items() if k.lower() not in ("authorization", "cookie")}


def _send_hop(
    client: httpx.Client, built: httpx.Request, current: httpx.URL, origin: httpx.URL, hops: list[str], timeout: float
) -> httpx.Response:
    try:
        return _send(client, built, _shown(current), timeout)
    except NetRefused as exc:
        if hops:  # say where the refused address came from
            exc.message = f"{exc.message} " + _("(%(url)s redirected there.)") % {"url": _shown(origin)}
            exc.args = (exc.message,)
        raise


def _redirect_target(response: httpx.Response, current: httpx.URL) -> httpx.URL:
    """Where a redirect points, as an absolute address (checked again when it is sent)."""
    location = response.headers.get("Location", "")
    if not location:
        raise NetError(
            _("%(url)s answered with a redirect but did not say where to.") % {"url": _shown(current)},
            code="redirect",
        )
    try:
        return current.join(location)
    except httpx.InvalidURL as exc:
        raise NetRefused(
            _("%(url)s redirects to an invalid address.") % {"url": _shown(current)}, code="redirect"
        ) from exc


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


def _read_capped(response: httpx.Response, url: str, limits: _Limits) -> bytes:
    """The body, read while it stays under the size cap and the deadline."""
    max_bytes, started, total_deadline = limits.max_bytes, limits.started, limits.total_deadline
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
