"""The channel page of an Instagram channel says the connector was built to the published API, not checked live."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account_channel(workspace):
    config = {"ig_user_id": "17841400000000001"}
    return ConnectionFactory(workspace=workspace, network="instagram", name="Instagram", config=config)


def test_the_channel_page_says_the_connector_is_unverified(client, owner, account_channel):
    client.force_login(owner)
    page = client.get(reverse("connections:detail", args=["acme", account_channel.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "not yet checked against the live service" in text
    assert "instagram_business_account" in text  # its own setup help
    assert "24 hours" in text  # the messaging window, in its limitations


def test_the_notice_is_translated(client, owner, account_channel):
    client.force_login(owner)
    with translation.override("fr"):
        page = client.get(reverse("connections:detail", args=["acme", account_channel.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "pas encore vérifié sur le service réel" in text
    assert "24 heures" in text
