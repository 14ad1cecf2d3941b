"""A refreshed OAuth token is stored the moment the network hands it out (review findings 7 and 8), on X's fake:
X rotates its refresh token at each refresh and refuses a used one.

- a worker killed in the middle of a sync has already stored the new refresh token;
- a process whose stored token was refreshed by another one meanwhile takes that token instead of spending its
  dead refresh token (and being told to authorize again);
- tokens are encrypted at rest, never in the log or in an error.
"""

from __future__ import annotations

import logging
import time

import pytest

from federe.connections import runtime
from federe.connections.models import Connection
from federe.connections.services import sync_connection
from federe.connectors.x.connector import XConnector
from tests.connectors.x.fake import FakeX
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

START = {"client_id": "cid", "client_secret": "secret", "refresh_token": "kit-x-refresh-token-0000"}
SECRETS = ("kit-x-refresh-token", "access-", "secret")


@pytest.fixture
def channel(workspace):
    made = ConnectionFactory(workspace=workspace, network="x", name="X", config={})
    made.set_credentials(dict(START))
    made.save()
    return made


def stored(channel: Connection) -> dict:
    return Connection.objects.get(pk=channel.pk).credentials


def other_process_refreshes(channel: Connection) -> None:
    """Another worker (the publisher, a moderation task) builds the same channel and refreshes its token."""
    runtime.connector_for(Connection.objects.get(pk=channel.pk)).check()


def assert_no_secret(text: str) -> None:
    assert not [secret for secret in SECRETS if secret in text]


def test_a_sync_killed_on_its_second_page_has_already_stored_the_new_refresh_token(channel, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    fake = FakeX(page_size=2)
    fetch, seen = XConnector.fetch, {"pages": 0}

    def dies_on_page_two(self, cursor):
        seen["pages"] += 1
        if seen["pages"] == 2:  # the worker is killed here (deploy, out of memory): nothing after this line runs
            seen["stored"] = stored(channel)["refresh_token"]
            raise SystemExit(9)
        return fetch(self, cursor)

    monkeypatch.setattr(XConnector, "fetch", dies_on_page_two)
    Connection.objects.filter(pk=channel.pk).update(cursor={"since_id": "1"})  # every mention is new: two pages
    with fake.serve(), pytest.raises(SystemExit):
        sync_connection(channel.pk, worker_id="test")
    assert fake.refreshes == 1 and seen["pages"] == 2
    assert seen["stored"] == "kit-x-refresh-token-0001" == fake.refresh_token
    assert "kit-x-refresh-token" not in Connection.objects.get(pk=channel.pk).credentials_encrypted
    assert_no_secret(caplog.text)


def test_a_token_another_process_refreshed_meanwhile_is_taken_not_refreshed_again(channel, caplog):
    caplog.set_level(logging.DEBUG)
    fake = FakeX()
    with fake.serve():
        connector = runtime.connector_for(Connection.objects.get(pk=channel.pk))  # read: refresh token 0000
        other_process_refreshes(channel)  # 0000 is now dead, 0001 stored
        batch = connector.fetch(None)
    assert batch.items and fake.refreshes == 1
    assert stored(channel)["refresh_token"] == "kit-x-refresh-token-0001" == fake.refresh_token
    assert connector.credentials["access_token"] == fake.access_token
    assert_no_secret(caplog.text)


def test_an_expired_token_stored_by_another_process_is_refreshed_with_its_refresh_token(channel):
    fake = FakeX()
    with fake.serve():
        connector = runtime.connector_for(Connection.objects.get(pk=channel.pk))
        other_process_refreshes(channel)
        ended = {**stored(channel), "expires_at": int(time.time()) - 1}
        channel.set_credentials(ended)
        Connection.objects.filter(pk=channel.pk).update(credentials_encrypted=channel.credentials_encrypted)
        assert connector.fetch(None).items
    assert fake.refreshes == 2  # with 0001, never the dead 0000
    assert stored(channel)["refresh_token"] == "kit-x-refresh-token-0002" == fake.refresh_token


def test_a_refresh_refused_because_another_process_just_rotated_takes_its_token(channel, caplog):
    """Both read 0000; the other one's refresh lands first: ours is refused, and the stored token is taken."""
    caplog.set_level(logging.DEBUG)
    fake = FakeX()
    answer = fake.token
    raced = []

    def token(request):
        if not raced:  # the other process's refresh is accepted (and stored) just before ours reaches X
            raced.append(1)
            other_process_refreshes(channel)
        return answer(request)

    fake.token = token
    with fake.serve():
        connector = runtime.connector_for(Connection.objects.get(pk=channel.pk))
        assert connector.fetch(None).items
    assert fake.refreshes == 1 and stored(channel)["refresh_token"] == "kit-x-refresh-token-0001"
    assert_no_secret(caplog.text)


def test_a_dead_refresh_token_is_said_without_the_token(channel):
    from federe.connectors.errors import Unauthorized

    fake = FakeX(refresh_token="the-current-one")
    with fake.serve(), pytest.raises(Unauthorized) as refused:
        runtime.connector_for(Connection.objects.get(pk=channel.pk)).check()
    assert_no_secret(f"{refused.value} {refused.value!r} {refused.value.message}")
    assert stored(channel) == START  # nothing written on a refusal


def test_a_later_save_never_writes_back_what_another_process_stored_meanwhile(channel):
    """Process B stores X's user id while A works; A's later saves keep B's value (they wrote back A's stale copy,
    or deleted a key only B had: a rotated refresh token could be lost the same way)."""
    from federe.connectors.keeping import Credentials

    def opened():
        stored = Connection.objects.get(pk=channel.pk)
        return Credentials(stored.credentials, runtime.StoredCredentials(stored, stored.credentials))

    a, b = opened(), opened()
    b["user_id"] = "42"
    b.store.keep(b)
    a["access_token"] = "token-2"
    a.store.keep(a)
    a["access_token"] = "token-3"
    a.store.keep(a)
    stored = Connection.objects.get(pk=channel.pk).credentials
    assert stored["user_id"] == "42" and stored["access_token"] == "token-3"
    assert a["user_id"] == "42"  # A's own copy follows what is stored
