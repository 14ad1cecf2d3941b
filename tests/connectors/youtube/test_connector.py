"""The connector on a fake YouTube (fake.py: the documented payloads served by respx): reading, replies,
moderation, the token flow and the quota."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Unauthorized
from federe.connectors.types import ActionKind, ItemKind, ModerationAction, NetworkStatus, OutgoingReply
from federe.connectors.youtube.client import seconds_to_quota_reset
from tests.connectors.youtube.conftest import load
from tests.connectors.youtube.fake import CHANNEL, FakeYouTube

CONFIG = {"client_id": "test-client.apps.googleusercontent.com", "channel_id": CHANNEL}
CREDENTIALS = {"client_secret": "test-secret-0123456789", "refresh_token": "1//test-refresh-token"}


def build(**config):
    return registry.build("youtube", config={**CONFIG, **config}, credentials=dict(CREDENTIALS))


@pytest.fixture
def youtube():
    fake = FakeYouTube()
    with fake.serve() as router:
        fake.router = router
        yield fake


# -- reading ---------------------------------------------------------------------------------------------------


def test_the_first_sync_reads_threads_replies_and_the_held_queue(youtube):
    batch = build(backfill_pages=5).fetch(None)
    by_id = {item.external_id: item for item in batch.items}
    assert set(by_id) == {
        "UgxThread1",
        "UgxThread2",
        "UgxThread3",
        "UgxThread3.reply1",
        "UgxThread3.reply2",
        "UgxThread3.reply3",
        "UgxHeld4",
    }
    reply = by_id["UgxThread3.reply2"]  # not carried by the thread: read with comments.list parentId
    assert (reply.kind, reply.parent_id, reply.thread_id) == (ItemKind.REPLY, "UgxThread3", "UgxThread3")
    assert by_id["UgxHeld4"].status == NetworkStatus.HELD
    assert by_id["UgxThread2"].author.external_id == "UCpaul0000000000000000"
    assert by_id["UgxThread2"].url == "https://www.youtube.com/watch?v=vidBaguette&lc=UgxThread2"
    assert by_id["UgxThread3.reply1"].edited_at is not None
    assert [bad.external_id for bad in batch.malformed] == ["UgxBroken"]
    assert batch.cursor == {"channel": CHANNEL, "since": "2026-12-05T09:30:00+00:00"} and not batch.has_more
    tokens = {
        call.request.headers.get("Authorization")
        for call in youtube.router.calls
        if "/youtube/" in str(call.request.url)
    }
    assert tokens == {"Bearer ya29.test-access-token-written-for-the-fixtures"}
    assert youtube.tokens == 1  # one refresh for the whole sync


def test_a_later_sync_stops_at_the_last_thread_stored(youtube):
    batch = build().fetch({"channel": CHANNEL, "since": "2026-12-04T18:00:00+00:00"})
    pages = [
        call.request.url.params.get("pageToken")
        for call in youtube.router.calls
        if call.request.url.path.endswith("/commentThreads") and not call.request.url.params.get("moderationStatus")
    ]
    assert pages == [None]  # the first page reached a thread already stored
    assert "UgxThread3" in {item.external_id for item in batch.items}


def test_a_long_gap_is_caught_up_over_several_batches(youtube):
    cursor = {"channel": CHANNEL, "since": "2026-11-01T00:00:00+00:00"}
    first = build(catch_up_pages=1).fetch(cursor)
    assert first.has_more and first.cursor["page"] == "QURTSl9pM-page-2"
    assert first.cursor["since"] == cursor["since"]
    second = build(catch_up_pages=1).fetch(first.cursor)
    assert not second.has_more and second.cursor == {"channel": CHANNEL, "since": "2026-12-05T09:30:00+00:00"}
    assert "UgxThread1" in {item.external_id for item in second.items}


def test_the_channel_is_asked_once_and_kept_in_the_cursor(youtube):
    batch = build(channel_id="").fetch(None)
    assert batch.cursor["channel"] == CHANNEL
    build(channel_id="").fetch(batch.cursor)
    asked = [call for call in youtube.router.calls if call.request.url.path.endswith("/channels")]
    assert len(asked) == 1


# -- replies ---------------------------------------------------------------------------------------------------


def test_a_reply_is_inserted_under_the_threads_top_comment(youtube):
    result = build().reply(OutgoingReply("UgxThread3", "UgxThread3.reply1", "<p>Open &amp; warm</p>", "k1"))
    assert youtube.inserted == [{"snippet": {"parentId": "UgxThread3", "textOriginal": "Open & warm"}}]
    assert result.external_id == "UgxThread3.reply9"
    assert result.url == "https://www.youtube.com/watch?v=vidCroissant&lc=UgxThread3.reply9"


def test_a_retried_reply_already_posted_is_not_posted_twice(youtube):
    since = datetime(2026, 12, 5, 10, 29, tzinfo=UTC)  # the first attempt began a minute before it was posted
    retried = OutgoingReply("UgxThread3", "", "<p>Yes, 8am to 1pm!</p>", "k1", retry_since=since)
    assert build().reply(retried).external_id == "UgxThread3.reply3" and youtube.inserted == []


def test_the_same_words_on_a_first_attempt_are_a_new_reply(youtube):
    build().reply(OutgoingReply("UgxThread3", "", "<p>Yes, 8am to 1pm!</p>", "k2"))
    assert len(youtube.inserted) == 1


def test_an_empty_reply_is_refused_before_any_call(youtube):
    with pytest.raises(Permanent):
        build().reply(OutgoingReply("UgxThread3", "", "<p> </p>", "k1"))
    assert youtube.tokens == 0


# -- moderation ------------------------------------------------------------------------------------------------


def act(kind, external_id="UgxHeld4"):
    return build().act(ModerationAction(kind, external_id=external_id))


def test_approving_a_held_comment_publishes_it(youtube):
    assert act(ActionKind.APPROVE).done
    assert youtube.moderated == [{"id": "UgxHeld4", "moderationStatus": "published"}]


def test_a_comment_read_by_id_says_no_status_so_an_action_asked_twice_sets_it_twice(youtube):
    """comments.list with ``id`` leaves moderationStatus out: holding twice asks YouTube twice, which is harmless."""
    act(ActionKind.HOLD)
    act(ActionKind.HOLD)
    assert youtube.moderated == [{"id": "UgxHeld4", "moderationStatus": "heldForReview"}] * 2


def test_a_ban_rejects_the_comment_and_bans_its_author(youtube):
    act(ActionKind.BAN)
    assert youtube.moderated == [{"id": "UgxHeld4", "moderationStatus": "rejected", "banAuthor": "true"}]


def test_removing_hides_a_comment_for_review_and_restoring_publishes_it_again(youtube):
    """Rejected is final on YouTube: a removal, which Fédère can undo, holds the comment back instead."""
    youtube.by_id["UgxPublic"] = load("comment_held.json")
    act(ActionKind.REMOVE, "UgxPublic")
    act(ActionKind.RESTORE)
    assert youtube.moderated == [
        {"id": "UgxPublic", "moderationStatus": "heldForReview"},
        {"id": "UgxHeld4", "moderationStatus": "published"},
    ]


def test_removing_a_comment_youtube_no_longer_lists_is_done(youtube):
    assert act(ActionKind.REMOVE, "UgxGone").detail == "already hidden" and youtube.moderated == []


def test_only_the_channels_own_comments_are_deleted(youtube):
    with pytest.raises(Permanent, match="own comments"):
        act(ActionKind.DELETE)
    own = load("comment_held.json")
    own["items"][0]["snippet"]["authorChannelId"]["value"] = CHANNEL
    youtube.by_id["UgxMine"] = own
    assert act(ActionKind.DELETE, "UgxMine").detail == "deleted" and youtube.deleted == ["UgxMine"]


# -- token flow, quota and errors --------------------------------------------------------------------------------


def test_an_access_token_refused_is_refreshed_once_and_the_call_tried_again(youtube):
    answers = iter(
        [httpx.Response(401, json=load("error_401.json")), httpx.Response(200, json=load("channels_mine.json"))]
    )
    youtube.router.get("https://www.googleapis.com/youtube/v3/channels").mock(side_effect=lambda r: next(answers))
    build().check()
    assert youtube.tokens == 2


def test_a_revoked_refresh_token_is_unauthorized_in_plain_words(youtube):
    youtube.router.post("https://oauth2.googleapis.com/token").respond(400, json=load("token_invalid_grant.json"))
    with pytest.raises(Unauthorized, match="expired or was revoked"):
        build().fetch(None)


@pytest.mark.parametrize(
    ("status", "error"), [(403, "access_denied"), (401, "deleted_client"), (401, "disabled_client"), (403, "")]
)
def test_a_client_google_refuses_is_unauthorized_in_plain_words(youtube, status, error):
    youtube.router.post("https://oauth2.googleapis.com/token").respond(status, json={"error": error} if error else {})
    with pytest.raises(Unauthorized, match="client ID and the client secret"):
        build().fetch(None)


def test_an_access_token_refused_twice_is_unauthorized(youtube):
    youtube.api_answer = httpx.Response(401, json=load("error_401.json"))
    with pytest.raises(Unauthorized, match=r"youtube\.force-ssl"):
        build().fetch(None)
    assert youtube.tokens == 2


def test_a_spent_quota_waits_until_midnight_pacific_time(youtube):
    youtube.api_answer = httpx.Response(403, json=load("error_quota.json"))
    with pytest.raises(RateLimited) as caught:
        build().fetch(None)
    assert caught.value.retry_after == pytest.approx(seconds_to_quota_reset(), abs=5)


def test_a_rate_limit_waits_as_told_or_a_minute(youtube):
    youtube.api_answer = httpx.Response(403, json=load("error_rate.json"))
    with pytest.raises(RateLimited) as caught:
        build().fetch(None)
    assert caught.value.retry_after == 60.0


@pytest.mark.parametrize("name", ["error_forbidden.json", "error_disabled.json"])
def test_other_refusals_are_permanent_and_keep_youtubes_reason(youtube, name):
    youtube.api_answer = httpx.Response(403, json=load(name))
    with pytest.raises(Permanent) as caught:
        build().fetch(None)
    assert caught.value.code in ("forbidden", "commentsDisabled") and "YouTube refused" in caught.value.message


def test_the_quota_resets_at_midnight_in_los_angeles():
    pacific = ZoneInfo("America/Los_Angeles")
    assert seconds_to_quota_reset(datetime(2026, 12, 6, 23, 0, tzinfo=pacific)) == 3600
    assert seconds_to_quota_reset(datetime(2026, 7, 1, 12, 0, tzinfo=pacific)) == 12 * 3600


def test_missing_credentials_are_unauthorized_without_a_call(youtube):
    connector = registry.build("youtube", config=CONFIG, credentials={"client_secret": "s"})
    with pytest.raises(Unauthorized):
        connector.fetch(None)
    assert youtube.tokens == 0
