"""A Discord channel's page says plainly that the connector was not checked against Discord itself."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_channel(workspace):
    config = {"guild_id": "1180000000000000000"}
    return ConnectionFactory(workspace=workspace, network="discord", name="Server", config=config)


def test_the_channel_page_says_the_connector_is_unverified(client, owner, server_channel):
    client.force_login(owner)
    page = client.get(reverse("connections:detail", args=["acme", server_channel.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "not yet checked against the live service" in text
    assert "Message Content intent" in text  # its own setup help


def test_the_notice_and_help_are_translated(client, owner, server_channel):
    client.force_login(owner)
    with translation.override("fr"):
        page = client.get(reverse("connections:detail", args=["acme", server_channel.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "intention Message Content" in text
    assert "not yet checked against the live service" not in text
