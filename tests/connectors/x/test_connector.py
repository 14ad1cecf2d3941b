"""X on the payloads written from the API v2 docs: mentions paged with since_id, the rotating refresh token, X's
rate-limit headers and problem documents, replies, posts and moderation."""

from __future__ import annotations

import time

import pytest
from django.utils import translation

from federe.connections.models import Connection
from federe.connections.services import sync_connection
from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Unauthorized
from federe.connectors.types import ActionKind, ItemKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.x.fake import ME, FakeX
from tests.factories import ConnectionFactory

START = {"client_id": "cid", "client_secret": "secret", "refresh_token": "kit-x-refresh-token-0000"}


def build(credentials=None):
    return registry.build("x", config={}, credentials=dict(credentials or START))


def newer(post_id: str, text: str = "@cafelumiere hello") -> dict:
    return {"id": post_id, "text": text, "author_id": "783214", "created_at": "2026-12-05T11:00:00.000Z"}


def test_mentions_are_mapped_with_their_authors_threads_and_parents():
    fake = FakeX(page_size=10)
    with fake.serve():
        batch = build().fetch(None)
    by_id = {item.external_id: item for item in batch.items}
    assert list(by_id) == ["1860000000000000104", "1860000000000000103", "1860000000000000102", "1860000000000000101"]
    reply = by_id["1860000000000000103"]
    assert reply.kind == ItemKind.COMMENT and reply.parent_id == reply.thread_id == "1860000000000000090"
    assert reply.author.handle == "@jo_eats" and reply.url == "https://x.com/jo_eats/status/1860000000000000103"
    question = by_id["1860000000000000104"]
    assert question.kind == ItemKind.POST and question.language == "fr" and question.author.display_name == "Marie B."
    assert by_id["1860000000000000101"].language == ""  # "zxx": no linguistic content
    assert batch.cursor == {"since_id": "1860000000000000104"} and not batch.has_more
    mentions = fake.sent("GET", "/mentions")[0]
    assert mentions["expansions"] == "author_id" and "since_id" not in mentions and mentions["max_results"] == "100"


def test_new_mentions_are_walked_back_to_since_id_before_it_moves():
    fake = FakeX(page_size=2)
    connector = build()
    with fake.serve():
        first = connector.fetch(None)  # the first sync reads the latest page only
        assert [i.external_id for i in first.items] == ["1860000000000000104", "1860000000000000103"]
        fake.posts += [newer("1860000000000000105"), newer("1860000000000000106"), newer("1860000000000000107")]
        page = connector.fetch(first.cursor)
        assert [i.external_id for i in page.items] == ["1860000000000000107", "1860000000000000106"]
        assert page.has_more and page.cursor["since_id"] == "1860000000000000104"  # not moved yet
        last = connector.fetch(page.cursor)
        assert [i.external_id for i in last.items] == ["1860000000000000105"] and not last.has_more
        assert last.cursor == {"since_id": "1860000000000000107"}
        assert connector.fetch(last.cursor).items == []
    asked = fake.sent("GET", "/mentions")
    assert asked[2]["since_id"] == "1860000000000000104" and asked[2]["pagination_token"] == "2"


def test_the_refresh_token_rotates_and_an_expired_access_token_is_refreshed_once():
    fake = FakeX()
    credentials = dict(START)
    with fake.serve():
        connector = build(credentials)
        connector.check()
        assert connector.credentials["refresh_token"] == "kit-x-refresh-token-0001"  # the new one, kept
        assert connector.credentials["user_id"] == ME
        fake.access_token = "revoked-by-x"  # X ended the access token early: one refresh, one retry
        connector.fetch(None)
    assert fake.refreshes == 2 and connector.credentials["refresh_token"] == "kit-x-refresh-token-0002"


