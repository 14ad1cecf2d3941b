"""mapping.py on payloads recorded from WordPress 6.1 (fixtures/), and on broken variants of them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from federe.connectors.types import Item, ItemKind, MalformedItem, NetworkStatus
from federe.connectors.values import parse_utc
from federe.connectors.wordpress.mapping import map_author, map_comment, rendered_text
from tests.connectors.wordpress.conftest import by_status, load


@pytest.fixture
def comments():
    return load("comments_page.json")


@pytest.mark.parametrize(
    ("wp_status", "status"),
    [
        ("approved", NetworkStatus.PUBLISHED),
        ("hold", NetworkStatus.HELD),
        ("spam", NetworkStatus.SPAM),
        ("trash", NetworkStatus.REMOVED),
    ],
)
def test_every_status_maps(comments, wp_status, status):
    item = map_comment(by_status(comments, wp_status))
    assert isinstance(item, Item)
    assert item.status == status


def test_a_visitor_comment_on_the_post(comments):
    raw = by_status(comments, "approved")
    item = map_comment(raw)
    assert isinstance(item, Item)
    assert item.external_id == str(raw["id"])
    assert item.thread_id == str(raw["post"])
    assert item.parent_id == "" and item.kind == ItemKind.COMMENT
    assert item.thread_title.startswith("Café & “bonnes” adresses")  # &#038; decoded
    assert "Super article" in item.body_html
    assert item.created_at == parse_utc(raw["date_gmt"]) and item.created_at.tzinfo is UTC
    assert item.url == raw["link"] and "#comment-" in item.url
    assert item.edited_at is None  # WordPress keeps no modification date for comments
    assert "_embedded" not in item.raw and "_links" not in item.raw
    author = item.author
    assert author.external_id == "email:" + hashlib.sha1(b"alice.martin@example.com").hexdigest()  # noqa: S324
    assert (author.display_name, author.handle) == ("Alice Martin", "Alice Martin")
    assert author.email == "Alice.Martin@example.com"
    assert author.profile_url == "https://alice.example.com"
    assert "s=96" in author.avatar_url


def test_threaded_replies_and_the_sites_own_user(comments):
    first = by_status(comments, "approved")
    reply = next(c for c in comments if c["parent"] == first["id"] and c["author"] == 0)
    mine = next(c for c in comments if c["author"] > 0)
    for raw in (reply, mine):
        item = map_comment(raw)
        assert isinstance(item, Item)
        assert item.parent_id == str(first["id"]) and item.kind == ItemKind.REPLY
        assert item.thread_id == str(first["post"])
    assert map_comment(mine).author.external_id == f"user:{mine['author']}"


def test_the_post_can_be_given_instead_of_embedded(comments):
    raw = by_status(comments, "hold")
    post = load("post.json")
    del raw["_embedded"]
    assert map_comment(raw).thread_title == ""
    assert map_comment(raw, post).thread_title == rendered_text(post["title"]) != ""


def test_authors_without_an_account_or_an_email():
    assert map_author({"author": 0, "author_name": "Zoé", "author_email": ""}).external_id == "name:Zoé"
    assert map_author({"author": 0}).external_id == "anonymous"
    assert (
        map_author({"author": 0, "author_email": "A@B.org"}).external_id
        == map_author({"author": 0, "author_email": "a@b.org"}).external_id
    )


def test_comments_of_a_trashed_post_count_as_removed(comments):
    raw = {**by_status(comments, "approved"), "status": "post-trashed"}
    assert map_comment(raw).status == NetworkStatus.REMOVED


def test_a_deleted_post_embeds_an_error_and_leaves_no_title(comments):
    raw = by_status(comments, "approved")
    raw["_embedded"] = {"up": [load("error_404.json")]}
    item = map_comment(raw)
    assert isinstance(item, Item) and item.thread_title == ""


def test_dates_are_utc():
    assert parse_utc("2026-11-23T12:31:19") == datetime(2026, 11, 23, 12, 31, 19, tzinfo=UTC)
    assert parse_utc("2026-11-23T13:31:19+01:00") == datetime(2026, 11, 23, 12, 31, 19, tzinfo=UTC)
    assert parse_utc("0000-00-00T00:00:00") is None
    assert parse_utc(None) is None


BROKEN = [
    ("not an object", lambda c: ["a", "list"], "not a JSON object"),
    ("no id", lambda c: {k: v for k, v in c.items() if k != "id"}, "without an id"),
    ("id as text", lambda c: {**c, "id": "12"}, "without an id"),
    ("id as boolean", lambda c: {**c, "id": True}, "without an id"),
    ("no post", lambda c: {**c, "post": None}, "not attached to a post"),
    ("post 0", lambda c: {**c, "post": 0}, "not attached to a post"),
    ("parent as text", lambda c: {**c, "parent": "x"}, "unreadable parent"),
    ("author as text", lambda c: {**c, "author": "bob"}, "unreadable author"),
    ("no content", lambda c: {**c, "content": None}, "no content"),
    ("content not rendered", lambda c: {**c, "content": {"raw": "x"}}, "no content"),
    ("date garbage", lambda c: {**c, "date_gmt": "yesterday"}, "unreadable date"),
    ("zero date", lambda c: {**c, "date_gmt": "0000-00-00T00:00:00"}, "unreadable date"),
    ("no date", lambda c: {k: v for k, v in c.items() if k != "date_gmt"}, "unreadable date"),
    ("unknown status", lambda c: {**c, "status": "pending-review"}, "unknown status"),
]


@pytest.mark.parametrize(("case", "breaks", "reason"), BROKEN, ids=[b[0] for b in BROKEN])
def test_malformed_comments_are_reported_never_raised(comments, case, breaks, reason):
    raw = by_status(comments, "approved")
    mapped = map_comment(breaks(raw))
    assert isinstance(mapped, MalformedItem)
    assert reason in mapped.reason
    if reason not in ("not a JSON object", "without an id"):
        assert mapped.external_id == str(raw["id"]) and mapped.external_id in mapped.reason
