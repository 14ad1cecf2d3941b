"""The connector on a fake forum (forum.py: the documented payloads served by respx): reading, replies, topics,
moderation and faults."""

from __future__ import annotations

import json

import httpx
import pytest
from django.utils import translation

from federe.connectors import registry
from federe.connectors.discourse.connector import _digest
from federe.connectors.errors import Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus, OutgoingPost, OutgoingReply
from tests.connectors.discourse.conftest import load
from tests.connectors.discourse.forum import SITE, FakeForum

CONFIG = {"site_url": SITE, "api_username": "brand_team"}
KEY = "test-discourse-key-abcdef0123456789"


def build(**config):
    return registry.build("discourse", config={**CONFIG, **config}, credentials={"api_key": KEY})


@pytest.fixture
def forum():
    forum = FakeForum(page_size=2)
    with forum.serve() as router:
        forum.router = router
        yield forum


# -- reading ---------------------------------------------------------------------------------------------------


def test_the_first_sync_reads_posts_parents_and_the_queue(forum):
    batch = build(backfill_pages=5).fetch(None)
    by_id = {item.external_id: item for item in batch.items}
    assert set(by_id) == {"201", "202", "203", "204", "205", "206", "queued-31", "queued-32", "queued-30", "queued-29"}
    assert by_id["206"].parent_id == "202"  # reply_to_post_number 2 in topic 12
    assert by_id["203"].parent_id == "150"  # asked: /posts/by_number/11/3.json
    assert by_id["queued-31"].status == NetworkStatus.HELD
    assert by_id["205"].status == NetworkStatus.REMOVED
    assert batch.cursor == {"last_id": 206} and not batch.has_more
    sent = [call.request for call in forum.router.calls]
    assert all(
        request.headers["Api-Key"] == KEY and request.headers["Api-Username"] == "brand_team" for request in sent
    )


def test_the_first_sync_stops_after_its_backfill(forum):
    batch = build(backfill_pages=1).fetch(None)
    assert {item.external_id for item in batch.items if item.external_id.isdigit()} == {"205", "206"}
    assert batch.cursor == {"last_id": 206}


def test_a_later_sync_reads_back_to_the_last_post_stored_and_rechecks_the_first_page(forum):
    forum.posts.append({**forum.posts[0], "id": 207, "post_number": 5, "reply_to_post_number": None})
    batch = build().fetch({"last_id": 206})
    assert {item.external_id for item in batch.items if item.external_id.isdigit()} == {"206", "207"}
    assert batch.cursor == {"last_id": 207}


def test_a_long_gap_is_read_over_several_batches(forum):
    connector = build(catch_up_pages=1)
    first = connector.fetch({"last_id": 201})
    assert first.has_more and first.cursor == {"last_id": 201, "before": 205, "top": 206}
    second = connector.fetch(first.cursor)
    assert {item.external_id for item in second.items} == {"203", "204"}
    third = connector.fetch(second.cursor)
    assert not third.has_more and third.cursor == {"last_id": 206}
    assert {item.external_id for item in third.items} >= {"202"}


def test_an_unreadable_cursor_starts_over(forum):
    assert build(backfill_pages=5).fetch({"last_id": "x", "before": -3}).cursor == {"last_id": 206}


def test_only_the_chosen_categories_are_read(forum):
    batch = build(backfill_pages=5, targets=["5"]).fetch(None)
    assert [item.external_id for item in batch.items] == ["204"]


def test_categories_are_the_targets(forum):
    targets = build().list_targets()
    assert [(t.id, t.name) for t in targets] == [("4", "Accueil"), ("5", "Support")]
    with translation.override("fr"):
        assert build().list_targets()[1].detail == "1 sujet"


def test_a_broken_post_is_reported_and_the_rest_read(forum):
    forum.posts[0]["cooked"] = None
    batch = build(backfill_pages=5).fetch(None)
    assert [bad.external_id for bad in batch.malformed] == ["206"]
    assert "205" in {item.external_id for item in batch.items}


# -- check -----------------------------------------------------------------------------------------------------


def test_check_accepts_an_admin(forum):
    build().check()


def test_check_refuses_a_member_who_is_not_staff(forum):
    user = load("user.json")
    user["user"]["admin"] = False
    forum.router.get("/u/brand_team.json").respond(200, json=user)
    with pytest.raises(Unauthorized, match="neither a moderator nor an administrator"):
        build().check()


def test_check_without_a_key_says_so():
    with pytest.raises(Unauthorized, match="no Discourse API key"):
        registry.build("discourse", config=CONFIG, credentials={}).check()


# -- replies ---------------------------------------------------------------------------------------------------


def test_a_reply_answers_its_parent_by_number_and_carries_its_marker(forum):
    result = build().reply(OutgoingReply("12", "202", "<p>Thanks</p>", idempotency_key="r1"))
    assert result.external_id == "208" and result.url == f"{SITE}/t/accueil-des-nouveaux/12/5"
    sent = forum.created[-1]
    assert sent["topic_id"] == 12 and sent["reply_to_post_number"] == 2
    assert sent["raw"] == f"<p>Thanks</p>\n\n<!-- federe:{_digest('r1', 24)} -->"


