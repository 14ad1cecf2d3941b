"""A spike that fires an alert is also a "listening.alert" webhook event, for the endpoints that subscribe."""

from __future__ import annotations

import pytest

from federe.inbox.ingest import ingest_items
from federe.listening import services
from federe.listening.models import Alert
from federe.webhooks import services as webhooks
from federe.webhooks.models import Event
from tests.listening_app.test_services import item, query

pytestmark = pytest.mark.django_db


def test_a_fired_alert_is_a_webhook_event(connection, owner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    webhooks.create_endpoint(
        workspace=connection.workspace, by=owner, url="http://127.0.0.1:9/in", event_types=["listening.alert"]
    )
    config = services.alert_settings(connection.workspace_id)
    config.min_volume = 3
    config.save()
    query(connection.workspace, owner, "Lumière", "lumière")
    ingest_items(connection, [item(10 + i, f"lumière {i}", author=f"u{i}", minutes_ago=i) for i in range(4)])
    alert = Alert.objects.get()
    event = Event.objects.get(type="listening.alert")
    assert event.workspace_id == connection.workspace_id
    assert event.payload["alert"]["id"] == alert.pk and event.payload["alert"]["query"] == alert.query_id
