"""Delivering events: a state on each delivery row (pending -> sending -> sent | failed -> … | gave up), claimed
by one worker at a time, retried with a growing wait (or the receiver's Retry-After when longer), handed out by
the worker's dispatcher like alerts and syncs. Every attempt keeps the event's id (``webhook-id``), so a receiver
can tell a retry or a replay from a new event; each attempt is logged (status, the start of the answer, the error
in words, how long it took)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from federe.webhooks import posting, signing
from federe.webhooks.models import Delivery, DeliveryAttempt, DeliveryState

#: The waits after the 1st, 2nd… failed attempt; after the last one the delivery gives up (replay resends it).
RETRY_WAITS = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_WAITS) + 1
#: A Retry-After longer than this is not obeyed to the letter.
MAX_RETRY_AFTER = timedelta(hours=24)
SENDING_LEASE = timedelta(minutes=5)
DISPATCH_LEASE = timedelta(minutes=2)


def retry_wait(attempts: int, retry_after: float | None = None) -> timedelta:
    """The wait after ``attempts`` failed attempts: the schedule's, or the receiver's Retry-After if longer."""
    wait = RETRY_WAITS[min(max(attempts, 1), len(RETRY_WAITS)) - 1]
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return wait


def body_of(delivery: Delivery) -> bytes:
    """The same bytes at every attempt: the event's id, type, time and data."""
    event = delivery.event
    return json.dumps(
        {
            "id": event.event_id,
            "type": event.type,
            "timestamp": event.created_at.isoformat(),
            "workspace": delivery.workspace.slug,
            "data": event.payload,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def _claim(delivery_id: int, now: datetime) -> bool:
    claimed = Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE
    )
    return claimed == 1


def deliver(delivery_id: int) -> posting.Answer | None:
    """One attempt; None when the delivery was not due (sent, given up, failed and waiting, or being sent)."""
    if not _claim(delivery_id, timezone.now()):
        return None
    delivery = Delivery.objects.select_related("endpoint", "event", "workspace").get(pk=delivery_id)
    body = body_of(delivery)
    secret = signing.unseal(delivery.endpoint.secret_encrypted)
    headers = signing.headers(secret, delivery.event.event_id, int(timezone.now().timestamp()), body)
    answer = posting.post(delivery.endpoint.url, body, headers)
    _finish(delivery, answer)
    return answer


def _finish(delivery: Delivery, answer: posting.Answer) -> None:
    now = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=answer.status,
            response_excerpt=answer.excerpt,
            error=answer.error,
            duration_ms=answer.duration_ms,
        )
        rows = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING)
        if answer.ok:
            rows.update(state=DeliveryState.SENT, next_attempt_at=None, updated_at=now)
        elif delivery.attempts >= MAX_ATTEMPTS:
            rows.update(state=DeliveryState.GAVE_UP, next_attempt_at=None, updated_at=now)
        else:
            wait = retry_wait(delivery.attempts, answer.retry_after)
            rows.update(state=DeliveryState.FAILED, next_attempt_at=now + wait, updated_at=now)


def dispatch_due_deliveries(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Enqueue one task per due delivery (a retry, or one whose task never ran); hand out again those of a worker
    that died while sending. Called by the worker's dispatcher."""
    now = now or timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(state=DeliveryState.SENDING, next_attempt_at__lt=now).update(
            state=DeliveryState.PENDING
        )
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state__in=[DeliveryState.PENDING, DeliveryState.FAILED], next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        hand_out(due, now)
    return due


def hand_out(delivery_ids: list[int], now: datetime) -> None:
    """Pending (what a task may claim) and leased, one task each on commit: the one way in."""
    from federe.webhooks.tasks import deliver_webhook_task

    if not delivery_ids:
        return
    Delivery.objects.filter(pk__in=delivery_ids).update(
        state=DeliveryState.PENDING, next_attempt_at=now + DISPATCH_LEASE
    )
    for pk in delivery_ids:
        transaction.on_commit(partial(deliver_webhook_task.enqueue, pk))
