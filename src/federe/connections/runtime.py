"""Building the connector for a stored connection (credentials decrypted only here, only in memory).

The connector's credentials know where they are stored (``connectors/keeping.py``): a connector that changes them
(a refreshed OAuth token, X's rotated refresh token, Matrix's login) stores them the moment it has them, through
:class:`StoredCredentials`: under a row lock on the channel, in a short transaction of its own, encrypted, and
only the keys this process changed, so that a newer token another process stored meanwhile is not written over.
Nothing is stored when the block ends: a worker killed in the middle of a sync has lost nothing, and a reply or a
moderation action the network accepted is never made to fail afterwards by a credentials save
(``connectors/oauth.py`` explains the refresh).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from federe.connectors.keeping import Credentials
from federe.core.secrets import decrypt_json, encrypt_json

_ABSENT = object()


def connector_for(connection: Connection) -> Connector:
    stored = connection.credentials
    credentials = Credentials(stored, StoredCredentials(connection, stored))
    return registry.build(connection.network, config=connection.config, credentials=credentials)


@contextmanager
def connected(connection: Connection) -> Iterator[Connector]:
    """The channel's connector (its credentials store themselves when they change: nothing is left to do after)."""
    yield connector_for(connection)


class StoredCredentials:
    """One channel's stored credentials, for one connector (``connectors.keeping.Store``). ``seen`` is what this
    process last read or wrote: the stored keys that differ from it were written by another process, the
    connector's keys that differ from it were changed here."""

    def __init__(self, connection: Connection, seen: dict[str, Any]) -> None:
        self.connection = connection
        self.seen = dict(seen)

    def _locked(self) -> dict[str, Any]:
        """The stored credentials, the channel's row locked until the transaction ends."""
        encrypted = (
            Connection.objects.select_for_update()
            .filter(pk=self.connection.pk)
            .values_list("credentials_encrypted", flat=True)
            .first()
        )
        return decrypt_json(encrypted or "")

    def take_newer(self, credentials: dict[str, Any]) -> set[str]:
        with transaction.atomic():
            stored = self._locked()
        taken = _differing(stored, self.seen)
        for key in taken:
            if key in stored:
                credentials[key] = stored[key]
            else:
                credentials.pop(key, None)
        self.seen = stored
        return taken

    def keep(self, credentials: dict[str, Any]) -> None:
        ours = _differing(credentials, self.seen)
        if not ours:
            return
        with transaction.atomic():
            stored = self._locked()
            for key in ours:
                if key in credentials:
                    stored[key] = credentials[key]
                else:
                    stored.pop(key, None)
            encrypted = encrypt_json(stored)
            Connection.objects.filter(pk=self.connection.pk).update(credentials_encrypted=encrypted)
        self.connection.credentials_encrypted = encrypted  # the caller's copy says what is stored too
        for key in _differing(stored, credentials):  # what another process stored meanwhile, taken here too:
            if key in stored:  # else a later save would take our stale copy for a change of ours
                credentials[key] = stored[key]
            else:
                credentials.pop(key, None)
        self.seen = stored


def _differing(one: dict[str, Any], other: dict[str, Any]) -> set[str]:
    return {key for key in one.keys() | other.keys() if one.get(key, _ABSENT) != other.get(key, _ABSENT)}


def can(connection: Connection, capability: Capability) -> bool:
    """Whether the connection's network can do this; reads the class, decrypts nothing."""
    return capability in registry.connector_class(connection.network).capabilities
