from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federe.connections.models import Connection
from federe.connections.services import sync_hook_token

pytestmark = pytest.mark.django_db


def later(connection):
    Connection.objects.filter(pk=connection.pk).update(next_sync_at=timezone.now() + timedelta(hours=1))


def test_a_valid_hook_brings_the_next_sync_forward(client, connection):
    later(connection)
    response = client.post(f"/hooks/sync/{connection.pk}/{sync_hook_token(connection.pk)}/", {"comment": "12"})
    assert response.status_code == 202
    connection.refresh_from_db()
    assert connection.next_sync_at <= timezone.now()


def test_a_wrong_token_or_another_channels_token_changes_nothing(client, connection, other_workspace):
    later(connection)
    foreign = other_workspace[2]
    assert client.post(f"/hooks/sync/{connection.pk}/{'0' * 32}/").status_code == 404
    assert client.post(f"/hooks/sync/{connection.pk}/{sync_hook_token(foreign.pk)}/").status_code == 404
    assert client.get(f"/hooks/sync/{connection.pk}/{sync_hook_token(connection.pk)}/").status_code == 405
    connection.refresh_from_db()
    assert connection.next_sync_at > timezone.now()


def test_the_channel_page_shows_the_address_to_managers_only(client, owner, member_factory, connection, workspace):
    from federe.accounts.models import Role

    token = sync_hook_token(connection.pk)
    client.force_login(owner)
    assert token in client.get(f"/w/{workspace.slug}/channels/{connection.pk}/").content.decode()
    client.force_login(member_factory(Role.ANALYST))
    assert token not in client.get(f"/w/{workspace.slug}/channels/{connection.pk}/").content.decode()
