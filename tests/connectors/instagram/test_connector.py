"""The Instagram connector on a fake account (account.py: the documented payloads served by respx): reading,
replies, the two-step publishing, hiding and deleting comments, and Graph's errors for Instagram."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Unauthorized
from federe.connectors.types import (
    ActionKind,
    ItemKind,
    Media,
    ModerationAction,
    NetworkStatus,
    OutgoingPost,
    OutgoingReply,
)
from tests.connectors.instagram.account import IG_USER_ID, FakeAccount, error

TOKEN = "test-instagram-page-token-EAAB9876543210"
BUC_HEADER = {
    "X-Business-Use-Case-Usage": (
        '{"17841400000000001": [{"type": "instagram", "call_count": 100, "total_cputime": 8,'
        ' "total_time": 20, "estimated_time_to_regain_access": 12}]}'
    )
}


def build(**config):
    config = {"ig_user_id": IG_USER_ID, "media_base_url": "https://media.example.org", **config}
    return registry.build("instagram", config=config, credentials={"page_access_token": TOKEN})


@pytest.fixture
def account():
    account = FakeAccount(page_size=2)
    with account.serve() as router:
        account.router = router
        yield account


def test_the_first_sync_reads_media_comments_and_replies(account):
    batch = build().fetch(None)
    by_id = {item.external_id: item for item in batch.items}
    assert set(by_id) == {
        "17900000000000002", "17900000000000001", "17900000000000000",
        "17850000000000011", "17850000000000012", "17850000000000013", "17850000000000010",
    }  # fmt: skip
    assert by_id["17900000000000002"].kind == ItemKind.POST
    assert by_id["17850000000000011"].kind == ItemKind.COMMENT
    assert by_id["17850000000000011"].parent_id == "17900000000000002"
    assert by_id["17850000000000013"].kind == ItemKind.REPLY
    assert by_id["17850000000000013"].parent_id == "17850000000000011"
    assert by_id["17850000000000012"].status == NetworkStatus.REMOVED
    assert by_id["17850000000000010"].author.handle == "camille.m"  # no ``from``: the username only
    assert batch.cursor == {"since": int(datetime(2026, 12, 5, 10, 15, tzinfo=UTC).timestamp())}
    requests = [call.request for call in account.router.calls]
    assert all(request.headers["Authorization"] == f"Bearer {TOKEN}" for request in requests)


def test_a_later_sync_hands_over_nothing_older_than_the_first_page(account):
    first = build().fetch(None)
    second = build().fetch(first.cursor)
    assert {item.external_id for item in second.items} <= {item.external_id for item in first.items}
    assert "17900000000000000" not in {item.external_id for item in second.items}  # older media, later page


def test_a_reply_to_a_comment_and_a_comment_on_the_media(account):
    build().reply(OutgoingReply("17900000000000002", "17850000000000012", "<p>No thanks.</p>", "k1"))
    build().reply(OutgoingReply("17900000000000001", "17900000000000001", "<p>Not yet.</p>", "k2"))
    assert account.sent == [
        ("POST", "17850000000000012/replies", {"message": "No thanks."}),
        ("POST", "17900000000000001/comments", {"message": "Not yet."}),
    ]


def test_a_retried_reply_finds_the_first_one(account):
    since = datetime(2026, 12, 5, 10, 14, tzinfo=UTC)  # the first attempt began a minute before it was posted
    retried = OutgoingReply("17900000000000002", "17850000000000011", "<p>Yes, bring it!</p>", "k1", retry_since=since)
    assert build().reply(retried).external_id == "17850000000000013" and account.sent == []


def test_the_same_words_on_a_first_attempt_are_a_new_reply(account):
    build().reply(OutgoingReply("17900000000000002", "17850000000000011", "<p>Yes, bring it!</p>", "k2"))
    assert [call[1] for call in account.sent] == ["17850000000000011/replies"]


def test_publishing_makes_a_container_then_publishes_it_and_a_retry_finds_it(account, tmp_path):
    image = Path(settings.MEDIA_ROOT) / "posts" / "sunday.jpg"
    post = OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1", media=(Media(image, "image/jpeg"),))
    result = build().publish(post)
    assert result.external_id == "17900000000000003"
    assert result.url == "https://www.instagram.com/p/C0aBcDeFgH3/"
    assert account.sent == [
        ("POST", "media", {"image_url": "https://media.example.org/posts/sunday.jpg", "caption": "Open on Sunday"}),
        ("POST", "media_publish", {"creation_id": "17889000000000100"}),
    ]
    # After a lost answer the delivery ledger asks find_published before sending again (publish never guesses).
    assert build().find_published(post).external_id == "17900000000000003" and len(account.sent) == 2


def test_a_post_without_a_public_image_is_refused_in_plain_words(account):
    with pytest.raises(Permanent) as refused:
        build(media_base_url="").publish(OutgoingPost("<p>Text only</p>", idempotency_key="p3"))
    assert "public address" in refused.value.message and account.sent == []


def test_an_image_instagram_cannot_fetch_is_a_permanent_refusal(account):
    account.router.routes.clear()
    account.router.route().mock(return_value=error("error_9004_media_url.json"))
    post = OutgoingPost("<p>x</p>", idempotency_key="p4", options={"image_url": "https://media.example.org/a.jpg"})
    with pytest.raises(Permanent):
        build().publish(post)


def test_hiding_restoring_and_deleting_are_idempotent(account):
    def act(kind, target="17850000000000011"):
        return build().act(ModerationAction(kind, external_id=target)).detail

    assert [act(ActionKind.REMOVE), act(ActionKind.REMOVE)] == ["hidden", "already hidden"]
    assert [act(ActionKind.RESTORE), act(ActionKind.RESTORE)] == ["unhidden", "already visible"]
    assert [act(ActionKind.DELETE, "17850000000000012"), act(ActionKind.DELETE, "17850000000000012")] == [
        "deleted",
        "already deleted",
    ]
    assert ("POST", "17850000000000011", {"hide": True}) in account.sent


def test_a_revoked_token_asks_for_a_new_one(account):
    account.router.routes.clear()
    account.router.route().mock(return_value=error("error_190_password.json"))
    with pytest.raises(Unauthorized) as refused:
        build().fetch(None)
    assert "Instagram" in refused.value.message and refused.value.code == "190/460"


def test_the_instagram_limit_waits_as_the_usage_header_says(account):
    account.router.routes.clear()
    answer = error("error_80002_buc.json", headers=BUC_HEADER)
    account.router.route().mock(return_value=answer)
    with pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert limited.value.retry_after == 12 * 60
