"""Two workers writing to one workspace can meet in a deadlock (PostgreSQL then aborts one of them): the page that
lost is stored again, not reported to the user as an unexpected error."""

from __future__ import annotations

import psycopg
import pytest
from django.db import OperationalError

from federe.connections import services
from federe.connections.models import SyncRun
from federe.core import db
from federe.inbox.models import Message

pytestmark = pytest.mark.django_db


def deadlock() -> OperationalError:
    """What Django raises when PostgreSQL chose this transaction as a deadlock's victim."""
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return error


def test_a_page_that_lost_a_deadlock_is_stored_on_the_next_try(connection, monkeypatch):
    real = services.ingest_page
    tries = []

    def meets_a_deadlock_once(conn, items, pending=None):
        tries.append(len(items))
        stats = real(conn, items, pending)  # its writes are rolled back with the transaction
        if len(tries) == 1:
            raise deadlock()
        return stats

    monkeypatch.setattr(services, "ingest_page", meets_a_deadlock_once)
    monkeypatch.setattr(db, "PAUSE", 0)
    outcome = services.sync_connection(connection.pk, worker_id="w1")
    assert outcome is not None
    run = outcome.run
    assert run.outcome == SyncRun.Outcome.OK and run.error == ""
    assert len(tries) >= 2 and run.stored == Message.objects.filter(connection=connection).count() > 0
    assert run.pages == len(tries) - 1  # the lost try is not counted as a page


def test_an_error_that_is_not_a_conflict_is_not_retried(connection, monkeypatch):
    tries = []

    def breaks(conn, items, pending=None):
        tries.append(1)
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(services, "ingest_page", breaks)
    outcome = services.sync_connection(connection.pk, worker_id="w1")
    assert outcome is not None and outcome.run.outcome == SyncRun.Outcome.FAILED
    assert tries == [1] and not Message.objects.filter(connection=connection).exists()


def test_a_conflict_that_persists_gives_up_after_a_few_tries(monkeypatch):
    monkeypatch.setattr(db, "PAUSE", 0)
    tries = []

    def always():
        tries.append(1)
        raise deadlock()

    with pytest.raises(OperationalError):
        db.retried(always)
    assert len(tries) == db.ATTEMPTS
