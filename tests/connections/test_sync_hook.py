from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federe.connections.models import Connection
from federe.connections.services import sync_hook_token

pytestmark = pytest.mark.django_db


def later(connection):
    Connection.objects.filter(pk=connection.pk).update(next_sync_at=timezone.now() + timedelta(hours=1))


def test_a_valid_hook_brings_the_next_sync_forward(client, connection):
    later(connection)
    response = client.post(f"/hooks/sync/{connection.pk}/{sync_hook_token(connection.pk)}/", {"comment": "12"})
    assert response.status_code == 202
    connection.refresh_from_db()
    assert connection.next_sync_at <= timezone.now()


def test_a_wrong_token_or_another_channels_token_changes_nothing(client, connection, other_workspace):
    later(connection)
    foreign = other_workspace[2]
    assert client.post(f"/hooks/sync/{connection.pk}/{'0' * 32}/").status_code == 404
    assert client.post(f"/hooks/sync/{connection.pk}/{sync_hook_token(foreign.pk)}/").status_code == 404
    assert client.get(f"/hooks/sync/{connection.pk}/{sync_hook_token(connection.pk)}/").status_code == 405
    connection.refresh_from_db()
    assert connection.next_sync_at > timezone.now()


def test_the_channel_page_shows_the_address_to_managers_only(client, owner, member_factory, connection, workspace):
    from federe.accounts.models import Role

    token = sync_hook_token(connection.pk)
    client.force_login(owner)
    assert token in client.get(f"/w/{workspace.slug}/channels/{connection.pk}/").content.decode()
    client.force_login(member_factory(Role.ANALYST))
    assert token not in client.get(f"/w/{workspace.slug}/channels/{connection.pk}/").content.decode()


def _sync_tasks_for(connection):
    from django_tasks_db.models import DBTaskResult

    from federe.connections.tasks import sync_connection_task

    return DBTaskResult.objects.filter(task_path=sync_connection_task.module_path, args_kwargs__args=[connection.pk])


def test_a_hook_on_an_idle_channel_queues_its_sync_at_once(client, connection, django_capture_on_commit_callbacks):
    """The worker's task loop picks it up: no wait for the dispatcher's next round."""
    from federe.connections.models import SyncState

    later(connection)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/hooks/sync/{connection.pk}/{sync_hook_token(connection.pk)}/")
    connection.refresh_from_db()
    assert connection.sync_state == SyncState.QUEUED
    assert _sync_tasks_for(connection).count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # a second call while it is queued adds no task
        client.post(f"/hooks/sync/{connection.pk}/{sync_hook_token(connection.pk)}/")
    assert _sync_tasks_for(connection).count() == 1


def test_a_hook_received_during_a_sync_is_not_lost(connection, monkeypatch, django_capture_on_commit_callbacks):
    """The comment arrived after the sync read its page: the sync's end must not push the next one a whole
    interval away, and the task queues it again at once."""
    from federe.connections.services import nudge_sync
    from federe.connections.tasks import sync_connection_task
    from federe.connectors.dummy.connector import DummyConnector

    fetch = DummyConnector.fetch

    def fetch_then_notified(self, cursor):
        batch = fetch(self, cursor)
        assert nudge_sync(connection.pk, sync_hook_token(connection.pk))
        return batch

    monkeypatch.setattr(DummyConnector, "fetch", fetch_then_notified)
    with django_capture_on_commit_callbacks(execute=True):
        sync_connection_task.call(connection.pk)
    monkeypatch.setattr(DummyConnector, "fetch", fetch)
    connection.refresh_from_db()
    assert connection.next_sync_at <= timezone.now()
    assert _sync_tasks_for(connection).count() == 1


def test_a_hook_during_a_failing_sync_keeps_the_error_backoff(connection, monkeypatch):
    from federe.connections.services import nudge_sync, sync_connection
    from federe.connectors.dummy.connector import DummyConnector
    from federe.connectors.errors import ConnectorError

    def failing(self, cursor):
        assert nudge_sync(connection.pk, sync_hook_token(connection.pk))
        raise ConnectorError("down")

    monkeypatch.setattr(DummyConnector, "fetch", failing)
    sync_connection(connection.pk)
    connection.refresh_from_db()
    assert connection.consecutive_failures == 1
    assert connection.next_sync_at >= timezone.now() + timedelta(seconds=25)


def test_the_hook_log_line_names_the_item_only_when_it_is_a_number_and_never_the_token(client, connection, caplog):
    token = sync_hook_token(connection.pk)
    with caplog.at_level("INFO", logger="federe.connections.services"):
        client.post(f"/hooks/sync/{connection.pk}/{token}/", {"comment": "12"})
        client.post(f"/hooks/sync/{connection.pk}/{token}/", {"comment": "12\nforged line"})
    lines = [r.getMessage() for r in caplog.records if "sync hook" in r.getMessage()]
    assert len(lines) == 2
    assert "(item 12)" in lines[0] and "(item -)" in lines[1]
    assert all(token not in line and "forged" not in line for line in lines)
