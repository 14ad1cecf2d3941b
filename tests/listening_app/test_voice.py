"""Share of voice: brand and competitor queries only, grouped by the brand they count for, each message once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from federe.accounts.services import create_api_token
from federe.inbox.ingest import ingest_items
from federe.listening import services, voice
from federe.listening.models import SavedQuery
from tests.listening_app.test_services import item

pytestmark = pytest.mark.django_db


def save(connection, owner, name, text, kind, brand=""):
    return services.save_query(workspace=connection.workspace, by=owner, name=name, kind=kind, text=text, brand=brand)


@pytest.fixture
def overlapping(connection, owner):
    """The issue's case: the brand query, then test queries overlapping it, one of them of another kind."""
    brand = save(connection, owner, "Lumière", "lumière", "brand")
    overlap = save(connection, owner, "Lumière café", '"lumière" AND café', "brand", brand="Lumière")
    rival = save(connection, owner, "La Brûlerie", "brûlerie", "competitor")
    save(connection, owner, "Test", "lumière OR brûlerie OR café", "topic")
    ingest_items(
        connection,
        [
            item(1, "Lumière, le meilleur café"),
            item(2, "Lumière ouvre un café"),
            item(3, "Lumière encore"),
            item(4, "La brûlerie est super"),
        ],
    )
    return brand, overlap, rival


def test_a_message_matched_by_several_queries_of_one_brand_counts_once(connection, overlapping):
    brand, overlap, rival = overlapping
    assert overlap.brand == "Lumière" and brand.brand == "Lumière" and rival.brand == "La Brûlerie"
    points = voice.share_of_voice(connection.workspace)
    totals = {p.brand: p.total for p in points}
    assert totals == {"Lumière": 3, "La Brûlerie": 1}  # the topic query and the overlap add nothing
    lumiere = next(p for p in points if p.brand == "Lumière")
    assert lumiere.kind == "brand" and lumiere.negative + lumiere.neutral + lumiere.positive == 3
    rows = voice.voice_csv(points).splitlines()
    assert rows[0] == "period,brand,kind,mentions,share,negative,neutral,positive"
    assert any(r.split(",")[1:5] == ["Lumière", "brand", "3", "0.750"] for r in rows[1:])


def test_the_chart_says_what_it_counts_in_both_languages(client, connection, owner, overlapping):
    client.force_login(owner)
    page = client.get(reverse("listening:dashboard", args=["acme"])).content.decode()
    assert "75 %" in page and "Each message counts once per brand" in page
    page = client.get(reverse("listening:dashboard", args=["acme"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Chaque message compte une fois par marque" in page


def test_the_api_groups_by_brand_too(client, connection, owner, overlapping):
    brand, overlap, _rival = overlapping
    _, raw = create_api_token(workspace=connection.workspace, user=owner, name="voice")
    voice = client.get("/api/v1/listening/share-of-voice", headers={"Authorization": f"Bearer {raw}"}).json()
    lumiere = [v for v in voice if v["brand"] == "Lumière"]
    assert sum(v["mentions"] for v in lumiere) == 3 and lumiere[0]["kind"] == "brand"
    assert sorted(lumiere[0]["query_ids"]) == sorted([brand.pk, overlap.pk])


def test_a_new_query_s_kind_must_be_chosen_in_the_form_and_the_api(client, connection, owner):
    client.force_login(owner)
    form = client.get(reverse("listening:query-new", args=["acme"])).content.decode()
    assert 'value="brand" selected' not in form
    response = client.post(reverse("listening:query-new", args=["acme"]), {"name": "Test", "text": "café"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert "café" in response.content.decode() and not SavedQuery.objects.exists()
    _, raw = create_api_token(workspace=connection.workspace, user=owner, name="kind")
    response = client.post(
        "/api/v1/listening/queries",
        {"name": "Test", "text": "café"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422 and not SavedQuery.objects.exists()


def test_a_brand_name_from_the_form_feeds_an_existing_brand(client, connection, owner):
    client.force_login(owner)
    data = {"name": "Lumière", "kind": "brand", "text": "lumière", "brand": ""}
    assert client.post(reverse("listening:query-new", args=["acme"]), data).status_code == 302
    data = {"name": "Lumière (typo)", "kind": "brand", "text": "lumiere OR lumire", "brand": "lumière"}
    assert client.post(reverse("listening:query-new", args=["acme"]), data).status_code == 302
    data = {"name": "Veille", "kind": "topic", "text": "café", "brand": "Lumière"}
    assert client.post(reverse("listening:query-new", args=["acme"]), data).status_code == 302
    assert dict(SavedQuery.objects.values_list("name", "brand")) == {
        "Lumière": "Lumière",
        "Lumière (typo)": "Lumière",  # the existing spelling
        "Veille": "",  # topics and products count for no brand
    }
