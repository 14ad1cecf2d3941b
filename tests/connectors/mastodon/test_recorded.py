"""The Mastodon source replayed on answers RECORDED from a real Takahē 0.11 server (fixtures/recorded_takahe_*).

``record_fixtures.py`` posted, on #cafelumiere: Alice's launch (French), Bob's review (English, then edited),
Alice's complaint behind a content warning (French), Bob's reply to the launch, an unlisted note; Bob boosted and
favourited the launch, Alice favourited the review; later Alice posted a last call. The expectations below are
read from the payloads themselves (and from the sidecar ``recorded_takahe_headers.json``), not copied from what
the connector produces.

What these recordings show about Takahē (as opposed to the Mastodon documentation):

* the hashtag timeline and search refuse anonymous readers (401 ``identity_token_required``); an unknown token
  gets HTTP 400 with the plain text "Invalid Bearer token" on every call (Mastodon: 401 with a JSON error);
* the hashtag timeline leaves replies out, and answers a boost with the boosted status itself (no wrapper);
* ``language`` is always null; ``acct`` always carries the server, even for local accounts;
* the account inside a status has every count at 0 (followers, following, statuses): not counted;
* ``/api/v2/search`` finds no statuses by words (no full-text search of statuses) and answers an empty result to
  any ``min_id``/``max_id``.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from federe.connections.services import create_connection, sync_connection
from federe.connectors.errors import Unauthorized
from federe.connectors.mastodon.connector import MastodonConnector
from federe.connectors.mastodon.mapping import map_status
from federe.connectors.types import Item, ItemKind
from federe.inbox.models import Message
from tests.connectors.mastodon.conftest import RECORDED_INSTANCE, recorded

TAG = "cafelumiere"
TAG_URL = f"{RECORDED_INSTANCE}/api/v1/timelines/tag/{TAG}"
SEARCH_URL = f"{RECORDED_INSTANCE}/api/v2/search"
TOKEN = "replay-token-not-a-real-one"
HOST = "127.0.0.1"


def connector(**config: Any) -> MastodonConnector:
    return MastodonConnector(config={"instance_url": RECORDED_INSTANCE, **config}, credentials={"access_token": TOKEN})


def when(value: str) -> datetime:
    """Takahē's timestamps, read independently of the connector: 2026-11-23T19:05:04.364Z."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def replay(name: str) -> httpx.Response:
    payload, meta = recorded(name)
    if isinstance(payload, str):  # a plain-text answer, byte for byte
        return httpx.Response(meta["status"], text=payload, headers=meta["headers"])
    return httpx.Response(meta["status"], json=payload, headers=meta["headers"])


def link_params(link: str, rel: str) -> dict[str, str]:
    """The query parameters of one relation of a Link header."""
    for url, found in re.findall(r'<([^>]+)>;\s*rel="([^"]+)"', link):
        if found == rel:
            return dict(httpx.URL(url).params)
    raise AssertionError(f"no rel={rel} in {link}")


def timeline() -> list[dict[str, Any]]:
    return recorded("recorded_takahe_tag.json")[0]


def by_id(statuses: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in statuses}


# -- mapping, field by field ------------------------------------------------------------------------------------


