"""A decision's network step is a state on its row: the dispatcher enqueues what is due and not already queued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from federe.connections.services import sync_connection
from federe.inbox.models import Message
from federe.moderation import services
from federe.moderation.models import Decision, NetworkState

pytestmark = pytest.mark.django_db


def enqueued_decision_ids() -> list[int]:
    rows = DBTaskResult.objects.filter(task_path__endswith="apply_decisions_task")
    return sorted(pk for row in rows for pk in row.args_kwargs["args"][0])


def pending_decisions(connection, n: int) -> list[Decision]:
    messages = Message.objects.filter(connection=connection).order_by("pk")[:n]
    return [
        Decision.objects.create(
            workspace_id=m.workspace_id,
            message=m,
            action="spam",
            network_state=NetworkState.PENDING,
            next_attempt_at=timezone.now(),
        )
        for m in messages
    ]


def rounds(n: int, capture) -> None:
    for _ in range(n):
        with capture(execute=True):
            services.dispatch_due_decisions()


def test_several_dispatcher_rounds_enqueue_each_due_decision_once(synced, django_capture_on_commit_callbacks):
    decisions = pending_decisions(synced, 7)
    rounds(6, django_capture_on_commit_callbacks)
    assert enqueued_decision_ids() == sorted(d.pk for d in decisions)


def test_decisions_queued_at_ingest_are_not_queued_again_by_the_dispatcher(
    connection, owner, django_capture_on_commit_callbacks
):
    services.save_rule(
        workspace=connection.workspace,
        by=owner,
        name="Spam",
        match="any",
        conditions=[{"type": "words", "words": ["gagn*", "crypto*"]}],
        actions=[{"type": "spam"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        sync_connection(connection.pk)
    pending = sorted(Decision.objects.filter(network_state=NetworkState.PENDING).values_list("pk", flat=True))
    assert pending and enqueued_decision_ids() == pending
    rounds(5, django_capture_on_commit_callbacks)
    assert enqueued_decision_ids() == pending


def test_a_queued_decision_whose_task_was_lost_is_queued_again_after_its_lease(
    synced, django_capture_on_commit_callbacks
):
    (decision,) = pending_decisions(synced, 1)
    rounds(1, django_capture_on_commit_callbacks)
    assert enqueued_decision_ids() == [decision.pk]
    Decision.objects.filter(pk=decision.pk).update(queued_until=timezone.now() - timedelta(seconds=1))
    rounds(2, django_capture_on_commit_callbacks)
    assert enqueued_decision_ids() == [decision.pk, decision.pk]


def test_the_queued_task_applies_the_decision_and_a_retry_is_queued_once_when_due(
    synced, django_capture_on_commit_callbacks
):
    (decision,) = pending_decisions(synced, 1)
    synced.config = {**synced.config, "fail_actions": "server_error"}
    synced.save()
    rounds(1, django_capture_on_commit_callbacks)
    from federe.moderation.tasks import apply_decisions_task

    apply_decisions_task.call([decision.pk])
    decision.refresh_from_db()
    assert decision.network_state == NetworkState.FAILED and decision.queued_until is None
    rounds(2, django_capture_on_commit_callbacks)  # the retry is not due yet
    assert enqueued_decision_ids() == [decision.pk]
    Decision.objects.filter(pk=decision.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    rounds(3, django_capture_on_commit_callbacks)
    assert enqueued_decision_ids() == [decision.pk, decision.pk]
