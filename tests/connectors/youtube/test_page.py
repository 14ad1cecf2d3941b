"""The channel page of a YouTube channel says plainly that the connector was not checked against YouTube."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def youtube_channel(workspace):
    config = {"client_id": "page-client.apps.googleusercontent.com"}
    return ConnectionFactory(workspace=workspace, network="youtube", name="Bakery videos", config=config)


def test_the_channel_page_says_the_connector_is_unverified(client, owner, youtube_channel):
    client.force_login(owner)
    page = client.get(reverse("connections:detail", args=["acme", youtube_channel.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "not yet checked against the live service" in text
    assert "enable the “YouTube Data API v3”" in text  # its own setup help
    assert "community posts have no public API" in text  # its limitations


def test_the_page_is_translated(client, owner, youtube_channel):
    client.force_login(owner)
    with translation.override("fr"):
        page = client.get(reverse("connections:detail", args=["acme", youtube_channel.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "activez l’API « YouTube Data API v3 »" in text
    assert "enable the “YouTube Data API v3”" not in text
