"""Publishing stores a token the network handed out at once (tests/connections/test_rotated_credentials.py)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from federe.connections.models import Connection
from federe.connectors.dummy.connector import DummyConnector
from federe.publishing.models import Delivery, DeliveryState
from federe.publishing.sending import publish_due
from tests.connections.test_rotated_credentials import rotating, stored

pytestmark = pytest.mark.django_db(transaction=True)


def test_publishing_keeps_the_new_token(make_post, channels):
    for channel in channels:
        rotating(channel)
    make_post()
    assert publish_due()["sent"] == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert [stored(channel)["token"] for channel in channels] == ["rotated-1", "rotated-1"]


def test_a_post_the_network_took_stays_sent_when_storing_credentials_fails(make_post, channels, monkeypatch):
    """Nothing is stored after the network's answer: a post sent but marked otherwise would go out again."""
    publish = DummyConnector.publish

    def then_change(self, post):
        result = publish(self, post)
        self.credentials["seen"] = "after the call"  # changed in memory only, after the network took the post
        return result

    def locked(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(DummyConnector, "publish", then_change)
    monkeypatch.setattr(Connection, "set_credentials", locked)
    monkeypatch.setattr("federe.connections.runtime.encrypt_json", locked, raising=False)
    make_post()
    assert publish_due()["sent"] == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