def test_a_reply_to_the_topic_has_no_parent_number(forum):
    build().reply(OutgoingReply("12", "201", "<p>Hello</p>", idempotency_key="r2"))
    assert "reply_to_post_number" not in forum.created[-1]


def test_a_retried_reply_finds_the_first_one_and_posts_nothing(forum):
    marker = f"<!-- federe:{_digest('r3', 24)} -->"
    forum.posts.append({**forum.posts[0], "id": 210, "raw": f"Thanks\n\n{marker}", "post_number": 6})
    result = build().reply(OutgoingReply("12", "202", "<p>Thanks</p>", idempotency_key="r3"))
    assert result.external_id == "210" and forum.created == []


def test_a_reply_held_for_review_is_the_queued_post(forum):
    forum.router.post("/posts.json").respond(200, json=load("enqueued.json"))
    result = build().reply(OutgoingReply("12", "", "<p>Hi</p>", idempotency_key="r4"))
    assert result.external_id == "queued-33"


def test_a_reply_to_a_parent_in_another_topic_is_refused(forum):
    with pytest.raises(Permanent, match="not in that Discourse topic"):
        build().reply(OutgoingReply("13", "202", "<p>Hi</p>", idempotency_key="r5"))


@pytest.mark.parametrize(("thread", "parent"), [("abc", ""), ("-1", ""), ("12", "x")])
def test_bad_ids_are_refused_in_plain_words(forum, thread, parent):
    with pytest.raises(Permanent, match="is not a Discourse"):
        build().reply(OutgoingReply(thread, parent, "<p>Hi</p>", idempotency_key="r6"))


# -- topics ----------------------------------------------------------------------------------------------------


def test_a_topic_is_opened_with_an_external_id_from_the_key(forum):
    post = OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p1", title="Sunday opening from December")
    result = build(targets=["5", "4"]).publish(post)
    assert result.external_id == "209"
    sent = forum.created[-1]
    assert sent == {
        "title": "Sunday opening from December",
        "raw": "<p>Open on Sunday</p>",
        "external_id": f"federe-{_digest('p1', 32)}",
        "category": 4,
    }
    assert len(sent["external_id"]) <= 50  # Discourse's limit


def test_a_retried_topic_is_found_by_its_external_id_and_not_opened_twice(forum):
    external = f"federe-{_digest('p2', 32)}"
    forum.external_ids[external] = 14
    post = OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p2", title="Sunday opening from December")
    result = build().publish(post)
    assert result.external_id == "209" and forum.created == []


def test_find_published_finds_the_topic_or_says_none(forum):
    post = OutgoingPost("<p>Open on Sunday</p>", idempotency_key="p5", title="Sunday opening from December")
    assert build().find_published(post) is None
    forum.external_ids[f"federe-{_digest('p5', 32)}"] = 14
    found = build().find_published(post)
    assert found is not None and found.external_id == "209"
    assert found.url == f"{SITE}/t/sunday-opening-from-december/14/1"


def test_a_topic_without_a_title_is_refused(forum):
    with pytest.raises(Permanent, match="needs a title"):
        build().publish(OutgoingPost("<p>x</p>", idempotency_key="p3"))


def test_a_title_discourse_refuses_is_said_in_its_words(forum):
    forum.router.post("/posts.json").respond(422, json=load("error_422_title.json"))
    with pytest.raises(Permanent, match="Title must be at least 15 characters"):
        build().publish(OutgoingPost("<p>x</p>", idempotency_key="p4", title="Too short"))


# -- moderation ------------------------------------------------------------------------------------------------


def act(kind, external_id="202", **fields):
    return build().act(ModerationAction(kind, external_id=external_id, **fields))


def test_approve_performs_on_the_queued_post_with_its_version(forum):
    assert act(ActionKind.APPROVE, "queued-31").done
    request = forum.router.calls.last.request
    assert request.method == "PUT" and request.url.path == "/review/31/perform/approve_post"
    assert request.url.params["version"] == "0"


def test_approve_twice_finds_it_done(forum):
    forum.reviewable["reviewable"]["status"] = 1
    assert act(ActionKind.APPROVE, "queued-31").detail == "already approve_post"
    assert forum.calls == []


def test_reject_after_an_approval_is_refused(forum):
    forum.reviewable["reviewable"]["status"] = "approved"
    with pytest.raises(Permanent, match="already reviewed"):
        act(ActionKind.REJECT, "queued-31")


def test_approve_of_a_post_that_was_never_queued_is_refused(forum):
    with pytest.raises(Permanent, match="review queue"):
        act(ActionKind.APPROVE, "202")


def test_remove_flags_and_hides_a_visible_post(forum):
    assert act(ActionKind.REMOVE).detail == "hidden"
    assert forum.calls == ["POST /post_actions.json"]
    sent = json.loads(forum.router.calls.last.request.content)
    assert sent["id"] == 202 and sent["post_action_type_id"] == 4 and sent["take_action"] == "true"


