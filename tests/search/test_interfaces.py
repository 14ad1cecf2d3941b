"""The search page, its box in the inbox, the API and the command line: same words, same filters, same checks."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from federe.accounts.services import create_api_token
from federe.inbox.ingest import ingest_items
from tests.search.conftest import item

pytestmark = pytest.mark.django_db


def page(client, **params):
    return client.get(reverse("search:results", args=["acme"]), params)


def test_the_inbox_has_the_search_box(client, owner, corpus):
    client.force_login(owner)
    html = client.get(reverse("inbox:list", args=["acme"])).content.decode()
    assert 'id="inbox-search"' in html and reverse("search:results", args=["acme"]) in html


def test_the_page_explains_itself_before_any_search(client, owner, corpus):
    client.force_login(owner)
    response = page(client)
    assert response.status_code == 200 and "cheval" in response.content.decode()


def test_the_page_lists_results_with_excerpts_and_links_to_the_message(client, owner, corpus):
    client.force_login(owner)
    html = page(client, q="chevaux").content.decode()
    horses = corpus["fr-horses"]
    assert f"/inbox/{horses.conversation_id}/#m{horses.pk}" in html
    assert "<mark>chevaux</mark>" in html and "1 message found" in html
    html = page(client, q="tea").content.decode()
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_the_page_says_when_nothing_matches(client, owner, corpus):
    client.force_login(owner)
    html = page(client, q="zeppelin").content.decode()
    assert "No message contains all these words" in html and "0 messages found" in html


def test_the_page_in_french(client, owner, corpus):
    client.force_login(owner)
    with translation.override("fr"):
        html = client.get(
            reverse("search:results", args=["acme"]), {"q": "cheval"}, HTTP_ACCEPT_LANGUAGE="fr"
        ).content.decode()
    assert "1 message trouvé" in html or "1\u00a0message trouvé" in html
    assert '<button class="primary" type="submit">Rechercher</button>' in html  # the verb, not "Recherche"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"q": '"open'}, "quotation mark"),
        ({"q": "x" * 5000}, "too long"),
        ({"q": "\u200b\ufeff…"}, "at least one word"),
        ({"q": "coffee", "channel": "²"}, "Select a valid choice"),
        ({"q": "coffee", "channel": "99999999999999999999999"}, "Select a valid choice"),
        ({"q": "coffee", "since": "2026-02-30"}, "valid date"),
        ({"q": "coffee", "label": "-1"}, "Select a valid choice"),
        ({"q": "coffee", "assignee": "x"}, "Select a valid choice"),
        ({"q": "coffee", "sentiment": "angry"}, "Select a valid choice"),
        ({"q": "coffee", "page": "²"}, None),
        ({"q": "coffee", "page": "99999999999999999999"}, None),
    ],
)
def test_bad_input_is_said_in_words_never_a_500(client, owner, corpus, params, words):
    client.force_login(owner)
    response = page(client, **params)
    assert response.status_code in (200, 422)
    if words:
        assert words in response.content.decode() and response.status_code == 422


def test_another_workspace_cannot_use_the_page_or_see_its_channel(client, owner, corpus, other_workspace):
    _rival, rival_owner, _rival_channel = other_workspace
    client.force_login(rival_owner)
    assert page(client, q="coffee").status_code == 404  # not a member of acme
    response = client.get(
        reverse("search:results", args=["rival"]), {"q": "coffee", "channel": corpus["html"].connection_id}
    )
    assert response.status_code == 422  # acme's channel is no choice in rival


def test_the_api_searches_with_filters_and_pages(client, owner, corpus, connection, other_workspace):
    _token, raw = create_api_token(user=owner, workspace=corpus["html"].workspace, name="script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = client.get("/api/v1/search", {"q": "coffee", "per_page": 2}, **auth).json()
    assert body["total"] == 3 and body["has_next"] and len(body["results"]) == 2
    assert {"message", "excerpt_html", "thread_title", "thread_status"} <= set(body["results"][0])
    body = client.get("/api/v1/search", {"q": "coffee", "author": "alice", "channel": connection.pk}, **auth).json()
    assert [r["message"]["external_id"] for r in body["results"]] == ["en-phrase"]
    assert "<mark>coffee</mark>" in body["results"][0]["excerpt_html"]
    bad = client.get("/api/v1/search", {"q": '"open'}, **auth)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "q"
    assert "quotation mark" in bad.json()["error"]["message"]
    assert client.get("/api/v1/search", {"q": "   "}, **auth).status_code == 422
    assert (
        client.get("/api/v1/search", {"q": "coffee", "sentiment": "angry"}, **auth).json()["error"]["field"]
        == "sentiment"
    )
    _rival, _rival_owner, rival_channel = other_workspace
    ingest_items(rival_channel, [item("theirs", "en", "zed", "Their coffee is better.")])
    body = client.get("/api/v1/search", {"q": "coffee"}, **auth).json()
    assert "theirs" not in {r["message"]["external_id"] for r in body["results"]}
    assert client.get("/api/v1/search", {"q": "coffee", "channel": rival_channel.pk}, **auth).status_code == 422


def test_the_command_line_searches_and_reindexes(workspace, corpus):
    out = io.StringIO()
    call_command("search", "chevaux", "--workspace", "acme", stdout=out)
    assert "[chevaux]" in out.getvalue() and "1 message found." in out.getvalue()
    out = io.StringIO()
    call_command("search", '"slow service"', "--workspace", "acme", "--author", "bob", stdout=out)
    assert "[slow] [service]" in out.getvalue()
    with pytest.raises(CommandError, match="quotation mark"):
        call_command("search", '"open', "--workspace", "acme")
    with pytest.raises(CommandError, match="Channel"):
        call_command("search", "coffee", "--workspace", "acme", "--channel", "²")
    with pytest.raises(CommandError, match="workspace"):
        call_command("search", "coffee")
    out = io.StringIO()
    call_command("search", "reindex", "--workspace", "acme", stdout=out)
    assert f"{len(corpus)} messages indexed." in out.getvalue()
