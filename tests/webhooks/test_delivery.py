"""Deliveries against a real local HTTP server: retried with backoff, delivered once, signed so that an independent
check accepts them, logged, replayable; never to a private address."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from federe.inbox import services as inbox
from federe.inbox.models import Conversation
from federe.webhooks import delivery, services
from federe.webhooks.models import Delivery, DeliveryState, Event

pytestmark = pytest.mark.django_db


def independent_check(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check written from the spec, not from our code: HMAC-SHA256 over id.timestamp.body,
    keyed with the base64-decoded secret after "whsec_", compared with each "v1," signature of the header."""
    raw_key = base64.standard_b64decode(secret.split("_", 1)[1])
    mac = hmac.HMAC(raw_key, digestmod=hashlib.sha256)
    for part in (headers["webhook-id"], ".", headers["webhook-timestamp"], "."):
        mac.update(part.encode("ascii"))
    mac.update(body)
    wanted = mac.digest()
    signatures = [s.split(",", 1) for s in headers["webhook-signature"].split(" ")]
    return any(v == "v1" and hmac.compare_digest(base64.b64decode(sig), wanted) for v, sig in signatures)


@pytest.fixture
def thread(synced):
    return Conversation.objects.filter(connection=synced).order_by("pk").first()


def close(thread, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inbox.set_status(conversation=thread, status="closed", by=owner)


def test_two_failures_then_delivered_once_with_one_event_id_and_a_valid_signature(
    workspace, owner, thread, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    receiver.failures = 2
    endpoint, secret = services.create_endpoint(
        workspace=workspace, by=owner, url=receiver.url, event_types=["thread.closed"]
    )
    close(thread, owner, django_capture_on_commit_callbacks)
    row = Delivery.objects.get(endpoint=endpoint)
    assert row.state == DeliveryState.FAILED and row.attempts == 1
    first_wait = row.next_attempt_at - timezone.now()
    assert delivery.dispatch_due_deliveries() == []  # not due yet
    for attempt in (2, 3):
        with django_capture_on_commit_callbacks(execute=True):
            assert delivery.dispatch_due_deliveries(now=row.next_attempt_at + timedelta(seconds=1)) == [row.pk]
        row.refresh_from_db()
        assert row.attempts == attempt
        if attempt == 2:
            assert row.state == DeliveryState.FAILED and row.next_attempt_at - timezone.now() > first_wait
    assert row.state == DeliveryState.SENT
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch_due_deliveries(now=timezone.now() + timedelta(days=2)) == []
    assert len(receiver.received) == 3
    event = Event.objects.get(workspace=workspace, type="thread.closed")
    assert set(receiver.ids) == {event.event_id}  # three tries, one event: the receiver keeps one
    bodies = {body for _headers, body in receiver.received}
    assert len(bodies) == 1
    payload = json.loads(bodies.pop())
    assert payload["id"] == event.event_id and payload["type"] == "thread.closed"
    assert payload["data"]["thread"]["id"] == thread.pk and payload["data"]["by"] == owner.get_username()
    assert all(independent_check(secret, headers, body) for headers, body in receiver.received)
    assert not independent_check(services.rotate_secret(endpoint=endpoint, by=owner), *receiver.received[-1])
    log = list(row.log.order_by("at", "pk").values_list("status_code", "response_excerpt"))
    assert log == [(503, "busy, try later"), (503, "busy, try later"), (200, "thanks")]


def test_retry_after_longer_than_the_schedule_is_obeyed(
    workspace, owner, thread, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    receiver.failures, receiver.fail_status, receiver.retry_after = 1, 429, "600"
    services.create_endpoint(workspace=workspace, by=owner, url=receiver.url, event_types=["thread.closed"])
    before = timezone.now()
    close(thread, owner, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    assert row.state == DeliveryState.FAILED
    assert row.next_attempt_at >= before + timedelta(seconds=600)  # not the schedule's 5 s
    assert delivery.retry_wait(1) == timedelta(seconds=5) and delivery.retry_wait(1, 2.0) == timedelta(seconds=5)


def test_gives_up_after_the_last_attempt_and_a_replay_sends_the_same_event_again(
    workspace, owner, thread, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    receiver.failures = delivery.MAX_ATTEMPTS
    services.create_endpoint(workspace=workspace, by=owner, url=receiver.url, event_types=["thread.closed"])
    close(thread, owner, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        with django_capture_on_commit_callbacks(execute=True):
            delivery.dispatch_due_deliveries(now=timezone.now() + timedelta(days=1))
    row.refresh_from_db()
    assert row.state == DeliveryState.GAVE_UP and row.attempts == delivery.MAX_ATTEMPTS
    assert len(receiver.received) == delivery.MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        services.replay(delivery=row, by=owner)
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT and len(set(receiver.ids)) == 1
    assert row.log.count() == delivery.MAX_ATTEMPTS + 1


def test_a_private_address_is_refused_when_saved_and_when_called(
    workspace, owner, thread, receiver, settings, immediate_tasks, django_capture_on_commit_callbacks
):
    for url in ("http://10.0.0.7/hook", "http://169.254.169.254/latest/", "ftp://example.org/hook"):
        with pytest.raises(ValidationError):
            services.create_endpoint(workspace=workspace, by=owner, url=url, event_types=["thread.closed"])
    settings.FEDERE_NET_ALLOW_HOSTS = []  # outside tests, loopback is refused too
    with pytest.raises(ValidationError) as refused:
        services.create_endpoint(workspace=workspace, by=owner, url=receiver.url, event_types=["thread.closed"])
    assert "loopback" in str(refused.value)
    settings.FEDERE_NET_ALLOW_HOSTS = ["127.0.0.0/8"]
    endpoint, _secret = services.create_endpoint(
        workspace=workspace, by=owner, url=receiver.url, event_types=["thread.closed"]
    )
    settings.FEDERE_NET_ALLOW_HOSTS = []  # the address was fine when saved, not any more when called
    close(thread, owner, django_capture_on_commit_callbacks)
    attempt = Delivery.objects.get(endpoint=endpoint).log.get()
    assert attempt.status_code is None and "loopback" in attempt.error and receiver.received == []


def test_a_test_send_reaches_the_address(
    workspace, owner, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    endpoint, secret = services.create_endpoint(
        workspace=workspace, by=owner, url=receiver.url, event_types=["thread.closed"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(endpoint=endpoint, by=owner)
    ((headers, body),) = receiver.received
    assert json.loads(body)["type"] == "webhook.test" and independent_check(secret, headers, body)


def test_a_disabled_or_unsubscribed_endpoint_gets_nothing(
    workspace, owner, thread, receiver, immediate_tasks, django_capture_on_commit_callbacks
):
    endpoint, _ = services.create_endpoint(
        workspace=workspace, by=owner, url=receiver.url, event_types=["thread.assigned"]
    )
    close(thread, owner, django_capture_on_commit_callbacks)
    services.update_endpoint(
        endpoint=endpoint, by=owner, url=receiver.url, event_types=["thread.closed"], enabled=False
    )
    inbox.set_status(conversation=thread, status="new", by=owner)
    close(thread, owner, django_capture_on_commit_callbacks)
    assert not Event.objects.exists() and receiver.received == []