def test_remove_of_a_hidden_post_does_nothing(forum):
    assert act(ActionKind.REMOVE, "205").detail == "already hidden" and forum.calls == []


def test_restore_unhides_or_recovers(forum):
    assert act(ActionKind.RESTORE, "205").detail == "unhidden"
    forum.posts[4]["deleted_at"] = "2026-11-23T12:00:00.000Z"  # post 202
    assert act(ActionKind.RESTORE, "202").detail == "recovered"
    assert forum.calls == ["PUT /posts/205/unhide", "PUT /posts/202/recover"]
    assert act(ActionKind.RESTORE, "206").detail == "already visible"


def test_delete_once(forum):
    assert act(ActionKind.DELETE).detail == "deleted"
    forum.posts[4]["deleted_at"] = "2026-11-23T12:00:00.000Z"
    assert act(ActionKind.DELETE).detail == "already deleted"
    assert act(ActionKind.DELETE, "999").detail == "already deleted"  # 404: gone for good
    assert forum.calls == ["DELETE /posts/202.json"]


def test_a_queued_post_removed_is_rejected(forum):
    act(ActionKind.DELETE, "queued-31")
    assert forum.calls == ["PUT /review/31/perform/reject_post"]


@pytest.mark.parametrize(("kind", "field"), [(ActionKind.CLOSE, "closed"), (ActionKind.PIN, "pinned")])
def test_close_and_pin_the_topic_once(forum, kind, field):
    assert act(kind, thread_id="14").detail == field
    sent = json.loads(forum.router.calls.last.request.content)
    assert sent["status"] == field and sent["enabled"] == "true" and ("until" in sent) == (field == "pinned")
    forum.topic[field] = True
    assert act(kind, thread_id="14").detail == f"already {field}"
    assert forum.calls == ["PUT /t/14/status.json"]


def test_close_finds_the_topic_of_the_post(forum):
    act(ActionKind.CLOSE, "203")
    assert forum.calls == ["PUT /t/11/status.json"]


@pytest.mark.parametrize(
    ("kind", "path", "field", "until"),
    [
        (ActionKind.MUTE, "silence", "silenced_till", "silenced_till"),
        (ActionKind.SUSPEND, "suspend", "suspended_till", "suspend_until"),
    ],
)
def test_silence_and_suspend_the_author_once_with_the_reason(forum, kind, path, field, until):
    assert act(kind, "205", reason="spam links").done
    assert forum.calls == [f"PUT /admin/users/66/{path}.json"]  # the post's author
    sent = json.loads(forum.router.calls.last.request.content)
    assert sent["reason"] == "spam links" and sent[until] > "2026"
    forum.member[field] = "2099-01-01T00:00:00.000Z"
    assert act(kind, "205", author_id="66").detail.startswith("already")
    assert len(forum.calls) == 1


def test_a_past_suspension_is_not_a_current_one(forum):
    forum.member["suspended_till"] = "2020-01-01T00:00:00.000Z"
    assert act(ActionKind.SUSPEND, author_id="66").detail == "suspended"


# -- faults ----------------------------------------------------------------------------------------------------


def test_a_wrong_key_is_unauthorized_in_plain_words(forum):
    forum.router.get("/posts.json").respond(403, json=load("error_403.json"))
    with pytest.raises(Unauthorized, match="check the API key") as refused:
        build().fetch(None)
    assert KEY not in refused.value.message and "API username or key is invalid" in refused.value.message


def test_a_rate_limit_waits_as_long_as_discourse_says(forum):
    forum.router.get("/posts.json").respond(429, headers={"Retry-After": "24"}, json=load("error_429.json"))
    with pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert limited.value.retry_after == 24


def test_a_rate_limit_without_the_header_reads_wait_seconds(forum):
    forum.router.get("/posts.json").respond(429, json=load("error_429.json"))
    with pytest.raises(RateLimited) as limited:
        build().fetch(None)
    assert limited.value.retry_after == 24


def test_a_server_error_is_transient_and_translated(forum):
    forum.router.get("/posts.json").respond(502, text="Bad gateway")
    with translation.override("fr"), pytest.raises(Transient, match="erreur interne"):
        build().fetch(None)


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b"[1, 2]", b'{"latest_posts": "nope"}'])
def test_an_answer_that_is_not_the_documented_json_is_no_crash(forum, body):
    forum.router.get("/posts.json").respond(200, content=body)
    try:
        batch = build().fetch(None)
    except Transient:
        return
    assert [item for item in batch.items if item.external_id.isdigit()] == []


def test_a_redirect_is_not_followed_with_the_key(forum):
    forum.router.get("/posts.json").respond(301, headers={"Location": "https://elsewhere.example/posts.json"})
    with pytest.raises(Permanent, match=r"elsewhere\.example"):
        build().fetch(None)
    assert len([call for call in forum.router.calls if "elsewhere" in str(call.request.url)]) == 0


def test_the_key_never_shows_in_repr(forum):
    connector = build()
    connector.fetch(None)
    assert KEY not in repr(connector) and KEY not in repr(connector.client)
    assert httpx  # the forum fixture's transport
