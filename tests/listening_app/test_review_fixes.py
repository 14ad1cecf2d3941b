"""Findings of the listening review, each pinned by a test: an alert is handed to the task queue once, a duplicate
task never skips the backoff, and the pages and the CLI read only what they show."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from federe.inbox.ingest import ingest_items
from federe.listening import delivery, services, tasks, voice
from federe.listening.models import Alert, DeliveryState
from tests.listening_app.test_services import item, query

pytestmark = pytest.mark.django_db


def test_a_new_alert_is_enqueued_once_not_again_by_the_dispatcher(
    connection, owner, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "deliver_alert_task", SimpleNamespace(enqueue=enqueued.append))
    config = services.alert_settings(connection.workspace_id)
    config.min_volume = 3
    config.save()
    query(connection.workspace, owner, "Lumière", "lumière")
    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(connection, [item(10 + i, f"lumière {i}", author=f"u{i}", minutes_ago=i) for i in range(4)])
    alert = Alert.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch_due_alerts() == []  # its task is on its way: not handed out a second time
    assert enqueued == [alert.pk]
    lost = timezone.now() + delivery.DISPATCH_LEASE + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch_due_alerts(now=lost) == [alert.pk]  # that task never claimed it: handed out again
    assert enqueued == [alert.pk, alert.pk]


def test_a_second_task_for_a_failed_alert_waits_for_the_backoff(spike, flaky_hook, smtp_sink):
    flaky_hook[1].failures = 1000
    delivery.deliver(spike.pk)
    assert delivery.deliver(spike.pk) is None  # a stray task: the retry is the dispatcher's, once the wait is over
    spike.refresh_from_db()
    assert spike.delivery_state == DeliveryState.FAILED and spike.attempts == 1
    assert len(flaky_hook[1].received) == 1 and spike.next_attempt_at > timezone.now()


def test_alert_recipients_reads_only_the_opted_out_users_it_was_given(user_factory):
    user_factory(username="quiet", email="Quiet@example.org", notify_alerts=False)
    for n in range(20):
        user_factory(username=f"elsewhere{n}", email=f"elsewhere{n}@example.org", notify_alerts=False)
    with CaptureQueriesContext(db) as captured:
        assert delivery.alert_recipients("quiet@example.org\nkeen@example.org\n") == ["keen@example.org"]
    with db.cursor() as cursor:  # run the same SQL again to count the rows it read
        rows = 0
        for run in captured.captured_queries:
            cursor.execute(run["sql"])
            rows += len(cursor.fetchall())
    assert rows == 1


def test_the_dashboard_reads_the_brands_once(client, connection, owner, monkeypatch):
    query(connection.workspace, owner, "Lumière", "lumière")
    calls: list[object] = []
    real = voice.voice_brands
    monkeypatch.setattr(voice, "voice_brands", lambda workspace: calls.append(workspace) or real(workspace))
    client.force_login(owner)
    page = client.get(reverse("listening:dashboard", args=["acme"]))
    assert page.status_code == 200 and b"Lumi" in page.content
    assert len(calls) == 1


def test_the_cli_counts_mentions_in_one_query_whatever_the_number_of_queries(connection, owner):
    ingest_items(connection, [item(1, "lumière et brûlerie"), item(2, "lumière")])

    def listing() -> tuple[str, int]:
        out = io.StringIO()
        with CaptureQueriesContext(db) as captured:
            call_command("listening", "queries", "--workspace", "acme", stdout=out)
        return out.getvalue(), len(captured.captured_queries)

    query(connection.workspace, owner, "Lumière", "lumière")
    text, one = listing()
    assert "(2 mentions)" in text
    for n, words in enumerate(("brûlerie", "café", "thé")):
        query(connection.workspace, owner, f"Rival {n}", words, kind="competitor")
    text, four = listing()
    assert "(2 mentions)" in text and "(1 mentions)" in text and "(0 mentions)" in text
    assert four == one