def test_every_recorded_status_maps_from_its_own_fields():
    statuses = timeline() + recorded("recorded_takahe_tag_after.json")[0] + [recorded("recorded_takahe_reply.json")[0]]
    assert len(statuses) == 5
    for status in statuses:
        item = map_status(status, instance_host=HOST, source=f"tag:{TAG}")
        assert isinstance(item, Item), status["id"]
        account = status["account"]
        assert item.external_id == item.thread_id == status["id"]
        # Takahē's acct already carries the server (alice@takahe.localhost): kept as the author's address.
        assert "@" in account["acct"]
        assert item.author.external_id == f"acct:{account['acct'].lower()}"
        assert item.author.handle == f"@{account['acct']}"
        assert item.author.display_name == account["display_name"]
        assert item.author.profile_url == account["url"] and item.author.avatar_url == account["avatar"]
        assert item.created_at == when(status["created_at"])
        assert item.edited_at == (when(status["edited_at"]) if status["edited_at"] else None)
        assert item.url == status["url"] and item.raw["uri"] == status["uri"]
        assert item.body_html.endswith(status["content"])
        if status["spoiler_text"]:
            warning = html.escape(status["spoiler_text"])
            assert item.body_html.index(warning) < item.body_html.index(status["content"])
        else:
            assert item.body_html == status["content"]
        # Takahē never declares a language: left to Fédère's detector.
        assert status["language"] is None and item.language == "" and item.raw["language"] == ""
        counts = ("reblogs_count", "favourites_count", "replies_count")
        assert [item.raw[c] for c in counts] == [status[c] for c in counts]
        assert item.raw["engagement"] == sum(status[c] for c in counts)
        # Every count of the account inside a status is 0 on Takahē (not counted): reach stays unknown.
        assert account["followers_count"] == account["following_count"] == account["statuses_count"] == 0
        assert "reach" not in item.raw and item.raw["followers_count"] == 0
        assert item.raw["tags"] == [t["name"] for t in status["tags"]] and TAG in item.raw["tags"]
        assert item.raw["visibility"] == status["visibility"] == "public"
        assert item.raw["account_id"] == account["id"] and item.raw["sources"] == [f"tag:{TAG}"]
        if status["in_reply_to_id"]:
            assert item.kind == ItemKind.REPLY and item.parent_id == status["in_reply_to_id"]
        else:
            assert item.kind == ItemKind.POST and item.parent_id == ""


def test_what_was_posted_shows_in_the_recordings():
    statuses = timeline()
    launch = next(s for s in statuses if "lyon" in [t["name"] for t in s["tags"]])
    warned = next(s for s in statuses if s["spoiler_text"])
    edited = next(s for s in statuses if s["edited_at"])
    assert len({launch["id"], warned["id"], edited["id"]}) == 3
    # Stator's counters: Bob boosted and favourited the launch and replied to it; Alice favourited the review.
    assert (launch["reblogs_count"], launch["favourites_count"], launch["replies_count"]) == (1, 1, 1)
    assert edited["favourites_count"] == 1 and when(edited["edited_at"]) > when(edited["created_at"])
    assert warned["sensitive"] is True
    warned_item = map_status(warned, instance_host=HOST)
    assert isinstance(warned_item, Item) and html.escape(warned["spoiler_text"]) in warned_item.body_html
    # The reply to the launch exists, but Takahē's hashtag timeline leaves replies (and unlisted notes) out.
    reply = recorded("recorded_takahe_reply.json")[0]
    assert reply["in_reply_to_id"] == launch["id"] and TAG in [t["name"] for t in reply["tags"]]
    assert reply["id"] not in by_id(statuses) and all(s["in_reply_to_id"] is None for s in statuses)
    reply_item = map_status(reply, instance_host=HOST)
    assert isinstance(reply_item, Item) and reply_item.kind == ItemKind.REPLY and reply_item.parent_id == launch["id"]
    assert reply_item.author.external_id != map_status(launch, instance_host=HOST).author.external_id
    # Takahē answers a boost with the boosted status itself: it maps to the launch, not to a new item.
    boost = recorded("recorded_takahe_reblog.json")[0]
    assert boost["reblog"] is None and boost["reblogged"] is True and boost["id"] == launch["id"]
    boost_item = map_status(boost, instance_host=HOST)
    assert isinstance(boost_item, Item) and boost_item.external_id == launch["id"]


# -- fetching through the connector ------------------------------------------------------------------------------


@respx.mock
def test_first_fetch_reads_the_latest_page_and_remembers_the_newest_id(respx_mock):
    route = respx_mock.get(TAG_URL).mock(return_value=replay("recorded_takahe_tag.json"))
    batch = connector(hashtags="#cafelumiere").fetch(None)
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}" and "min_id" not in request.url.params
    statuses = timeline()
    by_time = sorted(statuses, key=lambda s: when(s["created_at"]))
    assert [i.external_id for i in batch.items] == [s["id"] for s in by_time]
    newest = max((s["id"] for s in statuses), key=int)
    assert batch.cursor == {"sources": {f"tag:{TAG}": {"min_id": newest}}} and not batch.has_more
    # The server's own Link header points at the same place for "newer than this page".
    _, meta = recorded("recorded_takahe_tag.json")
    assert link_params(meta["headers"]["link"], "prev")["min_id"] == newest


