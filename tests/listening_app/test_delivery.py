"""Alert delivery is a state on the row: sent once, retried with backoff when the webhook fails, up to a cap."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from federe.inbox.ingest import ingest_items
from federe.listening import delivery, services
from federe.listening.models import Alert, DeliveryState
from tests.listening_app.test_services import item, query

pytestmark = pytest.mark.django_db


class _Flaky(BaseHTTPRequestHandler):
    """Answers 500 to the first ``failures`` POSTs, then 204; keeps every body it got."""

    failures = 0
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        cls.received.append((dict(self.headers), body))
        self.send_response(500 if len(cls.received) <= cls.failures else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky_hook():
    _Flaky.received, _Flaky.failures = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Flaky
    server.shutdown()
    server.server_close()


@pytest.fixture
def spike(connection, owner, settings, flaky_hook, smtp_sink):
    """An alert waiting for delivery, with an e-mail address and the flaky webhook configured."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    config = services.alert_settings(connection.workspace_id)
    config.emails, config.webhook_url, config.min_volume = "cm@example.org", flaky_hook[0], 3
    config.save()
    query(connection.workspace, owner, "Lumière", "lumière")
    ingest_items(connection, [item(10 + i, f"lumière {i}", author=f"u{i}", minutes_ago=i) for i in range(4)])
    return Alert.objects.get()


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
