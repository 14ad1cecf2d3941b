"""A network whose fetch long-polls (Connector.long_poll_seconds) is synced again as soon as a sync ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from federe.connections.models import Connection, SyncState
from federe.connections.services import dispatch_due_syncs, queue_if_due
from federe.connections.tasks import sync_connection_task
from federe.connectors.dummy.connector import DummyConnector
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def _sync_tasks():
    return DBTaskResult.objects.filter(task_path=sync_connection_task.module_path)


def _synced(connection: Connection) -> Connection:
    sync_connection_task.call(connection.pk)
    return Connection.objects.get(pk=connection.pk)


def test_a_long_polling_channel_is_queued_again_when_its_sync_ends(
    workspace, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(DummyConnector, "long_poll_seconds", 20)
    connection = ConnectionFactory(workspace=workspace, network="dummy", config={"total": 3})
    with django_capture_on_commit_callbacks(execute=True):
        after = _synced(connection)
    assert after.sync_state == SyncState.QUEUED and after.next_sync_at <= timezone.now()
    assert (
        DBTaskResult.objects.filter(
            task_path=sync_connection_task.module_path, args_kwargs__args=[connection.pk]
        ).count()
        == 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due_syncs() == []  # already queued: the dispatcher does not queue it twice
    assert not queue_if_due(connection.pk)


def test_a_polling_channel_waits_for_its_interval(workspace, django_capture_on_commit_callbacks):
    connection = ConnectionFactory(workspace=workspace, network="dummy", config={"total": 3})
    with django_capture_on_commit_callbacks(execute=True):
        after = _synced(connection)
    assert after.sync_state == SyncState.IDLE
    assert after.next_sync_at >= timezone.now() + timedelta(seconds=after.sync_interval_seconds - 5)
    assert not _sync_tasks().exists()


def test_a_channel_set_to_no_long_poll_and_a_failed_sync_are_not_requeued(workspace, monkeypatch):
    monkeypatch.setattr(DummyConnector, "long_poll_seconds", 20)
    quiet = ConnectionFactory(workspace=workspace, network="dummy", config={"total": 3, "long_poll_seconds": 0})
    failing = ConnectionFactory(workspace=workspace, network="dummy", config={"fail": "server_error"})
    assert _synced(quiet).sync_state == SyncState.IDLE
    after = _synced(failing)
    assert after.sync_state == SyncState.IDLE and after.next_sync_at > timezone.now()
    assert not _sync_tasks().exists()
