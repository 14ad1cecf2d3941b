"""The saved replies page, the picker and insertion in a thread, permissions, and the API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from federe.accounts.models import Role
from federe.accounts.services import create_api_token
from federe.replies.models import SavedReply
from tests.replies.conftest import make

pytestmark = pytest.mark.django_db


def _page(ws):
    return reverse("replies:list", args=[ws.slug])


def test_the_page_lists_by_folder_with_usage_counts_and_filters(client, workspace, owner, connection):
    make(workspace, owner, "Thanks", folder="Welcome")
    scoped = make(workspace, owner, "Merci", language="fr", folder="Accueil", connection=connection)
    SavedReply.objects.filter(pk=scoped.pk).update(usage_count=3)
    client.force_login(owner)
    html = client.get(_page(workspace)).content.decode()
    assert html.index("Accueil") < html.index("Welcome") and "3 uses" in html
    french = client.get(_page(workspace), {"language": "fr"}).content.decode()
    assert "Merci" in french and "Thanks" not in french
    everywhere = client.get(_page(workspace), {"scope": "workspace"}).content.decode()
    assert "Thanks" in everywhere and "Merci" not in everywhere
    channel = client.get(_page(workspace), {"scope": str(connection.pk)}).content.decode()
    assert "Merci" in channel and "Thanks" not in channel


def test_create_edit_and_delete_with_confirmation(client, workspace, owner):
    client.force_login(owner)
    data = {"title": "Thanks", "folder": "Welcome", "language": "en", "connection": "", "body": "Hi {{agent.name}}"}
    assert client.post(_page(workspace), data).status_code == 302
    saved = SavedReply.objects.get()
    edit = reverse("replies:edit", args=[workspace.slug, saved.pk])
    assert client.post(edit, {**data, "title": "Thank you"}).status_code == 302
    saved.refresh_from_db()
    assert saved.title == "Thank you"
    delete = reverse("replies:delete", args=[workspace.slug, saved.pk])
    assert client.post(delete).status_code == 400 and SavedReply.objects.exists()
    assert client.post(delete, {"confirmed": "yes"}).status_code == 302
    assert not SavedReply.objects.exists()


def test_an_unknown_variable_is_refused_in_french_and_the_text_kept(client, workspace, owner):
    client.force_login(owner)
    client.post(reverse("accounts:set-language"), {"language": "fr"})
    data = {"title": "Bad", "language": "fr", "connection": "", "body": "Bonjour {{auteur.nom}}"}
    response = client.post(_page(workspace), data, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert response.status_code == 422 and "n’est pas une variable" in html and "Bonjour {{auteur.nom}}" in html
    assert not SavedReply.objects.exists()


def test_a_client_sees_the_page_but_cannot_write(client, workspace, owner, member_factory):
    saved = make(workspace, owner, "Thanks")
    viewer = member_factory(Role.CLIENT)
    client.force_login(viewer)
    html = client.get(_page(workspace)).content.decode()
    assert "Thanks" in html and 'name="body"' not in html
    data = {"title": "Sneaky", "language": "en", "connection": "", "body": "x"}
    assert client.post(_page(workspace), data).status_code == 422
    edit = reverse("replies:edit", args=[workspace.slug, saved.pk])
    assert client.post(edit, {**data}).status_code == 422
    client.post(reverse("replies:delete", args=[workspace.slug, saved.pk]), {"confirmed": "yes"})
    assert list(SavedReply.objects.values_list("title", flat=True)) == ["Thanks"]


def test_the_picker_offers_the_channel_s_replies_filtered_by_what_is_typed(client, workspace, owner, conversation):
    make(workspace, owner, "Order follow-up")
    make(workspace, owner, "Opening hours")
    client.force_login(owner)
    url = reverse("replies:picker", args=[workspace.slug, conversation.pk])
    html = client.get(url, {"q": "/ord"}).content.decode()
    assert "Order follow-up" in html and "Opening hours" not in html
    assert "No saved reply matches" in client.get(url, {"q": "zzz"}).content.decode()


def test_the_thread_s_reply_box_carries_the_picker(client, workspace, owner, conversation):
    client.force_login(owner)
    html = client.get(reverse("inbox:thread", args=[workspace.slug, conversation.pk])).content.decode()
    assert reverse("replies:picker", args=[workspace.slug, conversation.pk]) in html
    assert "federe/replies.js" in html


def test_insert_asks_the_questions_first_then_fills_the_reply(client, workspace, owner, conversation):
    saved = make(workspace, owner, "Order", body="Hi {{author.first_name}}, order {{ask:order number}} <ok>")
    client.force_login(owner)
    url = reverse("replies:insert", args=[workspace.slug, conversation.pk, saved.pk])
    asking = client.get(url).content.decode()
    assert "order number" in asking and 'name="ask-0"' in asking and "data-saved-reply-text" not in asking
    refused = client.post(url, {"ask-0": ""}).content.decode()
    assert "Answer every question first" in refused and "data-saved-reply-text" not in refused
    filled = client.post(url, {"ask-0": "A-12"}).content.decode()
    assert "Hi Zoé, order A-12 &lt;ok&gt;" in filled


def test_a_reply_scoped_to_another_channel_cannot_be_inserted(client, workspace, owner, conversation, second_channel):
    saved = make(workspace, owner, "Other", connection=second_channel)
    client.force_login(owner)
    url = reverse("replies:insert", args=[workspace.slug, conversation.pk, saved.pk])
    assert client.get(url).status_code == 404


def test_an_analyst_gets_no_picker(client, workspace, owner, conversation, member_factory):
    saved = make(workspace, owner, "Hi")
    client.force_login(member_factory(Role.ANALYST))
    assert client.get(reverse("replies:picker", args=[workspace.slug, conversation.pk])).status_code == 403
    insert = reverse("replies:insert", args=[workspace.slug, conversation.pk, saved.pk])
    assert client.get(insert).status_code == 403


def _api(client, raw):
    headers = {"Authorization": f"Bearer {raw}"}

    def call(method, path, body=None, **params):
        kwargs: dict = {"data": params}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(client, method)(f"/api/v1/saved-replies{path}", headers=headers, **kwargs)

    return call


def test_the_api_creates_lists_updates_renders_and_deletes(client, workspace, owner, conversation):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    api = _api(client, raw)
    body = {"title": "Order", "language": "en", "body": "Hi {{author.first_name}}, {{ask:order number}}"}
    created = api("post", "", body)
    assert created.status_code == 201 and created.json()["questions"] == ["order number"]
    pk = created.json()["id"]
    assert [r["id"] for r in api("get", "", language="en").json()] == [pk]
    assert api("get", "", language="fr").json() == []
    assert api("put", f"/{pk}", {**body, "folder": "Orders"}).json()["folder"] == "Orders"
    rendered = api("post", f"/{pk}/render", {"conversation_id": conversation.pk, "answers": {"order number": "7"}})
    assert rendered.status_code == 200 and rendered.json() == {"text": "Hi Zoé, 7"}
    unanswered = api("post", f"/{pk}/render", {"conversation_id": conversation.pk})
    assert unanswered.status_code == 422
    assert api("delete", f"/{pk}").status_code == 204 and not SavedReply.objects.exists()


def test_the_api_refuses_an_unknown_variable_in_words(client, workspace, owner):
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    response = _api(client, raw)("post", "", {"title": "Bad", "language": "en", "body": "{{author.email}}"})
    assert response.status_code == 422
    assert "author.email" in response.json()["error"]["message"]
    assert not SavedReply.objects.exists()


@pytest.mark.parametrize("scope", ["²", "٣", "999999999999", "-1", "1.5"])
def test_a_scope_that_is_no_channel_id_lists_nothing_never_a_500(client, workspace, owner, connection, scope):
    make(workspace, owner, "Everywhere")
    make(workspace, owner, "Here", connection=connection)
    _token, raw = create_api_token(user=owner, workspace=workspace, name="script")
    api = _api(client, raw)
    response = api("get", "", scope=scope)
    assert response.status_code == 200, response.content
    assert response.json() == []
    assert [r["title"] for r in api("get", "", scope=str(connection.pk)).json()] == ["Here"]
    client.force_login(owner)
    page = client.get(reverse("replies:list", args=[workspace.slug]), {"scope": scope})
    assert page.status_code == 200
