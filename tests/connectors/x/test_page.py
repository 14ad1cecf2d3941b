"""An X channel's page says plainly that the connector was not checked against X itself, and shows X's help."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def x_channel(workspace):
    return ConnectionFactory(workspace=workspace, network="x", name="X account", config={})


def test_the_channel_page_says_the_connector_is_unverified(client, owner, x_channel):
    client.force_login(owner)
    page = client.get(reverse("connections:detail", args=["acme", x_channel.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "not yet checked against the live service" in text
    assert "offline.access" in text and "Basic or above" in text  # its own setup help and limitations


def test_the_notice_and_help_are_translated(client, owner, x_channel):
    client.force_login(owner)
    with translation.override("fr"):
        page = client.get(reverse("connections:detail", args=["acme", x_channel.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "accès payant" in text and "offline.access" in text
    assert "not yet checked against the live service" not in text