def test_a_used_or_revoked_refresh_token_is_said_plainly_in_both_languages():
    fake = FakeX(refresh_token="the-current-one")
    with fake.serve():
        with pytest.raises(Unauthorized) as english:
            build().fetch(None)
        with translation.override("fr"), pytest.raises(Unauthorized) as french:
            build().fetch(None)
    assert "expired, was revoked or was already used" in english.value.message
    assert "invalid" in english.value.message  # X's own words
    assert "a expiré, a été révoqué ou a déjà servi" in french.value.message
    assert "kit-x-refresh-token" not in english.value.message


def test_the_rate_limit_waits_until_x_rate_limit_reset():
    fake = FakeX()
    reset = int(time.time()) + 300
    headers = {"x-rate-limit-limit": "10", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
    fake.errors["/mentions"] = (429, "error_429.json", headers)
    with fake.serve(), pytest.raises(RateLimited) as caught:
        build().fetch(None)
    assert caught.value.retry_after is not None and 290 <= caught.value.retry_after <= 301
    assert "Too Many Requests" in caught.value.message


def test_the_monthly_cap_and_a_missing_access_tier_are_permanent_in_words():
    fake = FakeX(strict=False)  # each build starts from the same refresh token
    fake.errors["/mentions"] = (429, "error_429_usage_capped.json", {})
    with fake.serve(), pytest.raises(Permanent) as capped:
        build().fetch(None)
    assert "monthly post cap" in capped.value.message and not isinstance(capped.value, RateLimited)
    fake.errors["/mentions"] = (403, "error_403_client_forbidden.json", {})
    with fake.serve(), pytest.raises(Permanent) as forbidden:
        build().fetch(None)
    assert "Basic or above" in forbidden.value.message and "Client Forbidden" in forbidden.value.message


def test_reply_publish_and_moderation_send_what_the_docs_say():
    fake = FakeX()
    with fake.serve():
        connector = build()
        sent = connector.reply(OutgoingReply("1860000000000000090", "1860000000000000103", "<p>Yes &amp; no</p>", "k"))
        connector.publish(OutgoingPost("<p>Open</p>", idempotency_key="p", body_text="Open on Sunday"))
        connector.act(ModerationAction(ActionKind.REMOVE, external_id="1860000000000000103"))
        connector.act(ModerationAction(ActionKind.RESTORE, external_id="1860000000000000103"))
        connector.act(ModerationAction(ActionKind.MUTE, external_id="1860000000000000103", author_id="783214"))
        connector.act(ModerationAction(ActionKind.DELETE, external_id="1860000000000000200"))
    assert sent.external_id == "1860000000000000200" and sent.url.endswith("/cafelumiere/status/1860000000000000200")
    posts = fake.sent("POST", "/2/tweets")
    assert posts[0] == {"text": "Yes & no", "reply": {"in_reply_to_tweet_id": "1860000000000000103"}}
    assert posts[1] == {"text": "Open on Sunday"}
    assert fake.sent("PUT", "/hidden") == [{"hidden": True}, {"hidden": False}]
    assert fake.sent("POST", "/muting") == [{"target_user_id": "783214"}]
    assert [m for m, path, _body in fake.calls if path == "/2/tweets/1860000000000000200"] == ["DELETE"]


@pytest.mark.django_db
def test_a_sync_through_fedre_stores_the_rotated_refresh_token(workspace):
    """The refresh token X handed out during the sync is the one stored: the next sync still works."""
    channel = ConnectionFactory(workspace=workspace, network="x", name="X", config={})
    channel.set_credentials(dict(START))
    channel.save()
    fake = FakeX()
    with fake.serve():
        assert sync_connection(channel.pk, worker_id="test").run.error == ""
        Connection.objects.filter(pk=channel.pk).update(next_sync_at=None)
        fake.access_token = "expired"
        second = sync_connection(channel.pk, worker_id="test")
    assert second is not None and second.run.error == ""
    stored = Connection.objects.get(pk=channel.pk).credentials
    assert stored["refresh_token"] == "kit-x-refresh-token-0002" == fake.refresh_token
    assert "kit-x-refresh-token" not in Connection.objects.get(pk=channel.pk).credentials_encrypted
