"""A LinkedIn channel's page says plainly that the connector was not checked against LinkedIn itself."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_channel(workspace):
    return ConnectionFactory(workspace=workspace, network="linkedin", name="Page", config={"organization": "2414183"})


def test_the_channel_page_says_the_connector_is_unverified(client, owner, page_channel):
    client.force_login(owner)
    page = client.get(reverse("connections:detail", args=["acme", page_channel.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "not yet checked against the live service" in text and "approved partners only" in text


def test_the_notice_and_help_are_translated(client, owner, page_channel):
    client.force_login(owner)
    with translation.override("fr"):
        page = client.get(reverse("connections:detail", args=["acme", page_channel.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "partenaires agréés" in text and "not yet checked against the live service" not in text
