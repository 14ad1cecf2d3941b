"""The channel page of a Discourse channel says plainly that the connector was not checked against a live forum."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum_channel(workspace):
    config = {"site_url": "https://forum.example.org", "api_username": "brand_team"}
    return ConnectionFactory(workspace=workspace, network="discourse", name="Forum", config=config)


def test_the_channel_page_says_the_connector_is_unverified(client, owner, forum_channel):
    client.force_login(owner)
    page = client.get(reverse("connections:detail", args=["acme", forum_channel.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "not yet checked against the live service" in text
    assert "Create an API key in Discourse" in text  # its own setup help, no other network's


def test_the_warning_is_translated(client, owner, forum_channel):
    client.force_login(owner)
    with translation.override("fr"):
        page = client.get(reverse("connections:detail", args=["acme", forum_channel.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "Créez une clé d’API dans Discourse" in text
    assert "Create an API key" not in text
