"""Building the connector for a stored connection (credentials decrypted only here, only in memory)."""

from __future__ import annotations

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability


def connector_for(connection: Connection) -> Connector:
    return registry.build(connection.network, config=connection.config, credentials=connection.credentials)


def can(connection: Connection, capability: Capability) -> bool:
    """Whether the connection's network can do this; reads the class, decrypts nothing."""
    return capability in registry.connector_class(connection.network).capabilities
