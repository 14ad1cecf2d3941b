"""The Mastodon listening source on replayed API payloads hand-written from the API documentation (see also
test_recorded.py, on payloads recorded from a real Takahē)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import respx

from federe.connections.services import create_connection, sync_connection
from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.mastodon.connector import MastodonConnector, parse_hashtags
from federe.connectors.mastodon.mapping import map_status
from federe.connectors.types import Item, ItemKind, MalformedItem
from federe.inbox.models import Message
from tests.connectors.mastodon.conftest import INSTANCE, load

TAG = f"{INSTANCE}/api/v1/timelines/tag/federe"
SEARCH = f"{INSTANCE}/api/v2/search"


def source(**config) -> MastodonConnector:
    token = config.pop("token", "")
    return MastodonConnector(
        config={"instance_url": INSTANCE, **config}, credentials={"access_token": token} if token else {}
    )


# -- mapping ------------------------------------------------------------------------------------------------------


def test_statuses_map_to_items_with_reach_and_engagement_in_raw():
    bot_post, reply, original = [map_status(s, instance_host="mastodon.example") for s in load("tag_federe.json")]
    assert all(isinstance(i, Item) for i in (bot_post, reply, original))
    assert original.external_id == original.thread_id == "113500000000000100" and original.kind == ItemKind.POST
    # A local account's acct has no server: the instance's host is added.
    assert original.author.external_id == "acct:camille@mastodon.example"
    assert original.author.handle == "@camille@mastodon.example" and original.author.display_name == "Camille 🌿"
    assert original.author.profile_url == "https://mastodon.example/@camille"
    assert original.author.avatar_url.endswith("/a.png")
    assert original.raw["reblogs_count"] == 12 and original.raw["favourites_count"] == 30
    assert original.raw["replies_count"] == 4 and original.raw["followers_count"] == 1520
    # What ingest stores on the message: the author's followers, and boosts + favourites + replies.
    assert original.raw["reach"] == 1520 and original.raw["engagement"] == 12 + 30 + 4
    assert original.body_html.startswith("<p><strong>Outils</strong></p><p>Nous passons")  # content warning kept
    assert "photo.jpg" in original.body_html and "Capture d&#x27;écran de Fédère" in original.body_html
    assert original.created_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert original.edited_at == datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    assert original.url == "https://mastodon.example/@camille/113500000000000100" and original.language == "fr"
    assert reply.kind == ItemKind.REPLY and reply.parent_id == "113500000000000100"
    assert reply.author.external_id == "acct:jdoe@social.example.org"
    assert bot_post.language == "en" and bot_post.raw["bot"] is True and bot_post.raw["followers_count"] == 12004
    assert bot_post.raw["tags"] == ["federe", "opensource"]


def test_languages_other_than_french_and_english_are_left_to_the_detector():
    german = map_status(load("tag_federe_after.json")[0], instance_host="mastodon.example")
    assert isinstance(german, Item) and german.language == "" and german.raw["language"] == "de"


def test_a_boost_is_the_boosted_status():
    item = map_status(load("tag_boost.json")[0], instance_host="mastodon.example")
    assert isinstance(item, Item) and item.external_id == "113500000000000300"
    assert item.author.external_id == "acct:newsbot@bots.example.net"


def test_statuses_that_cannot_be_read_are_malformed():
    bad_date, no_account, good = [map_status(s, instance_host="mastodon.example") for s in load("tag_malformed.json")]
    assert isinstance(bad_date, MalformedItem) and "not a date" in bad_date.reason
    assert isinstance(no_account, MalformedItem) and no_account.external_id == "113500000000000701"
    assert isinstance(good, Item)
    assert isinstance(map_status("nope", instance_host="x"), MalformedItem)
    assert isinstance(map_status({"content": "x"}, instance_host="x"), MalformedItem)


# -- setup ----------------------------------------------------------------------------------------------------------


def test_registered_read_only_and_honest_about_verification():
    cls = registry.connector_class("mastodon")
    # True since test_takahe_peer.py passed against a live Takahē 0.11 (recorded payloads: test_recorded.py).
    assert cls is MastodonConnector and cls.verified_against_real_server is True
    fields = {f.name: f for f in cls.setup_fields}
    assert fields["access_token"].secret and not fields["access_token"].required
    assert not fields["hashtags"].required and not fields["search_terms"].required


def test_hashtags_are_parsed_and_checked():
    assert parse_hashtags("#federe, Fediverse  #communauté") == ["federe", "Fediverse", "communauté"]
    with pytest.raises(Permanent):
        parse_hashtags("bad-tag")
    with pytest.raises(Permanent) as caught:
        source().sources()
    assert "at least one" in caught.value.message


@respx.mock(assert_all_called=True)
def test_check_reads_the_instance_verifies_the_token_and_probes_each_source(respx_mock, dns):
    respx_mock.get(f"{INSTANCE}/api/v1/instance").respond(json=load("instance.json"))
    verify = respx_mock.get(f"{INSTANCE}/api/v1/apps/verify_credentials").respond(json=load("app_verify.json"))
    tag = respx_mock.get(TAG).respond(json=load("tag_federe.json")[:1])
    search = respx_mock.get(SEARCH).respond(json=load("search_statuses.json"))
    source(hashtags="federe", search_terms="Fédère asso", token="tok-123").check()
    assert verify.calls.last.request.headers["Authorization"] == "Bearer tok-123"
    assert tag.calls.last.request.url.params["limit"] == "1"
    assert search.calls.last.request.url.params["q"] == "Fédère asso"
    assert search.calls.last.request.url.params["type"] == "statuses"


@respx.mock
def test_check_refuses_a_server_that_is_not_mastodon(respx_mock, dns):
    respx_mock.get(f"{INSTANCE}/api/v1/instance").respond(404, text="<html>Not Found</html>")
    with pytest.raises(Permanent) as caught:
        source(hashtags="federe").check()
    assert "no Mastodon API" in caught.value.message


@respx.mock
def test_search_without_token_on_a_server_that_requires_one(respx_mock, dns):
    respx_mock.get(f"{INSTANCE}/api/v1/instance").respond(json=load("instance.json"))
    respx_mock.get(SEARCH).respond(401, json=load("error_auth_required.json"))
    with pytest.raises(Unauthorized) as caught:
        source(search_terms="federe").check()
    assert "add an access token" in caught.value.message


@respx.mock
def test_a_refused_token(respx_mock, dns):
    respx_mock.get(f"{INSTANCE}/api/v1/instance").respond(json=load("instance.json"))
    respx_mock.get(f"{INSTANCE}/api/v1/apps/verify_credentials").respond(401, json=load("error_invalid_token.json"))
    with pytest.raises(Unauthorized) as caught:
        source(hashtags="federe", token="expired").check()
    assert "refused the access token: The access token is invalid" in caught.value.message


# -- SSRF: the instance address goes through netsafe ---------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://169.254.169.254", "http://10.0.0.5", "http://[::ffff:192.168.1.1]"])
@respx.mock
def test_private_instance_addresses_are_refused_before_any_request(respx_mock, url):
    route = respx_mock.route().respond(json={})
    connector = MastodonConnector(config={"instance_url": url, "hashtags": "federe"}, credentials={})
    with pytest.raises(Permanent) as caught:
        connector.fetch(None)
    assert "refuses to fetch" in caught.value.message and not route.called


@respx.mock
def test_a_name_that_resolves_to_a_private_address_is_refused(respx_mock, dns):
    dns["mastodon.example"] = ["10.1.2.3"]
    route = respx_mock.route().respond(json=[])
    with pytest.raises(Permanent) as caught:
        source(hashtags="federe").fetch(None)
    assert "10.1.2.3" in caught.value.message and not route.called


# -- fetch ----------------------------------------------------------------------------------------------------------


@respx.mock
def test_first_fetch_reads_the_latest_page_only(respx_mock, dns):
    route = respx_mock.get(TAG).respond(json=load("tag_federe.json"))
    batch = source(hashtags="#federe").fetch(None)
    assert "min_id" not in route.calls.last.request.url.params
    assert [i.external_id for i in batch.items] == ["113500000000000100", "113500000000000200", "113500000000000300"]
    assert batch.cursor == {"sources": {"tag:federe": {"min_id": "113500000000000300"}}} and not batch.has_more
    assert route.calls.last.request.headers.get("Authorization") is None  # no token: anonymous


@respx.mock
def test_later_fetches_page_forward_with_min_id(respx_mock, dns):
    after = load("tag_federe_after.json")
    route = respx_mock.get(TAG).mock(side_effect=[httpx.Response(200, json=after), httpx.Response(200, json=[])])
    cursor = {"sources": {"tag:federe": {"min_id": "113500000000000300"}}}
    connector = source(hashtags="federe", limit=2)
    batch = connector.fetch(cursor)
    assert route.calls[0].request.url.params["min_id"] == "113500000000000300"
    assert route.calls[0].request.url.params["limit"] == "2"
    assert [i.external_id for i in batch.items] == ["113500000000000400", "113500000000000500"]
    assert batch.cursor["sources"]["tag:federe"]["min_id"] == "113500000000000500" and batch.has_more  # full page
    last = connector.fetch(batch.cursor)
    assert last.items == [] and not last.has_more
    assert route.calls[1].request.url.params["min_id"] == "113500000000000500"


@respx.mock
def test_search_with_a_token_pages_backwards_through_its_window(respx_mock, dns):
    found = load("search_statuses.json")
    second_page = {"accounts": [], "hashtags": [], "statuses": load("tag_federe_after.json")[1:]}
    route = respx_mock.get(SEARCH).mock(
        side_effect=[httpx.Response(200, json=found), httpx.Response(200, json=second_page)]
    )
    connector = source(search_terms="Fédère", token="tok", limit=2)
    cursor = {"sources": {"search:Fédère": {"min_id": "113500000000000050"}}}
    first = connector.fetch(cursor)
    request = route.calls[0].request
    assert request.headers["Authorization"] == "Bearer tok" and request.url.params["min_id"] == "113500000000000050"
    state = first.cursor["sources"]["search:Fédère"]
    assert state == {"min_id": "113500000000000050", "max_id": "113500000000000100", "top": "113500000000000450"}
    assert first.has_more
    second = connector.fetch(first.cursor)
    assert route.calls[1].request.url.params["max_id"] == "113500000000000100"
    assert second.cursor["sources"]["search:Fédère"] == {"min_id": "113500000000000450"} and not second.has_more


@respx.mock
def test_a_status_found_by_two_sources_is_handed_over_once(respx_mock, dns):
    respx_mock.get(TAG).respond(json=load("tag_federe.json"))
    respx_mock.get(SEARCH).respond(json=load("search_statuses.json"))
    batch = source(hashtags="federe", search_terms="Fédère", token="t").fetch(None)
    ids = [i.external_id for i in batch.items]
    assert len(ids) == len(set(ids)) == 4
    shared = next(i for i in batch.items if i.external_id == "113500000000000100")
    assert shared.raw["sources"] == ["tag:federe", "search:Fédère"]


@respx.mock
def test_malformed_statuses_are_reported_and_the_rest_kept(respx_mock, dns):
    respx_mock.get(TAG).respond(json=load("tag_malformed.json"))
    batch = source(hashtags="federe").fetch(None)
    assert [i.external_id for i in batch.items] == ["113500000000000702"] and len(batch.malformed) == 2


@respx.mock
def test_rate_limit_uses_the_reset_time(respx_mock, dns):
    reset = "2100-01-01T00:00:00.000Z"
    respx_mock.get(TAG).respond(
        429,
        json=load("error_rate_limited.json"),
        headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    with pytest.raises(RateLimited) as caught:
        source(hashtags="federe").fetch(None)
    assert caught.value.retry_after is not None and caught.value.retry_after > 0
    assert "slow down" in caught.value.message


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (httpx.Response(503, text="Service Unavailable"), Transient, "internal error"),
        (httpx.Response(200, text="<html>maintenance</html>"), Transient, "not JSON"),
        (httpx.Response(200, json={"unexpected": True}), Transient, "not a list"),
        (httpx.Response(422, json={"error": "Validation failed"}), Permanent, "Validation failed"),
        (httpx.ConnectTimeout("timed out"), Transient, "timeout"),
        (httpx.ConnectError("refused"), Transient, "Cannot reach"),
    ],
)
@respx.mock
def test_server_and_network_failures(respx_mock, dns, answer, error, words):
    respx_mock.get(TAG).mock(side_effect=[answer])
    with pytest.raises(error) as caught:
        source(hashtags="federe").fetch(None)
    assert words in caught.value.message


# -- end to end -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@respx.mock
def test_end_to_end_statuses_land_in_the_inbox(respx_mock, dns, workspace, owner):
    respx_mock.get(f"{INSTANCE}/api/v1/instance").respond(json=load("instance.json"))
    respx_mock.get(TAG).mock(
        side_effect=[
            httpx.Response(200, json=load("tag_federe.json")[:1]),  # check()
            httpx.Response(200, json=load("tag_federe.json")),  # first sync
            httpx.Response(200, json=load("tag_federe_after.json")),  # second sync
        ]
    )
    conn = create_connection(
        workspace=workspace,
        network="mastodon",
        name="#federe",
        config={"instance_url": INSTANCE, "hashtags": "federe"},
        credentials={},
        by=owner,
    )
    outcome = sync_connection(conn.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == "" and outcome.run.stored == 3
    outcome = sync_connection(conn.pk, worker_id="test")
    assert outcome is not None and outcome.run.stored == 2
    messages = Message.objects.filter(connection=conn)
    assert messages.count() == 5
    reply = messages.get(external_id="113500000000000200")
    assert reply.parent_external_id == "113500000000000100" and reply.author.handle == "@jdoe@social.example.org"
    assert messages.get(external_id="113500000000000100").url == "https://mastodon.example/@camille/113500000000000100"
    conn.refresh_from_db()
    assert conn.cursor == {"sources": {"tag:federe": {"min_id": "113500000000000500"}}}
