"""A killed sync (worker killed, out of memory, machine restarted) must not stay "running" for ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from federe.connections.models import Connection, SyncRun, SyncState
from federe.connections.services import dispatch_due_syncs, sync_connection
from federe.connections.tasks import sync_connection_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def killed(connection, django_capture_on_commit_callbacks):
    """The dispatcher queued the channel, a worker took the task, claimed the channel, started a run, and died."""
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due_syncs()
    started = timezone.now()
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=started)
    Connection.objects.filter(pk=connection.pk).update(
        sync_state=SyncState.RUNNING, lease_expires_at=started + timedelta(seconds=settings.FEDERE_SYNC_LEASE_SECONDS)
    )
    return SyncRun.objects.create(workspace=connection.workspace, connection=connection, worker_id="killed")


def _after_the_lease(connection):
    return Connection.objects.get(pk=connection.pk).lease_expires_at + timedelta(seconds=1)


def test_while_the_lease_holds_the_run_is_still_running(connection, killed):
    dispatch_due_syncs(timezone.now())
    killed.refresh_from_db()
    assert killed.outcome == SyncRun.Outcome.RUNNING and killed.finished_at is None
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING


def test_once_the_lease_expires_the_run_and_its_task_are_interrupted(connection, killed):
    when = _after_the_lease(connection)
    dispatch_due_syncs(when)
    killed.refresh_from_db()
    assert killed.outcome == SyncRun.Outcome.INTERRUPTED and killed.finished_at == when
    task = DBTaskResult.objects.filter(task_path=sync_connection_task.module_path).order_by("enqueued_at").first()
    assert task.status == TaskResultStatus.FAILED and task.finished_at == when


def test_the_next_sync_marks_the_dead_run_and_completes(connection, killed):
    Connection.objects.filter(pk=connection.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    outcome = sync_connection(connection.pk, worker_id="next")
    assert outcome is not None and outcome.run.outcome == SyncRun.Outcome.OK
    killed.refresh_from_db()
    assert killed.outcome == SyncRun.Outcome.INTERRUPTED


def test_an_import_in_progress_is_not_interrupted(connection):
    """Imports record a run without a lease on the channel: only an expired lease says the worker is gone."""
    run = SyncRun.objects.create(workspace=connection.workspace, connection=connection, worker_id="import")
    dispatch_due_syncs(timezone.now() + timedelta(days=1))
    run.refresh_from_db()
    assert run.outcome == SyncRun.Outcome.RUNNING


def test_the_channel_page_says_interrupted_in_plain_words(client, owner, connection, killed):
    Connection.objects.filter(pk=connection.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(owner)
    url = reverse("connections:detail", args=[connection.workspace.slug, connection.pk])
    page = client.get(url).content.decode()
    assert "The last sync stopped before it finished" in page
    assert ">interrupted<" in page and "syncing" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    with translation.override("en"):  # the French request must not leave French on for the tests that follow
        page = client.get(url).content.decode()
    assert "La dernière synchronisation s’est arrêtée avant la fin" in page
