"""LinkedIn on the payloads written from the Community Management API docs: the versioned headers, posts then their
comments, the token refresh, LinkedIn's 429 (daily limits) and expired-token answers, replies, posts, deletion."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Unauthorized
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.linkedin.fake import ORG, FakeLinkedIn
from tests.connectors.linkedin.kit import COMMENT, KIT, POST


def build():
    return registry.build("linkedin", config=dict(KIT.config), credentials=dict(KIT.credentials))


def test_a_sync_lists_the_posts_then_reads_each_ones_comments_with_the_versioned_headers():
    fake = FakeLinkedIn()
    connector = build()
    with fake.serve():
        first = connector.fetch(None)
        assert first.items == [] and first.has_more and first.cursor["next"] == 0
        page = connector.fetch(first.cursor)
        last = connector.fetch(page.cursor)
    assert not last.has_more and page.has_more
    comment, nested = page.items
    assert comment.external_id == COMMENT and comment.thread_id == POST
    assert comment.thread_title.startswith("Nous ouvrons") and comment.author.external_id == "urn:li:person:aB3dE5fG7h"
    assert nested.parent_id == COMMENT and len(page.malformed) == 1  # the comment without its actor
    _m, path, params, headers = fake.calls[0]
    assert path == "/rest/posts" and params["author"] == f"urn:li:organization:{ORG}" and params["q"] == "author"
    assert headers["linkedin-version"] == "202607" and headers["x-restli-protocol-version"] == "2.0.0"
    assert fake.calls[1][1] == f"/rest/socialActions/{POST}/comments"


def test_an_expired_access_token_is_refreshed_once_and_the_call_retried():
    fake = FakeLinkedIn()
    connector = build()
    with fake.serve():
        connector.fetch(None)
        fake.access_token = "rotated-by-linkedin"  # the stored one now answers 401 EXPIRED_ACCESS_TOKEN
        connector.fetch(None)
    assert connector.credentials["refresh_token"] == "kit-linkedin-refresh-0001"
    assert [c[1] for c in fake.calls].count("/rest/posts") == 3  # 1, then the 401, then the retry


def test_an_expired_refresh_token_is_said_plainly_in_both_languages():
    fake = FakeLinkedIn()
    fake.refresh_token = "another"
    with fake.serve():
        with pytest.raises(Unauthorized) as english:
            build().fetch(None)
        with translation.override("fr"), pytest.raises(Unauthorized) as french:
            build().fetch(None)
    assert "expired (a year after it was issued) or was revoked" in english.value.message
    assert "invalid, expired or revoked" in english.value.message  # LinkedIn's words
    assert english.value.message != french.value.message and "kit-linkedin" not in english.value.message


def test_the_daily_limit_waits_until_midnight_utc_and_a_missing_approval_is_permanent():
    fake = FakeLinkedIn()
    fake.errors["/rest/posts"] = (429, "error_429.json")
    with fake.serve(), pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert 0 < (limited.value.retry_after or 0) <= 86_405 and "TOO_MANY_REQUESTS" in limited.value.message
    fake.errors["/rest/posts"] = (403, "error_403.json")
    fake.refresh_token = KIT.credentials["refresh_token"]  # a new connector starts from the kit's token
    with fake.serve(), pytest.raises(Permanent) as denied:
        build().fetch(None)
    assert "approval for the Community Management API" in denied.value.message


def test_a_sunset_api_version_says_that_federe_must_be_updated():
    """LinkedIn answers 426 to a version it no longer serves (each is served about a year): Fédère must be updated."""
    fake = FakeLinkedIn()
    fake.errors["/rest/posts"] = (426, "error_426.json")
    with fake.serve(), pytest.raises(Permanent, match="no longer serves the API version"):
        build().fetch(None)


def test_reply_publish_and_delete_send_what_the_docs_say():
    fake = FakeLinkedIn()
    with fake.serve():
        connector = build()
        reply = connector.reply(OutgoingReply(POST, COMMENT, "<p>Until 13:00 &amp; later</p>", "k"))
        post = connector.publish(OutgoingPost("<p>x</p>", idempotency_key="p", body_text="Open on Sunday"))
        connector.act(ModerationAction(ActionKind.DELETE, external_id=COMMENT))
    assert (
        reply.external_id.endswith(",7100000000000000199)") and post.external_id == "urn:li:share:7100000000000000009"
    )
    sent = fake.sent("POST", "/comments")[0]
    organization = f"urn:li:organization:{ORG}"
    assert sent == {
        "actor": organization,
        "object": POST,
        "message": {"text": "Until 13:00 & later"},
        "parentComment": COMMENT,
    }
    published = fake.sent("POST", "/rest/posts")[0]
    assert published["commentary"] == "Open on Sunday" and published["author"] == organization
    deleted = [(path, body) for m, path, body, _h in fake.calls if m == "DELETE"]
    assert deleted == [
        (
            "/rest/socialActions/urn:li:activity:7100000000000000002/comments/7100000000000000101",
            {"actor": organization},
        )
    ]
