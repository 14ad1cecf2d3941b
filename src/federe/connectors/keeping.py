"""Credentials that know where they are stored, so that a connector stores a new token the moment it has it.

A connector works on a plain dict of credentials and never touches the database (tests/test_architecture.py). The
runtime (``connections/runtime.py``) hands it a :class:`Credentials` instead: the same dict, carrying a
:class:`Store` that reads and writes the channel's stored, encrypted credentials. A connector that changed its
credentials calls :func:`changed` (``Connector.keep_credentials``) at once: a worker killed the next second has
stored them already. ``connectors/oauth.py`` also asks :func:`take_newer` before it spends a refresh token, so that
one refreshed by another process meanwhile is taken, not refreshed again. Outside the runtime (the setup form, a
connector's own tests) there is no store, and both functions do nothing.
"""

from __future__ import annotations

from typing import Any, Protocol


class Store(Protocol):
    def take_newer(self, credentials: dict[str, Any]) -> set[str]:
        """Copy into ``credentials`` what another process stored since we last read or wrote; the keys taken."""

    def keep(self, credentials: dict[str, Any]) -> None:
        """Store what we changed in ``credentials`` since we last read or wrote, now, in a transaction of its own."""


class Credentials(dict[str, Any]):
    """A channel's credentials and the place they are stored."""

    def __init__(self, values: dict[str, Any], store: Store | None = None) -> None:
        super().__init__(values)
        self.store = store

    def __repr__(self) -> str:
        return f"<Credentials {sorted(self)}>"  # the names of the keys, never a secret


def store_of(credentials: dict[str, Any]) -> Store | None:
    return getattr(credentials, "store", None)


def changed(credentials: dict[str, Any]) -> None:
    """Store the changed credentials now (nothing happens when they are not a stored channel's)."""
    store = store_of(credentials)
    if store is not None:
        store.keep(credentials)


def take_newer(credentials: dict[str, Any]) -> set[str]:
    """What another process stored meanwhile, copied into ``credentials``: the keys taken (none without a store)."""
    store = store_of(credentials)
    return store.take_newer(credentials) if store is not None else set()
