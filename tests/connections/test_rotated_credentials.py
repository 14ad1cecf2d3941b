"""Credentials a connector changes while it works (X hands out a new refresh token at each refresh and the old one
stops working) are stored, encrypted, the moment they change: sync, reply, moderation and publishing. Nothing is
stored after the network took a reply or an action, so no failure there can make it look unsent (a retry would
post it twice)."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError

from federe.connections.models import Connection
from federe.connections.services import sync_connection
from federe.connectors.dummy.connector import DummyConnector
from federe.inbox.models import Conversation, Message, ReplyState
from federe.inbox.services import send_reply
from federe.moderation import services as moderation
from federe.moderation.models import NetworkState

pytestmark = pytest.mark.django_db


def rotating(connection: Connection, **config) -> Connection:
    connection.config = {**connection.config, "rotate_token": True, **config}
    connection.set_credentials({"token": "first"})
    connection.save()
    return connection


def stored(connection: Connection) -> dict:
    return Connection.objects.get(pk=connection.pk).credentials


def test_a_sync_keeps_the_token_the_network_handed_out(connection, caplog):
    rotating(connection)
    caplog.set_level(logging.DEBUG)
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == "" and outcome.run.pages == 3
    assert stored(connection) == {"token": "rotated-3", "generation": 3}
    assert "rotated-3" not in Connection.objects.get(pk=connection.pk).credentials_encrypted  # encrypted
    assert "rotated-" not in caplog.text  # and never logged
    sync_connection(connection.pk, worker_id="test")  # the next sync starts from the stored one
    assert stored(connection)["generation"] == 4


def test_a_failed_sync_still_keeps_the_new_token(connection):
    """The refresh happened before the call failed: the old token no longer works, the new one must be kept."""
    rotating(connection, fail="server_error")
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and "internal error" in outcome.run.error
    assert stored(connection)["token"] == "rotated-1"


def test_unchanged_credentials_are_not_written(connection):
    connection.set_credentials({"token": "same"})
    connection.save()
    before = Connection.objects.get(pk=connection.pk).credentials_encrypted
    sync_connection(connection.pk, worker_id="test")
    assert Connection.objects.get(pk=connection.pk).credentials_encrypted == before


def test_a_reply_keeps_the_new_token(synced, owner):
    rotating(synced)
    conversation = Conversation.objects.filter(connection=synced).first()
    reply = send_reply(conversation=conversation, text="Merci, c'est noté.", by=owner)
    assert reply.state == "sent"
    assert stored(synced)["token"] == "rotated-1"


def test_a_moderation_action_keeps_the_new_token(synced, owner):
    rotating(synced)
    message = Message.objects.filter(connection=synced).first()
    decision = moderation.decide(messages=[message], action="remove", by=owner)[0]
    assert decision.network_state == NetworkState.DONE
    assert stored(synced)["token"] == "rotated-1"


@pytest.fixture
def storing_fails(monkeypatch):
    """The network took the call, the connector changed its credentials in memory afterwards, and any attempt to
    store credentials now fails (the database is locked)."""

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    for method in ("reply", "act"):
        done = getattr(DummyConnector, method)

        def then_change(self, *args, done=done, **kwargs):
            result = done(self, *args, **kwargs)
            self.credentials["seen"] = "after the call"
            return result

        monkeypatch.setattr(DummyConnector, method, then_change)
    monkeypatch.setattr(Connection, "set_credentials", locked)
    monkeypatch.setattr("federe.connections.runtime.encrypt_json", locked, raising=False)


def test_a_reply_the_network_took_stays_sent_when_storing_credentials_fails(synced, owner, storing_fails):
    conversation = Conversation.objects.filter(connection=synced).first()
    reply = send_reply(conversation=conversation, text="Merci, c'est noté.", by=owner)
    reply.refresh_from_db()
    assert reply.state == ReplyState.SENT and reply.error == ""


def test_an_action_the_network_took_stays_done_when_storing_credentials_fails(synced, owner, storing_fails):
    message = Message.objects.filter(connection=synced).first()
    decision = moderation.decide(messages=[message], action="remove", by=owner)[0]
    decision.refresh_from_db()
    assert decision.network_state == NetworkState.DONE
