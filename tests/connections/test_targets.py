"""A channel whose network follows chosen places: its page fetches them on demand, shows the network's limitations,
and keeps the ids chosen (audit-logged, only for those who manage channels). A throw-away network in a temporary
folder stands for Matrix rooms or mailing lists."""

from __future__ import annotations

import sys
import textwrap

import pytest

import federe.connectors
from federe.accounts.models import Role
from federe.connections.models import Connection
from federe.connectors import registry
from federe.core.models import AuditEvent
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

ROOMS = """
from django.utils.translation import gettext_lazy as _

from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from federe.connectors.errors import Transient
from federe.connectors.registry import register
from federe.connectors.types import Batch, Target


@register
class RoomsConnector(Connector):
    key = "roomsnet"
    label = "Rooms network"
    capabilities = frozenset({Capability.READ})
    limitations = (_("Messages are read only: nothing can be moderated."),)
    targets_label = _("Rooms to follow")

    def fetch(self, cursor):
        return Batch(items=[], cursor={})

    def list_targets(self):
        if self.config.get("down"):
            raise Transient(_("The network did not answer in time."))
        return [Target("!a:example.org", "Lobby", "12 members"), Target("!b:example.org", "Help")]
"""


@pytest.fixture
def rooms(tmp_path, monkeypatch, workspace):
    registry.discover()
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    package = tmp_path / "roomsnet"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "connector.py").write_text(textwrap.dedent(ROOMS))
    monkeypatch.setattr(federe.connectors, "__path__", [*federe.connectors.__path__, str(tmp_path)])
    registry.discover(again=True)
    yield ConnectionFactory(workspace=workspace, network="roomsnet", name="Our rooms", config={})
    for name in [m for m in sys.modules if "roomsnet" in m]:
        del sys.modules[name]


def test_the_channel_page_shows_limitations_and_a_way_to_choose(client, owner, workspace, rooms):
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/channels/{rooms.pk}/").content.decode()
    assert "Messages are read only: nothing can be moderated." in page
    assert "Rooms to follow" in page and f"/channels/{rooms.pk}/targets/" in page


def test_choosing_targets_lists_them_and_keeps_the_chosen_ids(client, owner, workspace, rooms):
    client.force_login(owner)
    url = f"/w/{workspace.slug}/channels/{rooms.pk}/targets/"
    page = client.get(url).content.decode()
    assert 'value="!a:example.org"' in page and "Lobby" in page and "12 members" in page
    response = client.post(url, {"targets": ["!b:example.org"]})
    assert response.status_code == 302
    assert Connection.objects.get(pk=rooms.pk).config["targets"] == ["!b:example.org"]
    event = AuditEvent.objects.get(verb="connection.targets_chosen")
    assert event.details["targets"] == ["!b:example.org"] and event.details["before"] == []
    assert 'value="!b:example.org" checked' in client.get(url).content.decode()


def test_an_id_the_network_did_not_list_is_refused_and_nothing_changes(client, owner, workspace, rooms):
    client.force_login(owner)
    url = f"/w/{workspace.slug}/channels/{rooms.pk}/targets/"
    response = client.post(url, {"targets": ["!evil:example.org"]}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Choisissez parmi les lieux proposés." in response.content.decode()
    assert "targets" not in Connection.objects.get(pk=rooms.pk).config


def test_a_network_that_fails_to_list_is_said_in_words(client, owner, workspace, rooms):
    Connection.objects.filter(pk=rooms.pk).update(config={"down": True})
    client.force_login(owner)
    response = client.get(f"/w/{workspace.slug}/channels/{rooms.pk}/targets/")
    assert response.status_code == 200
    assert "The network did not answer in time." in response.content.decode()


def test_only_those_who_manage_channels_choose(client, member_factory, workspace, rooms):
    client.force_login(member_factory(Role.MODERATOR))
    url = f"/w/{workspace.slug}/channels/{rooms.pk}/targets/"
    assert client.post(url, {"targets": ["!a:example.org"]}).status_code == 403
    assert "targets" not in Connection.objects.get(pk=rooms.pk).config
    assert (
        f"/channels/{rooms.pk}/targets/" not in client.get(f"/w/{workspace.slug}/channels/{rooms.pk}/").content.decode()
    )
