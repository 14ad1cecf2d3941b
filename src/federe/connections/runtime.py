"""Building the connector for a stored connection (credentials decrypted only here, only in memory)."""

from __future__ import annotations

from federe.connections.models import Connection
from federe.connectors import registry
from federe.connectors.base import Connector


def connector_for(connection: Connection) -> Connector:
    return registry.build(connection.network, config=connection.config, credentials=connection.credentials)
