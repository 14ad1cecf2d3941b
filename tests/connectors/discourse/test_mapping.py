"""mapping.py on the payloads written from Discourse's documentation (fixtures/README.md), and broken variants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from federe.connectors.discourse.mapping import map_post, map_queued, text_as_html, users_by_id
from federe.connectors.types import Item, ItemKind, MalformedItem, NetworkStatus
from tests.connectors.discourse.conftest import load

SITE = "https://forum.example.org"


@pytest.fixture
def posts():
    return {post["id"]: post for post in load("latest_posts.json")["latest_posts"]}


def test_a_topic_opener_is_a_post_with_its_title(posts):
    item = map_post(posts[204], SITE)
    assert isinstance(item, Item)
    assert (item.external_id, item.thread_id, item.kind) == ("204", "13", ItemKind.POST)
    assert item.thread_title == "Opening hours of the café"
    assert item.parent_id == ""
    assert item.created_at == datetime(2026, 11, 23, 10, 2, tzinfo=UTC)
    assert item.url == f"{SITE}/t/opening-hours-of-the-cafe/13/1"
    assert item.status == NetworkStatus.PUBLISHED


def test_a_reply_keeps_the_parent_the_connector_found(posts):
    item = map_post(posts[206], SITE, parent_id="202")
    assert isinstance(item, Item)
    assert (item.kind, item.parent_id, item.thread_id) == (ItemKind.REPLY, "202", "12")


def test_an_answer_to_the_topic_is_a_comment(posts):
    item = map_post(posts[202], SITE)
    assert isinstance(item, Item) and item.kind == ItemKind.COMMENT and item.parent_id == ""


def test_the_author_is_the_member(posts):
    author = map_post(posts[206], SITE).author  # type: ignore[union-attr]
    assert (author.external_id, author.handle, author.display_name) == ("41", "lea.martin", "Léa Martin")
    assert author.profile_url == f"{SITE}/u/lea.martin"
    assert author.avatar_url == f"{SITE}/user_avatar/forum.example.org/lea.martin/120/12_2.png"


def test_a_member_without_a_name_is_shown_by_handle(posts):
    author = map_post(posts[205], SITE).author  # type: ignore[union-attr]
    assert author.display_name == "promo2026"


def test_hidden_and_deleted_posts_are_removed(posts):
    assert map_post(posts[205], SITE).status == NetworkStatus.REMOVED  # type: ignore[union-attr]
    deleted = {**posts[202], "deleted_at": "2026-11-23T12:00:00.000Z"}
    assert map_post(deleted, SITE).status == NetworkStatus.REMOVED  # type: ignore[union-attr]


def test_an_edited_post_says_when(posts):
    assert map_post(posts[203], SITE).edited_at == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # type: ignore[union-attr]
    assert map_post(posts[202], SITE).edited_at is None  # type: ignore[union-attr]


def test_the_system_user_is_an_author(posts):
    item = map_post({**posts[202], "user_id": -1, "username": "system"}, SITE)
    assert isinstance(item, Item) and item.author.external_id == "system"


def test_a_link_that_is_not_web_is_dropped(posts):
    item = map_post({**posts[202], "post_url": "javascript://alert(1)"}, SITE)
    assert isinstance(item, Item) and item.url == f"{SITE}/t/accueil-des-nouveaux/12/2"  # built from the topic
    avatar = map_post({**posts[202], "avatar_template": "javascript://x/{size}"}, SITE).author.avatar_url  # type: ignore[union-attr]
    assert avatar == ""


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"topic_id": None}, "not in a topic"),
        ({"post_number": "x"}, "no place"),
        ({"user_id": None}, "no author"),
        ({"cooked": None}, "no content"),
        ({"created_at": "yesterday"}, "unreadable date"),
    ],
)
def test_a_broken_post_is_malformed_with_its_id(posts, change, words):
    mapped = map_post({**posts[202], **change}, SITE)
    assert isinstance(mapped, MalformedItem)
    assert mapped.external_id == "202" and words in mapped.reason


@pytest.mark.parametrize("broken", [None, [], "post", {"id": "abc"}, {"id": True}])
def test_what_is_not_a_post_is_malformed(broken):
    assert isinstance(map_post(broken, SITE), MalformedItem)


def test_a_queued_reply_is_held_in_its_topic():
    answer = load("review_pending.json")
    item = map_queued(answer["reviewables"][0], users_by_id(answer), SITE)
    assert isinstance(item, Item)
    assert (item.external_id, item.thread_id, item.status) == ("queued-31", "12", NetworkStatus.HELD)
    assert item.author.external_id == "77" and item.author.handle == "nouveau_venu"
    assert item.body_html == "<p>Bonjour, je suis nouveau ici.</p><p>J’aime le café &amp; les *croissants*.</p>"
    assert item.url == f"{SITE}/review/31"


def test_a_queued_topic_is_its_own_thread_with_its_title():
    answer = load("review_pending.json")
    item = map_queued(answer["reviewables"][1], users_by_id(answer), SITE)
    assert isinstance(item, Item)
    assert (item.thread_id, item.kind, item.thread_title) == (
        "queued-32",
        ItemKind.POST,
        "Password reset does not work",
    )


@pytest.mark.parametrize(("status", "expected"), [(1, NetworkStatus.PUBLISHED), (2, NetworkStatus.REMOVED)])
def test_a_reviewed_queued_post_reads_approved_or_rejected(status, expected):
    answer = load("review_reviewed.json")
    entry = next(entry for entry in answer["reviewables"] if entry["status"] == status)
    assert map_queued(entry, users_by_id(answer), SITE).status == expected  # type: ignore[union-attr]


@pytest.mark.parametrize("status", ["pending", "approved", "rejected"])
def test_statuses_by_name_are_read_too(status):
    answer = load("review_pending.json")
    entry = {**answer["reviewables"][0], "status": status}
    assert isinstance(map_queued(entry, users_by_id(answer), SITE), Item)


@pytest.mark.parametrize(
    "change", [{"payload": None}, {"created_at": None}, {"status": 99}, {"created_by_id": None}, {"id": None}]
)
def test_a_broken_queue_entry_is_malformed(change):
    answer = load("review_pending.json")
    assert isinstance(map_queued({**answer["reviewables"][0], **change}, users_by_id(answer), SITE), MalformedItem)


def test_queued_markdown_is_escaped_not_rendered():
    assert text_as_html("<script>x</script>\nline") == "<p>&lt;script&gt;x&lt;/script&gt;<br>line</p>"