@respx.mock
def test_a_full_page_after_min_id_moves_the_cursor_and_asks_for_more(respx_mock):
    payload, meta = recorded("recorded_takahe_tag_min_id.json")
    route = respx_mock.get(TAG_URL).mock(return_value=replay("recorded_takahe_tag_min_id.json"))
    floor = meta["params"]["min_id"]
    batch = connector(hashtags=TAG, limit=2).fetch({"sources": {f"tag:{TAG}": {"min_id": floor}}})
    # The connector asks exactly what was recorded.
    assert dict(route.calls.last.request.url.params) == meta["params"]
    assert len(payload) == 2 and all(int(s["id"]) > int(floor) for s in payload)
    assert {i.external_id for i in batch.items} == {s["id"] for s in payload}
    assert batch.has_more  # a full page: more may wait
    moved = batch.cursor["sources"][f"tag:{TAG}"]["min_id"]
    assert moved == max((s["id"] for s in payload), key=int)
    assert moved == link_params(meta["headers"]["link"], "prev")["min_id"]


@respx.mock
def test_the_next_sync_gets_only_what_was_posted_since(respx_mock):
    payload, meta = recorded("recorded_takahe_tag_after.json")
    route = respx_mock.get(TAG_URL).mock(return_value=replay("recorded_takahe_tag_after.json"))
    newest_before = max((s["id"] for s in timeline()), key=int)
    assert meta["params"]["min_id"] == newest_before  # recorded with the cursor the first fetch leaves
    batch = connector(hashtags=TAG).fetch({"sources": {f"tag:{TAG}": {"min_id": newest_before}}})
    assert dict(route.calls.last.request.url.params) == meta["params"]  # limit=40 and min_id
    assert [i.external_id for i in batch.items] == [s["id"] for s in payload] and len(payload) == 1
    assert not set(by_id(payload)) & set(by_id(timeline()))
    assert batch.cursor["sources"][f"tag:{TAG}"]["min_id"] == payload[0]["id"] and not batch.has_more


@respx.mock(assert_all_called=True)
def test_check_on_the_recorded_instance_and_app(respx_mock):
    instance, _ = recorded("recorded_takahe_instance.json")
    assert instance["uri"] and instance["version"].startswith("takahe/")
    respx_mock.get(f"{RECORDED_INSTANCE}/api/v1/instance").mock(return_value=replay("recorded_takahe_instance.json"))
    verify = respx_mock.get(f"{RECORDED_INSTANCE}/api/v1/apps/verify_credentials").mock(
        return_value=replay("recorded_takahe_app_verify.json")
    )
    tag = respx_mock.get(TAG_URL).mock(return_value=replay("recorded_takahe_tag_limit2.json"))
    connector(hashtags=TAG).check()
    assert verify.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert tag.calls.last.request.url.params["limit"] == "1"


@pytest.mark.parametrize(
    ("config", "url", "name"),
    [
        ({"hashtags": TAG}, TAG_URL, "recorded_takahe_tag_anonymous.json"),
        ({"search_terms": "Café Lumière"}, SEARCH_URL, "recorded_takahe_search_anonymous.json"),
    ],
)
@respx.mock
def test_takahe_refuses_anonymous_readers(respx_mock, config, url, name):
    payload, meta = recorded(name)
    assert meta["status"] == 401
    route = respx_mock.get(url).mock(return_value=replay(name))
    anonymous = MastodonConnector(config={"instance_url": RECORDED_INSTANCE, **config}, credentials={})
    with pytest.raises(Unauthorized) as caught:
        anonymous.fetch(None)
    assert "Authorization" not in route.calls.last.request.headers
    assert "add an access token" in caught.value.message and payload["error"] in caught.value.message


