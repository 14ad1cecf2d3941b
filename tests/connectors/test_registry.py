"""Adding a network touches one folder: the registry finds it, and the channels page, the API and sync use it.

The throw-away network lives in a temporary folder, found the two ways Fédère looks: as a subpackage of
``federe.connectors`` (a built-in network's folder) and through the ``federe.connectors`` entry points (a
third-party package). Nothing else is edited.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

import federe.connectors
from federe.accounts.services import create_api_token
from federe.connections.services import create_connection, sync_connection
from federe.connectors import registry
from federe.inbox.models import Message

THROWAWAY = '''
"""A network that exists only for this test: three messages, read-only."""

from datetime import UTC, datetime

from federe.connectors.base import Connector, SetupField, SetupStep
from federe.connectors.capabilities import Capability
from federe.connectors.registry import register
from federe.connectors.types import Author, Batch, Item


@register
class ThrowawayConnector(Connector):
    key = "{key}"
    label = "Throw-away network"
    capabilities = frozenset({{Capability.READ}})
    setup_fields = (SetupField("room", "Room"),)
    setup_help = (SetupStep("Tell the room's bot about Fédère.", "notify {{hook_url}}"),)

    def fetch(self, cursor):
        done = int((cursor or {{}}).get("done", 0))
        items = [
            Item(
                external_id=f"{key}-{{n}}",
                thread_id=self.config["room"],
                author=Author(external_id="someone", display_name="Someone"),
                body_html=f"<p>Message {{n}} in the throw-away room</p>",
                created_at=datetime(2026, 1, 1, 12, n, tzinfo=UTC),
            )
            for n in range(done, 3)
        ]
        return Batch(items=items, cursor={{"done": 3}})
'''


def _write_package(root: Path, name: str, key: str) -> None:
    package = root / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "connector.py").write_text(textwrap.dedent(THROWAWAY.format(key=key)))


@pytest.fixture
def forget(monkeypatch):
    """Takes the throw-away networks and their modules away again after the test."""
    registry.discover()  # the built-in networks register in the real registry, not in the test's copy
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    yield
    for name in [m for m in sys.modules if "throwaway" in m]:
        del sys.modules[name]


@pytest.fixture
def in_folder(tmp_path, monkeypatch, forget) -> str:
    """A throw-away network in its own folder, as if it sat in src/federe/connectors/throwaway/."""
    _write_package(tmp_path, "throwaway", "throwaway")
    monkeypatch.setattr(federe.connectors, "__path__", [*federe.connectors.__path__, str(tmp_path)])
    registry.discover(again=True)
    return "throwaway"


def test_the_built_in_networks_are_found_without_a_list():
    packages = registry.builtin_packages()
    assert {f"federe.connectors.{key}" for key in ("dummy", "mastodon", "rss", "wordpress")} <= set(packages)
    assert {cls.key for cls in registry.available()} >= {"dummy", "mastodon", "rss", "wordpress"}


def test_a_folder_is_enough_to_add_a_network(in_folder, client, owner, workspace):
    assert in_folder in {cls.key for cls in registry.available()}
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/channels/").content.decode()
    assert f'data-network="{in_folder}"' in page and f'name="{in_folder}__room"' in page

    connection = create_connection(
        workspace=workspace, network=in_folder, name="Side room", config={"room": "r1"}, credentials={}, by=owner
    )
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == ""
    stored = Message.objects.filter(connection=connection).order_by("external_id")
    assert [m.external_id for m in stored] == [f"{in_folder}-0", f"{in_folder}-1", f"{in_folder}-2"]
    assert sync_connection(connection.pk, worker_id="test") is not None  # the next sync adds nothing
    assert Message.objects.filter(connection=connection).count() == 3

    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    listed = client.get("/api/v1/connections", headers={"Authorization": f"Bearer {raw}"}).json()
    assert {"name": "Side room", "network": in_folder, "capabilities": ["read"]}.items() <= listed[0].items()

    detail = client.get(f"/w/{workspace.slug}/channels/{connection.pk}/").content.decode()
    assert "Tell the room&#x27;s bot about Fédère." in detail and "notify http" in detail
    assert "wp-config.php" not in detail


def test_a_third_party_package_is_found_through_its_entry_point(tmp_path, monkeypatch, forget):
    site = tmp_path / "site"
    _write_package(site, "throwaway_plugin", "throwaway-plugin")
    info = site / "throwaway_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[federe.connectors]\nthrowaway = throwaway_plugin.connector\n")
    monkeypatch.syspath_prepend(str(site))
    registry.discover(again=True)
    assert registry.connector_class("throwaway-plugin").label == "Throw-away network"


def test_a_broken_third_party_package_is_left_out_and_said(tmp_path, monkeypatch, forget, caplog):
    site = tmp_path / "site"
    info = site / "throwaway_broken-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-broken\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[federe.connectors]\nbroken = throwaway_missing.connector\n")
    monkeypatch.syspath_prepend(str(site))
    registry.discover(again=True)
    assert "throwaway_missing.connector" in caplog.text
    assert "wordpress" in {cls.key for cls in registry.available()}
