from __future__ import annotations

from ninja import Router

from federe.api.v1.schemas import ConnectionIn, ConnectionOut, Id, SyncOut
from federe.connections import queries, services
from federe.connections.models import Connection
from federe.connectors import registry
from federe.core.requests import ApiRequest
from federe.moderation.actions import offered

router = Router()


def _out(connection: Connection) -> ConnectionOut:
    return ConnectionOut(
        id=connection.pk,
        name=connection.name,
        network=connection.network,
        enabled=connection.enabled,
        capabilities=sorted(registry.connector_class(connection.network).capabilities),
        actions=[str(verdict) for verdict in offered(connection)],
        sync_state=connection.sync_state,
        next_sync_at=connection.next_sync_at,
        last_success_at=connection.last_success_at,
        last_error=connection.last_error,
        last_warning=connection.last_warning,
    )


@router.get("", response=list[ConnectionOut])
def list_connections(request: ApiRequest) -> list[ConnectionOut]:
    return [_out(c) for c in queries.connections_of(request.workspace)]


@router.post("", response={201: ConnectionOut})
def create_connection(request: ApiRequest, payload: ConnectionIn) -> tuple[int, ConnectionOut]:
    connection = services.create_connection(
        workspace=request.workspace,
        network=payload.network,
        name=payload.name,
        config=payload.config,
        credentials=payload.credentials,
        by=request.user,
    )
    return 201, _out(connection)


@router.get("/{connection_id}", response=ConnectionOut)
def get_connection(request: ApiRequest, connection_id: Id) -> ConnectionOut:
    return _out(queries.connection_of(request.workspace, connection_id))


@router.post("/{connection_id}/sync", response={202: SyncOut})
def sync_connection(request: ApiRequest, connection_id: Id) -> tuple[int, SyncOut]:
    """Ask for a sync now; a worker runs it within seconds."""
    connection = queries.connection_of(request.workspace, connection_id)
    services.request_sync(connection, by=request.user)
    return 202, SyncOut(queued=True)
