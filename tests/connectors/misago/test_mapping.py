"""Misago payloads recorded on the real forum (fixtures/) into Fédère items."""

from __future__ import annotations

from datetime import UTC, datetime

from federe.connectors.misago.mapping import absolute, map_post
from federe.connectors.types import ItemKind, MalformedItem, NetworkStatus
from tests.connectors.misago.fake import load

FORUM = "https://forum.example.org"


def _posts(name: str) -> tuple[dict, list[dict]]:
    thread = load(name)
    return thread, thread["post_set"]["results"]


def test_a_threads_first_post_is_a_post_with_the_title_and_the_others_reply_to_it():
    thread, posts = _posts("posts_open_thread.json")
    first, second = (map_post(p, thread, first_post_id=posts[0]["id"], forum_url=FORUM) for p in posts[:2])
    assert first.kind == ItemKind.POST and first.thread_title == thread["title"] and first.parent_id == ""
    assert first.thread_id == str(thread["id"]) and first.external_id == str(posts[0]["id"])
    assert "<strong>dimanche</strong>" in first.body_html
    assert second.kind == ItemKind.REPLY and second.parent_id == first.external_id
    assert second.thread_title == thread["title"]
    assert first.created_at == datetime.fromisoformat(posts[0]["posted_on"]).astimezone(UTC)


def test_authors_have_their_misago_id_profile_and_largest_avatar_as_absolute_links():
    thread, posts = _posts("posts_open_thread.json")
    item = map_post(posts[0], thread, first_post_id=posts[0]["id"], forum_url=FORUM)
    poster = posts[0]["poster"]
    assert item.author.external_id == f"user:{poster['id']}" and item.author.handle == "member1"
    assert item.author.profile_url == f"{FORUM}{poster['url']}"
    largest = max(poster["avatars"], key=lambda a: a["size"])["url"]
    assert item.author.avatar_url == f"{FORUM}{largest}"
    assert item.url == f"{FORUM}{posts[0]['url']['index']}"


def test_hidden_posts_are_removed_unapproved_ones_held_and_events_skipped():
    thread, posts = _posts("posts_open_thread.json")
    hidden = next(p for p in posts if p["is_hidden"])
    event = next(p for p in posts if p["is_event"])
    assert map_post(hidden, thread, first_post_id=posts[0]["id"], forum_url=FORUM).status == NetworkStatus.REMOVED
    assert map_post(event, thread, first_post_id=posts[0]["id"], forum_url=FORUM) is None

    staff, staff_posts = _posts("posts_staff_thread.json")
    waiting_reply = next(p for p in staff_posts if p["is_unapproved"])
    held = map_post(waiting_reply, staff, first_post_id=staff_posts[0]["id"], forum_url=FORUM)
    assert held.status == NetworkStatus.HELD and held.kind == ItemKind.REPLY

    waiting, waiting_posts = _posts("posts_waiting_thread.json")
    assert waiting["is_unapproved"] is True
    first = map_post(waiting_posts[0], waiting, first_post_id=waiting_posts[0]["id"], forum_url=FORUM)
    assert first.status == NetworkStatus.HELD and first.kind == ItemKind.POST


def test_broken_posts_are_malformed_with_a_reason_and_never_raise():
    thread, posts = _posts("posts_open_thread.json")
    no_date = {**posts[1], "posted_on": "yesterday"}
    no_content = {**posts[1], "content": 12}
    for broken in (no_date, no_content, {"id": "x"}, "text", {**posts[1], "id": True}):
        mapped = map_post(broken, thread, first_post_id=posts[0]["id"], forum_url=FORUM)
        assert isinstance(mapped, MalformedItem) and mapped.reason


def test_a_deleted_account_keeps_its_name_and_unsafe_links_are_dropped():
    thread, posts = _posts("posts_open_thread.json")
    orphan = {**posts[1], "poster": None, "poster_name": "ancien"}
    item = map_post(orphan, thread, first_post_id=posts[0]["id"], forum_url=FORUM)
    assert item.author.external_id == "name:ancien" and item.author.profile_url == ""
    assert absolute(FORUM, "javascript:alert(1)") == "" and absolute(FORUM, "/u/x/1/") == f"{FORUM}/u/x/1/"