@respx.mock
def test_a_wrong_token_is_named_as_such_although_takahe_answers_400_in_plain_text(respx_mock):
    body, meta = recorded("recorded_takahe_invalid_token.txt")
    assert meta["status"] == 400 and not meta["headers"]["content-type"].startswith("application/json")
    route = respx_mock.get(f"{RECORDED_INSTANCE}/api/v1/instance").mock(
        return_value=replay("recorded_takahe_invalid_token.txt")
    )
    with pytest.raises(Unauthorized) as caught:
        connector(hashtags=TAG).check()
    assert route.called
    assert "refused the access token" in caught.value.message and body.strip() in caught.value.message


@respx.mock
def test_search_on_takahe_finds_no_statuses_by_words_and_says_nothing_wrong(respx_mock):
    words, meta = recorded("recorded_takahe_search_words.json")
    paged, paged_meta = recorded("recorded_takahe_search_min_id.json")
    assert (
        words["statuses"] == paged["statuses"] == []
        and recorded("recorded_takahe_search_url.json")[0]["statuses"] == []
    )
    route = respx_mock.get(SEARCH_URL).mock(
        side_effect=[replay("recorded_takahe_search_words.json"), replay("recorded_takahe_search_min_id.json")]
    )
    source = connector(search_terms=meta["params"]["q"])
    first = source.fetch(None)
    params = route.calls[0].request.url.params
    assert (params["q"], params["type"]) == (meta["params"]["q"], meta["params"]["type"])
    assert first.items == [] and first.cursor == {"sources": {f"search:{meta['params']['q']}": {}}}
    floor = paged_meta["params"]["min_id"]
    later = source.fetch({"sources": {f"search:{meta['params']['q']}": {"min_id": floor}}})
    assert route.calls[1].request.url.params["min_id"] == floor
    assert later.items == [] and later.cursor["sources"][f"search:{meta['params']['q']}"] == {"min_id": floor}


# -- end to end, through Fédère's services -----------------------------------------------------------------------


@pytest.mark.django_db
@respx.mock
def test_recorded_statuses_land_in_the_inbox_once(respx_mock, workspace, owner):
    respx_mock.get(f"{RECORDED_INSTANCE}/api/v1/instance").mock(return_value=replay("recorded_takahe_instance.json"))
    respx_mock.get(f"{RECORDED_INSTANCE}/api/v1/apps/verify_credentials").mock(
        return_value=replay("recorded_takahe_app_verify.json")
    )
    respx_mock.get(TAG_URL).mock(
        side_effect=[
            replay("recorded_takahe_tag_limit2.json"),  # check()
            replay("recorded_takahe_tag.json"),  # first sync
            replay("recorded_takahe_tag_after.json"),  # second sync
        ]
    )
    conn = create_connection(
        workspace=workspace,
        network="mastodon",
        name="#cafelumiere",
        config={"instance_url": RECORDED_INSTANCE, "hashtags": TAG},
        credentials={"access_token": TOKEN},
        by=owner,
    )
    first = sync_connection(conn.pk, worker_id="test")
    assert first is not None and first.run.error == "" and first.run.stored == len(timeline())
    second = sync_connection(conn.pk, worker_id="test")
    after = recorded("recorded_takahe_tag_after.json")[0]
    assert second is not None and second.run.error == "" and second.run.stored == len(after)
    statuses = by_id(timeline() + after)
    messages = Message.objects.filter(connection=conn).select_related("author")
    assert sorted(m.external_id for m in messages) == sorted(statuses)
    for message in messages:
        status = statuses[message.external_id]
        assert message.author.handle == f"@{status['account']['acct']}"
        assert message.url == status["url"] and message.posted_at == when(status["created_at"])
        assert message.engagement == status["reblogs_count"] + status["favourites_count"] + status["replies_count"]
        assert message.reach is None  # Takahē does not count followers inside a status
    conn.refresh_from_db()
    assert conn.cursor == {"sources": {f"tag:{TAG}": {"min_id": max(statuses, key=int)}}}
