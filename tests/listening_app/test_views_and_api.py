from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.inbox.ingest import ingest_items
from federe.listening.models import Mention, SavedQuery
from tests.listening_app.test_services import item, query

pytestmark = pytest.mark.django_db


def test_write_a_query_see_the_live_preview_save_it_and_see_share_of_voice(client, connection, owner):
    ingest_items(connection, [item(1, "Le café Lumière est top"), item(2, "La Brûlerie aussi"), item(3, "Autre")])
    client.force_login(owner)
    preview = client.post(reverse("listening:preview", args=["acme"]), {"text": "lumière OR brûlerie"})
    assert b"2 recent messages match" in preview.content and b"Lumi" in preview.content
    error = client.post(reverse("listening:preview", args=["acme"]), {"text": '"café'})
    assert b"at character" in error.content
    response = client.post(
        reverse("listening:query-new", args=["acme"]), {"name": "Lumière", "kind": "brand", "text": "lumière"}
    )
    saved = SavedQuery.objects.get(name="Lumière")
    assert response.status_code == 302 and Mention.objects.filter(query=saved).count() == 1
    client.post(
        reverse("listening:query-new", args=["acme"]), {"name": "Rival", "kind": "competitor", "text": "brûlerie"}
    )
    page = client.get(reverse("listening:dashboard", args=["acme"]))
    assert b"<svg" in page.content and b"Share of voice" in page.content and b"Rival" in page.content
    csv = client.get(reverse("listening:voice-csv", args=["acme"]))
    assert csv["Content-Type"].startswith("text/csv") and b"Lumi" in csv.content
    detail = client.get(reverse("listening:query", args=["acme", saved.pk]))
    assert b"Opinion leaders" in detail.content and b"https://blog.example.org/post/1" in detail.content


def test_a_bad_query_is_refused_in_place_and_loses_nothing(client, connection, owner):
    client.force_login(owner)
    response = client.post(
        reverse("listening:query-new", args=["acme"]), {"name": "Broken", "kind": "brand", "text": "(a OR b"}
    )
    assert response.status_code == 400 and b"at character" in response.content
    assert b"(a OR b" in response.content  # the text is still in the form
    assert not SavedQuery.objects.exists()


def test_clients_see_listening_but_cannot_change_it(client, connection, owner, member_factory):
    query(connection.workspace, owner, "Lumière", "lumière")
    client.force_login(member_factory(Role.CLIENT))
    assert client.get(reverse("listening:dashboard", args=["acme"])).status_code == 200
    client.post(reverse("listening:query-new", args=["acme"]), {"name": "X", "kind": "brand", "text": "x"})
    assert SavedQuery.objects.count() == 1


def test_api_queries_preview_mentions_and_errors(client, connection, owner):
    ingest_items(connection, [item(1, "Lumière !"), item(2, "rien")])
    _, raw = create_api_token(workspace=connection.workspace, user=owner, name="listening")
    headers = {"Authorization": f"Bearer {raw}"}
    bad = client.post(
        "/api/v1/listening/queries",
        {"name": "Broken", "kind": "brand", "text": "NEAR/x"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "text"
    assert "at character" in bad.json()["error"]["message"]
    created = client.post(
        "/api/v1/listening/queries",
        {"name": "Lumière", "kind": "brand", "text": "lumière"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201 and created.json()["mentions"] == 1
    qid = created.json()["id"]
    mentions = client.get(f"/api/v1/listening/queries/{qid}/mentions", headers=headers).json()
    assert [m["body_text"] for m in mentions] == ["Lumière !"]
    preview = client.post(
        "/api/v1/listening/preview", {"text": "rien"}, content_type="application/json", headers=headers
    ).json()
    assert [m["body_text"] for m in preview] == ["rien"]
    voice = client.get("/api/v1/listening/share-of-voice", headers=headers).json()
    assert voice[0]["query_ids"] == [qid] and voice[0]["brand"] == "Lumière" and voice[0]["mentions"] == 1


def test_cli_add_and_voice(connection, owner):
    ingest_items(connection, [item(1, "Lumière !")])
    out = io.StringIO()
    call_command(
        "listening",
        "add",
        "--workspace",
        "acme",
        "--name",
        "L",
        "--kind",
        "brand",
        "--query",
        "lumière",
        "--as",
        "owner",
        stdout=out,
    )
    assert "1 recent messages match" in out.getvalue()
    out = io.StringIO()
    call_command("listening", "voice", "--workspace", "acme", stdout=out)
    assert out.getvalue().startswith("period,brand,kind,mentions")
