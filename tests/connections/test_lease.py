"""The sync lease: held for as long as a sync makes progress, and checked cheaply when nobody died."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federe.connections import services
from federe.connections.models import Connection, SyncRun, SyncState
from federe.connectors import registry

pytestmark = pytest.mark.django_db


def test_a_long_sync_keeps_its_lease_page_after_page(connection, monkeypatch):
    """Each page takes most of a lease: the dispatcher, looking in the middle of the third page, sees a live sync."""
    lease = timedelta(seconds=settings.FEDERE_SYNC_LEASE_SECONDS)
    clock = [timezone.now()]
    monkeypatch.setattr(services, "timezone", SimpleNamespace(now=lambda: clock[0]))
    connector = registry.connector_class("dummy")
    real_fetch = connector.fetch
    seen: list[tuple[str, list[int]]] = []

    def slow_fetch(self, cursor):
        if cursor:  # a page was stored: time has passed; what does the dispatcher make of this sync?
            requeued = services.dispatch_due_syncs(clock[0])
            seen.append((SyncRun.objects.get(connection=connection).outcome, requeued))
        batch = real_fetch(self, cursor)
        clock[0] += lease * 0.8
        return batch

    monkeypatch.setattr(connector, "fetch", slow_fetch)
    Connection.objects.filter(pk=connection.pk).update(next_sync_at=clock[0] - timedelta(days=1))
    outcome = services.sync_connection(connection.pk, worker_id="slow")
    assert outcome is not None and outcome.run.pages == 3
    assert seen == [(SyncRun.Outcome.RUNNING, []), (SyncRun.Outcome.RUNNING, [])]


def test_the_lease_is_released_when_the_sync_ends(connection):
    services.sync_connection(connection.pk)
    connection.refresh_from_db()
    assert connection.sync_state == SyncState.IDLE and connection.lease_expires_at is None


def _writes_during(call) -> list[str]:
    with CaptureQueriesContext(db) as queries:
        call()
    return [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]


def test_when_nothing_is_abandoned_the_check_writes_nothing(connection):
    services.sync_connection(connection.pk)
    SyncRun.objects.create(workspace=connection.workspace, connection=connection, worker_id="import")  # no lease
    assert _writes_during(lambda: services.interrupt_abandoned_runs(timezone.now())) == []


def test_an_abandoned_run_is_still_interrupted(connection):
    now = timezone.now()
    Connection.objects.filter(pk=connection.pk).update(
        sync_state=SyncState.RUNNING, lease_expires_at=now - timedelta(seconds=1)
    )
    run = SyncRun.objects.create(workspace=connection.workspace, connection=connection, worker_id="dead")
    assert services.interrupt_abandoned_runs(now) == 1
    run.refresh_from_db()
    assert run.outcome == SyncRun.Outcome.INTERRUPTED
