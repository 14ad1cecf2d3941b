"""The dashboard page and its CSV downloads: every family drawn and tabled, periods chosen or refused in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from federe.analytics.tables import FAMILIES
from federe.connections.services import sync_connection
from federe.inbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, owner, connection):
    sync_connection(connection.pk, worker_id="test")
    client.force_login(owner)
    return reverse("analytics:dashboard", args=[connection.workspace.slug])


def test_the_dashboard_shows_every_family_with_a_picture_and_a_table(client, page):
    first = Message.objects.order_by("posted_at").first().posted_at.date()
    response = client.get(page, {"since": first.isoformat(), "until": (first + timedelta(days=89)).isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    for family in FAMILIES:
        assert f'id="{family}"' in html
    assert html.count("<svg") >= 3 and "<table" in html
    growth = next(t for t in response.context["tables"] if t.family == "growth")
    assert growth.rows[1][0] == "New members" and growth.rows[1][1] > 0  # the synced authors are new


def test_a_channel_dashboard_and_its_csv(client, page, connection):
    response = client.get(page, {"channel": connection.pk, "since": "2020-01-01", "until": "2030-12-31"})
    assert response.status_code == 422  # longer than two years: said in words
    assert "at most" in response.content.decode()
    response = client.get(page, {"channel": connection.pk, "days": "30"})
    assert response.status_code == 200 and 'id="voice"' not in response.content.decode()
    csv = client.get(reverse("analytics:csv", args=[connection.workspace.slug, "activity"]), {"channel": connection.pk})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Day,") and len(lines) == 31


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_family_downloads_as_csv(client, page, connection, family):
    response = client.get(reverse("analytics:csv", args=[connection.workspace.slug, family]), {"days": "7"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_the_page_in_french(client, page, owner):
    owner.language = "fr"
    owner.save()
    response = client.get(page, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert "Tableaux de bord" in html and "Nouveaux membres" in html
    # The comparison column is a noun ("Changer" is the verb), and a target's row agrees in French.
    assert '<th scope="col">Évolution</th>' in html and '<th scope="col">Changer</th>' not in html
    assert "Objectif « première réponse » tenu (%)" in html


def test_bad_periods_and_other_workspaces_channels_are_refused(client, page, other_workspace):
    assert client.get(page, {"days": "12"}).status_code == 422
    assert client.get(page, {"since": "2026-02-30", "until": "2026-03-01"}).status_code == 422
    assert client.get(page, {"since": "2026-03-02", "until": "2026-03-01"}).status_code == 422
    _rival, _owner, theirs = other_workspace
    assert client.get(page, {"channel": theirs.pk}).status_code == 404
    assert client.get(page, {"channel": "x"}).status_code == 404
