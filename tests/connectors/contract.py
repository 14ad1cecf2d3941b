"""What the connector contract suite (test_contract.py) asks of each network: a small kit, in its test folder.

Every registered connector must have ``tests/connectors/<key>/kit.py`` with a ``KIT``: how to build the
connector, its recorded payloads served while ``network()`` is open, one call for each capability it declares,
and ways to make its network fail. A connector without a kit fails the suite, so a new network cannot skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any
from unittest import mock

import httpx
import respx

from federe.connectors import registry
from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind
from federe.core.netsafe import addresses

PUBLIC_IP = "93.184.216.34"

# The call that must fail, inside a context where the network fails.
Failure = Callable[[], AbstractContextManager[Callable[[], object]]]


@dataclass
class Kit:
    key: str
    config: dict[str, Any]
    credentials: dict[str, Any] = field(default_factory=dict)
    # The recorded payloads, served while open (respx, a fake server...); nothing for networks without HTTP.
    network: Callable[[], AbstractContextManager[Any]] = nullcontext
    # One call for each declared capability but READ (fetch is the suite's own business).
    calls: dict[Capability, Callable[[Connector], object]] = field(default_factory=dict)
    # One call for each moderation action the connector declares (``Connector.actions``), on the recorded payloads.
    actions: dict[ActionKind, Callable[[Connector], object]] = field(default_factory=dict)
    # Named ways for the network to fail; each must end in a connector error with a translated message.
    failures: dict[str, Failure] = field(default_factory=dict)
    max_pages: int = 50  # a full sync from scratch ends within this many pages
    # The connection form filled for a server that does not answer (field names without the network's prefix,
    # secrets included), and the words the page then says; empty for networks reached only through recorded payloads.
    unreachable: dict[str, str] = field(default_factory=dict)
    unreachable_words: str = ""

    def build(self, config: dict[str, Any] | None = None) -> Connector:
        return registry.build(self.key, config={**self.config, **(config or {})}, credentials=dict(self.credentials))

    @property
    def secrets(self) -> list[str]:
        return [value for value in self.credentials.values() if isinstance(value, str) and value]


def kit_of(key: str) -> Kit:
    """The kit of a registered connector; ModuleNotFoundError (the suite fails) when it has none."""
    module = import_module(f"tests.connectors.{key}.kit")
    kit = module.KIT
    assert isinstance(kit, Kit) and kit.key == key, f"tests/connectors/{key}/kit.py must define KIT = Kit({key!r}, ...)"
    return kit


@contextmanager
def public_dns(*hosts: str) -> Iterator[None]:
    """``hosts`` resolve to a public address, so that netsafe lets the request through to respx."""
    real = addresses._resolve

    def resolve(host: str, port: int) -> list[str]:
        return [PUBLIC_IP] if host in hosts else real(host, port)

    with mock.patch.object(addresses, "_resolve", resolve):
        yield


# The answers every HTTP network must turn into one of the error family, in plain (translated) words.
HTTP_FAILURES: dict[str, Callable[[httpx.Request], httpx.Response]] = {
    "refused": lambda request: httpx.Response(401, json={"error": "no"}),
    "forbidden": lambda request: httpx.Response(403, text="Forbidden"),
    "not found": lambda request: httpx.Response(404, text="Not Found"),
    "slow down": lambda request: httpx.Response(429, headers={"Retry-After": "30"}),
    "server error": lambda request: httpx.Response(500, text="Oops"),
    "not what was asked": lambda request: httpx.Response(200, text="<html>a proxy page</html>"),
    "unreachable": lambda request: (_ for _ in ()).throw(httpx.ConnectError("connection refused")),
    "timeout": lambda request: (_ for _ in ()).throw(httpx.ReadTimeout("too slow")),
}


def http_failures(kit_build: Callable[[], Connector], host: str) -> dict[str, Failure]:
    """The standard HTTP failures on ``host``, each ending ``fetch``."""

    def failure(answer: Callable[[httpx.Request], httpx.Response]) -> Failure:
        @contextmanager
        def failing() -> Iterator[Callable[[], object]]:
            with public_dns(host), respx.mock(assert_all_called=False) as router:
                router.route(host=host).mock(side_effect=answer)
                yield lambda: kit_build().fetch(None)

        return failing

    return {name: failure(answer) for name, answer in HTTP_FAILURES.items()}
