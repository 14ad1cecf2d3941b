"""Alert delivery is a state on the row: sent once, retried with backoff when the webhook fails, up to a cap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from federe.listening import delivery
from federe.listening.models import DeliveryState

pytestmark = pytest.mark.django_db


def test_running_the_delivery_twice_sends_once(spike, flaky_hook, smtp_sink):
    delivery.deliver(spike.pk)
    delivery.deliver(spike.pk)
    assert len(smtp_sink) == 1 and len(flaky_hook[1].received) == 1
    spike.refresh_from_db()
    assert spike.delivery_state == DeliveryState.SENT and spike.attempts == 1
    assert delivery.dispatch_due_alerts(now=timezone.now() + timedelta(days=1)) == []


def test_a_failing_webhook_is_retried_with_backoff_and_delivered_once(
    spike,
    flaky_hook,
    smtp_sink,
    django_capture_on_commit_callbacks,
):
    flaky_hook[1].failures = 2
    delivery.deliver(spike.pk)
    spike.refresh_from_db()
    assert spike.delivery_state == DeliveryState.FAILED and spike.attempts == 1 and "500" in spike.last_error
    first_wait = spike.next_attempt_at - timezone.now()
    assert delivery.dispatch_due_alerts() == []  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch_due_alerts(now=spike.next_attempt_at + timedelta(seconds=1)) == [spike.pk]
    spike.refresh_from_db()
    assert spike.delivery_state == DeliveryState.FAILED and spike.attempts == 2
    assert spike.next_attempt_at - timezone.now() > first_wait  # the wait grows
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch_due_alerts(now=spike.next_attempt_at + timedelta(seconds=1)) == [spike.pk]
    spike.refresh_from_db()
    assert spike.delivery_state == DeliveryState.SENT and spike.attempts == 3 and spike.last_error == ""
    assert [status for status in spike.delivered.values()] == ["sent", "204"]
    assert len(flaky_hook[1].received) == 3 and len(smtp_sink) == 1  # the e-mail went out once
    keys = {headers["Idempotency-Key"] for headers, _body in flaky_hook[1].received}
    assert keys == {f"listening-alert-{spike.pk}"}  # the receiver can tell the three tries are one alert
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.dispatch_due_alerts(now=timezone.now() + timedelta(days=1)) == []
    assert len(flaky_hook[1].received) == 3


def test_delivery_gives_up_after_the_cap(client, owner, spike, flaky_hook, django_capture_on_commit_callbacks):
    flaky_hook[1].failures = 1000
    delivery.deliver(spike.pk)
    for _ in range(20):
        spike.refresh_from_db()
        if spike.next_attempt_at is None:
            break
        with django_capture_on_commit_callbacks(execute=True):
            delivery.dispatch_due_alerts(now=spike.next_attempt_at + timedelta(seconds=1))
    spike.refresh_from_db()
    assert spike.delivery_state == DeliveryState.FAILED and spike.next_attempt_at is None
    assert spike.attempts == delivery.MAX_DELIVERY_ATTEMPTS == len(flaky_hook[1].received)
    client.force_login(owner)
    page = client.get(reverse("listening:alerts", args=["acme"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "abandonné après 6 essais" in page and "Le webhook a répondu HTTP 500." in page
    assert "webhook: 500" not in page  # no raw answer
