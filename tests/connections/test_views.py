from __future__ import annotations

import pytest

from federe.accounts.models import Role
from federe.connections.models import Connection

pytestmark = pytest.mark.django_db


def post(client, workspace, **data):
    return client.post(f"/w/{workspace.slug}/channels/", data)


def test_the_form_shows_each_networks_own_fields(client, owner, workspace):
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/channels/").content.decode()
    assert 'data-network="wordpress"' in page and 'name="wordpress__app_password"' in page
    assert 'data-network="dummy"' in page and 'name="dummy__brand"' in page


def test_connect_a_dummy_channel_and_keep_its_secret_encrypted(client, owner, workspace):
    client.force_login(owner)
    response = post(client, workspace, name="Test", network="dummy", dummy__brand="Acme", dummy__token="t0k3n-xyz")
    connection = Connection.objects.get(workspace=workspace, name="Test")
    assert response.status_code == 302
    assert connection.config == {"brand": "Acme"} and connection.credentials == {"token": "t0k3n-xyz"}
    page = client.get(response["Location"]).content.decode()
    assert "t0k3n-xyz" not in page


def test_wordpress_needs_its_fields_and_says_what_is_wrong(client, owner, workspace):
    client.force_login(owner)
    missing = post(client, workspace, name="Blog", network="wordpress").content.decode()
    assert missing.count("This field is required.") == 3
    unreachable = post(
        client,
        workspace,
        name="Blog",
        network="wordpress",
        wordpress__site_url="http://127.0.0.1:9",
        wordpress__username="u",
        wordpress__app_password="p",
    ).content.decode()
    assert "Cannot reach" in unreachable
    assert 'value="p"' not in unreachable  # the password is not sent back
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_only_managers_can_connect(client, member_factory, workspace):
    client.force_login(member_factory(Role.MODERATOR))
    page = client.get(f"/w/{workspace.slug}/channels/").content.decode()
    assert "Add a channel" not in page
    post(client, workspace, name="x", network="dummy")
    assert not Connection.objects.exists()


def test_a_network_that_cannot_moderate_says_its_actions_are_recorded_in_federe_only(client, owner, workspace):
    client.force_login(owner)
    feed = Connection.objects.create(workspace=workspace, network="rss", name="Feed", config={"url": "https://e.x/f"})
    page = client.get(f"/w/{workspace.slug}/channels/{feed.pk}/").content.decode()
    assert "Moderation on this network" not in page
    assert "Moderation recorded in Fédère only" in page
    assert "nothing is sent to the network" in page


def test_a_network_that_moderates_lists_its_own_actions(client, owner, workspace):
    client.force_login(owner)
    room = Connection.objects.create(workspace=workspace, network="dummy", name="Room", config={})
    page = client.get(f"/w/{workspace.slug}/channels/{room.pk}/").content.decode()
    assert "Moderation on this network" in page
    assert "Moderation recorded in Fédère only" not in page
