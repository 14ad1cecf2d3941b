"""Each channel page shows its own network's setup help, and the private sync address only to managers."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.accounts.models import Role
from federe.connectors import registry
from federe.connectors.base import SetupStep, setup_steps
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def _page(client, user, connection) -> str:
    client.force_login(user)
    return client.get(f"/w/{connection.workspace.slug}/channels/{connection.pk}/").content.decode()


def test_a_wordpress_channel_shows_the_wp_config_line_with_its_sync_address(client, owner, workspace):
    blog = ConnectionFactory(
        workspace=workspace, name="Blog", network="wordpress", config={"site_url": "https://b.example"}
    )
    page = _page(client, owner, blog)
    assert "contrib/wordpress/federe-notify.php" in page
    assert f"define( &#x27;FEDERE_NOTIFY_URL&#x27;, &#x27;http://testserver/hooks/sync/{blog.pk}/" in page
    assert "Keep this address private" in page


def test_other_networks_show_the_general_sync_address_not_wordpress_help(client, owner, workspace):
    for network in ("dummy", "mastodon", "rss"):
        channel = ConnectionFactory(workspace=workspace, name=network, network=network)
        page = _page(client, owner, channel)
        assert "wp-config.php" not in page and "federe-notify.php" not in page
        assert f"http://testserver/hooks/sync/{channel.pk}/" in page and "a network, or a script, can call" in page


def test_who_cannot_manage_channels_sees_no_sync_address(client, member_factory, workspace):
    blog = ConnectionFactory(
        workspace=workspace, name="Blog", network="wordpress", config={"site_url": "https://b.example"}
    )
    page = _page(client, member_factory(Role.MODERATOR), blog)
    assert "/hooks/sync/" not in page and "wp-config.php" not in page


def test_steps_fill_their_placeholders_and_hide_when_one_is_missing():
    step = SetupStep("Add this line:", "url = '{hook_url}'")
    assert step.filled({"hook_url": "https://f.example/h/1/x/"}) == SetupStep(
        "Add this line:", "url = 'https://f.example/h/1/x/'", private=True
    )
    assert step.filled({"hook_url": ""}) is None
    plain = SetupStep("Say hello.", "{ not a placeholder }")
    assert plain.filled({}) == plain


def test_the_wordpress_help_is_translated():
    wordpress = registry.connector_class("wordpress")
    with translation.override("fr"):
        (step,) = setup_steps(wordpress, {"hook_url": "https://f.example/h/"})  # its own hook step, not the general one
        assert "ajoutez à wp-config.php" in str(step.text)


def test_an_import_only_channel_says_how_to_import_again_and_offers_no_sync_address(client, owner, workspace):
    dump = ConnectionFactory(workspace=workspace, name="Meta", network="stackexchange")
    page = _page(client, owner, dump)
    assert f"federe import stackexchange DIR --workspace {workspace.slug}" in page
    assert "/hooks/sync/" not in page
    with translation.override("fr"):
        (step,) = setup_steps(registry.connector_class("stackexchange"), {"hook_url": "x", "workspace": "w"})
        assert "archive" in str(step.text)


def test_an_import_only_channel_has_no_sync_now_button(client, owner, workspace):
    dump = ConnectionFactory(workspace=workspace, name="Meta", network="stackexchange")
    blog = ConnectionFactory(workspace=workspace, name="Blog", network="rss")
    assert "Sync now" not in _page(client, owner, dump)
    assert "Sync now" in _page(client, owner, blog)
