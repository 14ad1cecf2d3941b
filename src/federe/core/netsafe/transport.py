"""A transport that connects only to checked addresses (no DNS rebinding).

The transport's network backend receives the host name from httpcore and connects to the address checked for
it instead of asking DNS again; the URL and the Host header keep the name, so TLS still sends the right SNI and
checks the certificate against the name.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from federe.core.netsafe.addresses import Target, check_url


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
