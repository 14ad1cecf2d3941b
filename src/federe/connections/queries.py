from __future__ import annotations

from django.db.models import QuerySet

from federe.accounts.models import Workspace
from federe.connections.models import Connection, SyncRun


def connections_of(workspace: Workspace) -> QuerySet[Connection]:
    return Connection.objects.filter(workspace=workspace).order_by("name")


def connection_of(workspace: Workspace, pk: int) -> Connection:
    return Connection.objects.get(workspace=workspace, pk=pk)


def recent_runs(workspace: Workspace, connection: Connection, limit: int = 10) -> QuerySet[SyncRun]:
    return SyncRun.objects.filter(workspace=workspace, connection=connection).order_by("-created_at")[:limit]
