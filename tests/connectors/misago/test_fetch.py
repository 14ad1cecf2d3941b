"""The Misago connector on the recorded forum (fake.py): incremental reading, session and CSRF, faults."""

from __future__ import annotations

import json

import httpx
import pytest

from federe.connectors.errors import Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.misago.client import WRONG_LOGIN
from federe.connectors.misago.connector import NOT_MODERATOR
from federe.connectors.types import Batch, Cursor, NetworkStatus
from tests.connectors.misago.fake import FakeMisago, serving
from tests.connectors.misago.kit import KIT


def sync(cursor: Cursor | None = None, *, restart: bool = True) -> tuple[list[Batch], Cursor]:
    """Every page of one sync, each by a new connector (as after a restart) with the cursor read back from JSON."""
    batches: list[Batch] = []
    connector = KIT.build()
    for _page in range(50):
        if restart:
            connector, cursor = KIT.build(), json.loads(json.dumps(cursor))
        batch = connector.fetch(cursor)
        batches.append(batch)
        cursor = batch.cursor
        if not batch.has_more:
            return batches, cursor
    raise AssertionError("no end")


def ids(batches: list[Batch]) -> list[str]:
    return [item.external_id for batch in batches for item in batch.items]


def test_a_first_sync_reads_every_post_of_every_thread_once_and_skips_events():
    with serving():
        batches, cursor = sync()
    assert sorted(ids(batches), key=int) == ["1", "2", "3", "5", "6", "7"]  # 4 is the "closed" event
    assert cursor == {"last_post": 6}  # thread 3's last post; its unapproved reply 7 does not count in Misago
    statuses = {item.external_id: item.status for batch in batches for item in batch.items}
    assert statuses["3"] == NetworkStatus.REMOVED and statuses["5"] == NetworkStatus.HELD
    assert statuses["7"] == NetworkStatus.HELD and statuses["2"] == NetworkStatus.PUBLISHED


def test_the_next_sync_rereads_only_threads_with_new_posts_or_posts_waiting_for_approval():
    with serving() as forum:
        _batches, cursor = sync()
        forum.lists["unapproved"]["results"].clear()  # a moderator approved everything on the forum
        forum.add_reply(1, 20, "Une nouvelle question")
        forum.add_reply(3, 21, "Encore une à approuver", unapproved=True)
        forum.calls.clear()
        batches, cursor = sync(cursor)
        again, _cursor = sync(cursor)
    read = {path for method, path in forum.calls if path.endswith("/posts/")}
    assert read == {"/api/threads/1/posts/", "/api/threads/3/posts/"}  # not thread 2: nothing new there
    assert sorted(ids(batches), key=int) == ["1", "2", "3", "6", "7", "20", "21"]
    assert cursor == {"last_post": 20}
    assert sorted(ids(again), key=int) == ["6", "7", "21"]  # its thread waits for approval: read again


def test_a_long_thread_is_read_from_its_first_page_then_backwards_from_its_last():
    forum = FakeMisago()
    forum.per_page = 2
    with serving(forum):
        first, cursor = sync()
        for post_id in range(30, 40):
            forum.add_reply(1, post_id)
        forum.calls.clear()
        batches, cursor = sync(cursor)
    assert sorted(ids(first), key=int) == ["1", "2", "3", "5", "6", "7"]
    pages = [call for call in forum.calls if call == ("GET", "/api/threads/1/posts/")]
    assert len(pages) == 7  # page 1, then 7, 6, 5, 4, 3 (the first new posts) and 2 (where older ones start)
    assert {str(n) for n in range(30, 40)} <= set(ids(batches))


def test_a_garbled_cursor_starts_over_instead_of_failing():
    with serving():
        batches, _cursor = sync({"last_post": "x", "queue": "nope", "page": -3})
    assert sorted(ids(batches), key=int) == ["1", "2", "3", "5", "6", "7"]


FAULTS = [
    (httpx.ConnectError("connection refused"), Transient),  # the server stopped
    (httpx.Response(429, headers={"Retry-After": "7"}), RateLimited),
    (httpx.Response(502, text="Bad gateway"), Transient),
    (httpx.Response(200, text="{not json"), Transient),
]


@pytest.mark.parametrize(("fault", "error"), FAULTS)
def test_a_fault_mid_sync_raises_and_the_next_sync_loses_nothing(fault, error):
    with serving() as forum:
        first = KIT.build().fetch(None)
        assert first.has_more
        forum.failing = ("/api/threads/", fault)
        with pytest.raises(error) as caught:
            KIT.build().fetch(first.cursor)
        assert caught.value.message
        forum.failing = None
        rest, _cursor = sync(first.cursor)
    assert sorted([*ids([first]), *ids(rest)], key=int) == ["1", "2", "3", "5", "6", "7"]
    if error is RateLimited:
        assert caught.value.retry_after == 7


def test_a_wrong_password_is_refused_in_plain_words():
    with serving(), pytest.raises(Unauthorized) as caught:
        type(KIT.build())(config=KIT.config, credentials={"username": "x", "password": "wrong"}).check()
    assert caught.value.message.startswith(str(WRONG_LOGIN)) and "incorrect" in caught.value.message


def test_a_member_who_is_not_a_moderator_is_told_what_it_means():
    forum = FakeMisago()
    forum.moderator = False
    with serving(forum), pytest.raises(Unauthorized) as caught:
        KIT.build().check()
    assert caught.value.message == str(NOT_MODERATOR)


def test_an_expired_csrf_token_logs_in_again_once():
    forum = FakeMisago()
    with serving(forum):
        connector = KIT.build()
        connector.client.login()
        forum.csrf_failures = 1
        result = connector.act(_action("remove", "2", "1"))
        assert result.done and forum.logins == 2
        forum.csrf_failures = 2  # still refused after logging in again: a clear error, not a loop
        with pytest.raises(Permanent):
            connector.act(_action("restore", "2", "1"))
        assert forum.logins == 3


def _action(kind: str, post: str, thread: str):
    from federe.connectors.types import ActionKind, ModerationAction

    return ModerationAction(ActionKind(kind), external_id=post, thread_id=thread)
