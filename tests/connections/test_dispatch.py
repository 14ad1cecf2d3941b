from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from federe.connections.models import Connection, SyncRun, SyncState
from federe.connections.services import dispatch_due_syncs, request_sync, sync_connection
from federe.inbox.models import Message
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def test_due_connections_are_queued_once(workspace, django_capture_on_commit_callbacks):
    due = [ConnectionFactory(workspace=workspace) for _ in range(3)]
    later = ConnectionFactory(workspace=workspace, next_sync_at=timezone.now() + timedelta(hours=1))
    off = ConnectionFactory(workspace=workspace, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        first = dispatch_due_syncs()
    with django_capture_on_commit_callbacks(execute=True):
        second = dispatch_due_syncs()
    assert sorted(first) == sorted(c.pk for c in due)
    assert second == []
    assert DBTaskResult.objects.count() == 3
    assert set(Connection.objects.filter(pk__in=first).values_list("sync_state", flat=True)) == {SyncState.QUEUED}
    assert Connection.objects.get(pk=later.pk).sync_state == SyncState.IDLE
    assert Connection.objects.get(pk=off.pk).sync_state == SyncState.IDLE


def test_a_lost_worker_lease_expires_and_the_connection_is_queued_again(connection, django_capture_on_commit_callbacks):
    Connection.objects.filter(pk=connection.pk).update(
        sync_state=SyncState.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due_syncs() == [connection.pk]


def test_a_running_sync_is_not_started_twice(connection):
    Connection.objects.filter(pk=connection.pk).update(
        sync_state=SyncState.RUNNING, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert sync_connection(connection.pk) is None
    assert SyncRun.objects.count() == 0


def test_the_queued_task_runs_the_sync_and_schedules_the_next(connection, django_capture_on_commit_callbacks):
    from federe.connections.tasks import sync_connection_task

    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due_syncs()
    task_row = DBTaskResult.objects.get()
    assert task_row.args_kwargs["args"] == [connection.pk]
    result = sync_connection_task.call(connection.pk)
    assert result == {"stored": 50, "updated": 0}
    connection.refresh_from_db()
    assert connection.sync_state == SyncState.IDLE
    assert connection.next_sync_at > timezone.now() + timedelta(seconds=connection.sync_interval_seconds - 5)
    assert Message.objects.filter(connection=connection).count() == 50


def test_sync_now_moves_the_next_sync_forward(connection, owner):
    Connection.objects.filter(pk=connection.pk).update(next_sync_at=timezone.now() + timedelta(hours=2))
    request_sync(connection, by=owner)
    connection.refresh_from_db()
    assert connection.next_sync_at <= timezone.now()


def test_the_dispatcher_wakes_when_the_next_idle_channel_is_due(workspace):
    from federe.connections.schedule import dispatch_wait, seconds_to_next_sync

    now = timezone.now()
    assert seconds_to_next_sync(now) is None
    ConnectionFactory(workspace=workspace, next_sync_at=now + timedelta(seconds=3))
    ConnectionFactory(workspace=workspace, next_sync_at=now - timedelta(seconds=5), sync_state=SyncState.RUNNING)
    ConnectionFactory(workspace=workspace, next_sync_at=now - timedelta(seconds=5), enabled=False)
    assert seconds_to_next_sync(now) == pytest.approx(3)
    assert dispatch_wait(2.0, seconds_to_next_sync(now)) == 2.0  # due after the round: a whole round
    assert dispatch_wait(2.0, seconds_to_next_sync(now + timedelta(seconds=2))) == pytest.approx(1.0)
    assert dispatch_wait(2.0, -4.0) == 0.2  # due already (another dispatcher holds it): never a spin
    assert dispatch_wait(2.0, None) == 2.0
