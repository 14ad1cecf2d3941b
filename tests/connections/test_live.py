"""Live connections (connections/live.py): the worker keeps one listener per channel of a network declaring
``live``, stops it when the channel goes, starts a new one when it changes; the channel page shows the gaps."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from federe.connections.live import look
from federe.connections.models import Connection
from federe.connectors.dummy.connector import DummyConnector
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_dummy(monkeypatch):
    """The demo network, made live: its listener counts itself in ``running`` until told to stop."""
    running: dict[int, int] = {}

    def listen(self, stop: threading.Event) -> None:
        seed = int(self.config.get("seed", 0))
        running[seed] = running.get(seed, 0) + 1
        stop.wait()
        running[seed] -= 1

    monkeypatch.setattr(DummyConnector, "live", True)
    monkeypatch.setattr(DummyConnector, "listen", listen)
    return running


def settle(running: dict[int, int], expected: dict[int, int]) -> None:
    end = time.monotonic() + 5
    while time.monotonic() < end and {k: v for k, v in running.items() if v} != expected:
        time.sleep(0.02)
    assert {k: v for k, v in running.items() if v} == expected


def test_one_listener_per_channel_stopped_when_it_goes_and_renewed_when_it_changes(workspace, live_dummy):
    one = ConnectionFactory(workspace=workspace, network="dummy", config={"seed": 1})
    two = ConnectionFactory(workspace=workspace, network="dummy", config={"seed": 2})
    listeners: dict = {}
    look(listeners)
    look(listeners)  # a second look starts nothing more
    settle(live_dummy, {1: 1, 2: 1})
    Connection.objects.filter(pk=one.pk).update(config={"seed": 3})
    two.delete()
    look(listeners)
    settle(live_dummy, {3: 1})
    Connection.objects.filter(pk=one.pk).update(enabled=False)
    look(listeners)
    settle(live_dummy, {})
    assert listeners == {}


def test_networks_that_poll_get_no_listener(workspace):
    ConnectionFactory(workspace=workspace, network="dummy")
    listeners: dict = {}
    look(listeners)
    assert listeners == {}


def test_the_channel_page_shows_what_was_missed_while_disconnected(client, owner, workspace, monkeypatch):
    gap = (datetime(2026, 12, 6, 21, 2, tzinfo=UTC), datetime(2026, 12, 6, 21, 7, tzinfo=UTC))
    monkeypatch.setattr(DummyConnector, "missed_periods", classmethod(lambda cls, cursor: [gap]))
    connection = ConnectionFactory(workspace=workspace, network="dummy")
    client.force_login(owner)
    url = reverse("connections:detail", args=[workspace.slug, connection.pk])
    with translation.override("en"):
        page = client.get(url).content.decode()
    assert "Missed while disconnected:" in page
    start, end = (timezone_time(at, workspace) for at in gap)
    assert f"{start}–{end}" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    with translation.override("en"):
        page = client.get(url).content.decode()
    assert "Manqué pendant la déconnexion :" in page


def timezone_time(at: datetime, workspace) -> str:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(str(getattr(workspace, "timezone", "") or settings.TIME_ZONE))).strftime("%H:%M")
