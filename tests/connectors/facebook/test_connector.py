"""The Facebook connector on a fake Page (page.py: the documented payloads served by respx): reading, replies,
posts, moderation, and Graph's own errors (expired token, rate limits, missing permission)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.types import ActionKind, ItemKind, ModerationAction, NetworkStatus, OutgoingPost, OutgoingReply
from tests.connectors.facebook.graph import BUC_HEADER, graph_error
from tests.connectors.facebook.page import PAGE_ID, FakePage

TOKEN = "test-facebook-page-token-EAAB9876543210"


AT_8 = datetime(2026, 12, 6, 7, 59, tzinfo=UTC)  # a minute before the Page's comment of 08:00
HOUR = timedelta(hours=1)


def build(**config):
    return registry.build("facebook", config={"page_id": PAGE_ID, **config}, credentials={"page_access_token": TOKEN})


@pytest.fixture
def page():
    page = FakePage(page_size=2)
    with page.serve() as router:
        page.router = router
        yield page


# -- reading ---------------------------------------------------------------------------------------------------


def test_the_first_sync_reads_posts_and_their_comments(page):
    batch = build().fetch(None)
    by_id = {item.external_id: item for item in batch.items}
    assert set(by_id) == {
        "104857600_2001",
        "104857600_2000",
        "104857600_1999",
        "2001_3001",
        "2001_3002",
        "2001_3003",
        "2000_3000",
    }
    assert by_id["104857600_2001"].kind == ItemKind.POST and by_id["104857600_2001"].edited_at is not None
    assert by_id["2001_3001"].kind == ItemKind.COMMENT and by_id["2001_3001"].parent_id == "104857600_2001"
    assert by_id["2001_3003"].kind == ItemKind.REPLY and by_id["2001_3003"].parent_id == "2001_3001"
    assert by_id["2001_3002"].status == NetworkStatus.REMOVED  # hidden by the Page
    assert by_id["2000_3000"].author.external_id == "unknown"  # Graph did not name the person
    assert "<p>Bring what is broken!</p>" in by_id["104857600_2001"].body_html
    assert batch.cursor == {"since": int(datetime(2026, 12, 5, 11, 20, tzinfo=UTC).timestamp())}  # the newest comment
    assert not batch.has_more and not batch.malformed


def test_the_token_goes_in_a_header_never_in_the_address(page):
    build().fetch(None)
    requests = [call.request for call in page.router.calls]
    assert requests and all(request.headers["Authorization"] == f"Bearer {TOKEN}" for request in requests)
    assert not any(TOKEN in str(request.url) for request in requests)


def test_a_later_sync_reads_only_what_is_new_and_rechecks_the_first_page(page):
    cursor = build().fetch(None).cursor
    page.comments["104857600_2001"].insert(
        0,
        {
            "id": "2001_3005",
            "message": "Merci !",
            "created_time": "2026-12-06T08:00:00+0000",
            "from": {"id": "7710009"},
        },
    )
    batch = build().fetch(cursor)
    ids = {item.external_id for item in batch.items}
    assert "2001_3005" in ids and "104857600_1999" not in ids  # an older post on a later page is not read again
    assert batch.cursor["since"] > cursor["since"]


def test_an_unreadable_cursor_starts_over(page):
    assert build().fetch({"since": "yesterday"}).cursor == build().fetch(None).cursor


# -- replies and posts -----------------------------------------------------------------------------------------


def test_a_reply_answers_the_comment(page):
    result = build().reply(OutgoingReply("104857600_2001", "2001_3001", "<p>Yes, bring it!</p>", "k1"))
    assert result.external_id == "2001_3004"
    assert page.sent == [("POST", "2001_3001/comments", {"message": "Yes, bring it!"})]


def test_a_retried_reply_finds_the_first_one(page):
    page.comments["104857600_2001"].insert(
        0,
        {
            "id": "2001_3004",
            "message": "Yes, bring it!",
            "created_time": "2026-12-06T08:00:00+0000",
            "parent": {"id": "2001_3001"},
            "from": {"id": PAGE_ID},
        },
    )
    retried = OutgoingReply("104857600_2001", "2001_3001", "<p>Yes, bring it!</p>", "k1", retry_since=AT_8)
    assert build().reply(retried).external_id == "2001_3004" and page.sent == []


def test_the_same_words_are_sent_again_on_a_first_attempt_or_after_an_old_identical_reply(page):
    page.comments["104857600_2001"].insert(
        0,
        {
            "id": "2001_3004",
            "message": "Yes, bring it!",
            "created_time": "2026-12-06T08:00:00+0000",
            "parent": {"id": "2001_3001"},
            "from": {"id": PAGE_ID},
        },
    )
    first = OutgoingReply("104857600_2001", "2001_3001", "<p>Yes, bring it!</p>", "k2")
    later = OutgoingReply("104857600_2001", "2001_3001", "<p>Yes, bring it!</p>", "k3", retry_since=AT_8 + HOUR)
    for reply in (first, later):  # "Yes, bring it!" to another member: a new comment each time
        build().reply(reply)
    assert [call[1] for call in page.sent] == ["2001_3001/comments", "2001_3001/comments"]


def test_publishing_posts_on_the_page_and_a_retry_finds_the_post(page):
    post = OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1")
    connector = build()
    assert connector.find_published(post) is None
    result = connector.publish(post)
    assert result.external_id == "104857600_2002" and result.url == "https://www.facebook.com/104857600_2002"
    assert page.sent == [("POST", "feed", {"message": "Open on Sunday"})]
    # After a lost answer the delivery ledger asks find_published before sending again (publish never guesses).
    assert connector.find_published(post).external_id == "104857600_2002" and len(page.sent) == 1


def test_an_empty_post_is_refused(page):
    with pytest.raises(Permanent):
        build().publish(OutgoingPost("<p> </p>", idempotency_key="p2"))


# -- moderation ------------------------------------------------------------------------------------------------


def _act(kind, target="2001_3001", author="7710003"):
    return build().act(ModerationAction(kind, external_id=target, author_id=author))


def test_hiding_and_unhiding_are_idempotent(page):
    assert _act(ActionKind.REMOVE).detail == "hidden"
    assert _act(ActionKind.REMOVE).detail == "already hidden"
    assert _act(ActionKind.RESTORE).detail == "unhidden"
    assert _act(ActionKind.RESTORE).detail == "already visible"
    assert [entry for entry in page.sent if entry[1] == "2001_3001"] == [
        ("POST", "2001_3001", {"is_hidden": True}),
        ("POST", "2001_3001", {"is_hidden": False}),
    ]


def test_deleting_twice_finds_it_gone(page):
    assert _act(ActionKind.DELETE).detail == "deleted"
    assert _act(ActionKind.DELETE).detail == "already deleted"  # Graph: code 100, subcode 33


def test_blocking_and_unblocking_a_person(page):
    assert _act(ActionKind.BAN).detail == "blocked"
    assert _act(ActionKind.BAN).detail == "already blocked"
    assert _act(ActionKind.UNBAN).detail == "unblocked"
    assert ("POST", "blocked", {"user": "7710003"}) in page.sent


def test_a_target_that_is_no_graph_id_is_named_plainly(page):
    with pytest.raises(Permanent) as refused:
        _act(ActionKind.DELETE, target="not/an id")
    assert refused.value.message == "“not/an id” is not a Facebook comment."  # the value, not Python's repr


def test_an_unnamed_author_cannot_be_blocked(page):
    with pytest.raises(Permanent):
        _act(ActionKind.BAN, target="2000_3000", author="unknown")


# -- Graph's errors ----------------------------------------------------------------------------------------------


def _failing(page, answer):
    page.router.routes.clear()
    page.router.route().mock(return_value=answer)


def test_an_expired_token_asks_for_a_new_one(page):
    _failing(page, graph_error("error_190_expired.json"))
    with pytest.raises(Unauthorized) as refused:
        build().fetch(None)
    assert "expired" in refused.value.message and refused.value.code == "190/463"
    assert TOKEN not in refused.value.message


def test_the_page_limit_waits_as_long_as_the_usage_header_says(page):
    _failing(page, graph_error("error_32_page_limit.json", headers=BUC_HEADER))
    with pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert limited.value.retry_after == 7 * 60  # estimated_time_to_regain_access is in minutes


def test_a_business_use_case_limit_without_header_is_a_rate_limit(page):
    _failing(page, graph_error("error_80001_buc.json"))
    with pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert limited.value.retry_after is None


def test_a_missing_permission_says_so(page):
    _failing(page, graph_error("error_200_permission.json", status=403))
    with pytest.raises(Unauthorized) as refused:
        build().act(ModerationAction(ActionKind.REMOVE, external_id="2001_3001"))
    assert "permission" in refused.value.message


def test_a_passing_failure_is_retried(page):
    _failing(page, httpx.Response(500, json={"error": {"message": "An unknown error occurred", "code": 1}}))
    with pytest.raises(Transient):
        build().fetch(None)


def test_a_channel_without_token_or_page_says_so():
    with pytest.raises(Unauthorized):
        registry.build("facebook", config={"page_id": PAGE_ID}, credentials={}).fetch(None)
    with pytest.raises(Permanent):
        registry.build("facebook", config={}, credentials={"page_access_token": TOKEN}).fetch(None)
