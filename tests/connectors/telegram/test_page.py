"""A Telegram channel's page says plainly that the connector was not checked against Telegram itself."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_channel(workspace):
    return ConnectionFactory(workspace=workspace, network="telegram", name="Group", config={"chats": "@acme_community"})


def test_the_channel_page_says_the_connector_is_unverified(client, owner, group_channel):
    client.force_login(owner)
    page = client.get(reverse("connections:detail", args=["acme", group_channel.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "not yet checked against the live service" in text
    assert "@BotFather" in text and "/setprivacy" in text  # its own setup help: privacy mode


def test_the_notice_and_help_are_translated(client, owner, group_channel):
    client.force_login(owner)
    with translation.override("fr"):
        page = client.get(reverse("connections:detail", args=["acme", group_channel.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "mode confidentialité" in text and "@BotFather" in text
    assert "not yet checked against the live service" not in text


def test_a_period_past_telegrams_24_hours_shows_on_the_channel_health(client, owner, workspace):
    gap = ["2026-12-01T09:00:00+00:00", "2026-12-03T17:00:00+00:00"]
    channel = ConnectionFactory(
        workspace=workspace, network="telegram", name="Group", config={"chats": "@acme_community"}
    )
    channel.cursor = {"offset": 861000108, "gaps": [gap]}
    channel.save(update_fields=["cursor"])
    channel.refresh_from_db()
    assert channel.cursor["gaps"] == [gap], channel.cursor
    client.force_login(owner)
    with translation.override("en"):
        text = client.get(reverse("connections:detail", args=["acme", channel.pk])).content.decode()
    assert "Missed while disconnected:" in text, text[text.find("<main") : text.find("<main") + 3000]
