"""Building the connector for a stored connection (credentials decrypted only here, only in memory)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability


def connector_for(connection: Connection) -> Connector:
    return registry.build(connection.network, config=connection.config, credentials=connection.credentials)


@contextmanager
def connected(connection: Connection) -> Iterator[Connector]:
    """The channel's connector, whose changed credentials are stored when the block ends, even on an error."""
    connector = connector_for(connection)
    try:
        yield connector
    finally:
        keep_credentials(connection, connector)


def keep_credentials(connection: Connection, connector: Connector) -> bool:
    """Store the credentials the connector changed while it worked (X rotates its refresh token at each refresh:
    the old one stops working, losing the new one disconnects the channel). Encrypted, in a short transaction of
    its own, never logged. True when something was written."""
    current = getattr(connector, "credentials", None)  # a test's stand-in may have none
    if current is None or current == connection.credentials:
        return False
    connection.set_credentials(current)
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(credentials_encrypted=connection.credentials_encrypted)
    return True


def can(connection: Connection, capability: Capability) -> bool:
    """Whether the connection's network can do this; reads the class, decrypts nothing."""
    return capability in registry.connector_class(connection.network).capabilities
