"""Replies and moderation on the recorded forum (fake.py): each is done once, whatever the retries."""

from __future__ import annotations

import pytest

from federe.connectors.errors import Permanent
from federe.connectors.misago.moderation import NO_BAN
from federe.connectors.misago.replies import marker
from federe.connectors.types import ActionKind, ModerationAction, OutgoingReply
from tests.connectors.misago.fake import FakeMisago, serving
from tests.connectors.misago.kit import KIT


def act(kind: ActionKind, post: str, thread: str):
    return KIT.build().act(ModerationAction(kind, external_id=post, thread_id=thread))


def writes(forum: FakeMisago) -> list[tuple[str, str]]:
    return [(method, path) for method, path in forum.calls if method not in ("GET",) and path != "/api/auth/"]


def test_a_retried_reply_finds_the_first_one_instead_of_posting_again():
    reply = OutgoingReply("3", "6", "<p>Merci pour <b>l'annonce</b></p>", idempotency_key="delivery-1")
    with serving() as forum:
        first = KIT.build().reply(reply)
        second = KIT.build().reply(reply)  # the answer to the first POST was lost: Fédère tries again
        other = KIT.build().reply(OutgoingReply("3", "6", "<p>Merci pour l'annonce</p>", idempotency_key="d-2"))
    assert first.external_id == second.external_id != other.external_id
    assert len(forum.created) == 2
    assert forum.created[0]["content"].startswith("<p>Merci pour l'annonce")
    assert marker("delivery-1") in forum.created[0]["content"] and marker("d-2") not in forum.created[0]["content"]
    assert first.url.startswith("https://forum.example.org/t/")


def test_the_marker_is_invisible_and_differs_per_delivery():
    mark = marker("k")
    assert mark == marker("k") != marker("k2")
    assert all(not character.isprintable() or character in "\u200b\u200c\u200d\u2060\u2063" for character in mark)
    assert not mark.strip("\u200b\u200c\u200d\u2060\u2063")


@pytest.mark.parametrize(
    ("kind", "post", "thread", "path", "field"),
    [
        (ActionKind.APPROVE, "7", "3", "/api/threads/3/posts/7/", "is-unapproved"),
        (ActionKind.REMOVE, "2", "1", "/api/threads/1/posts/2/", "is-hidden"),
        (ActionKind.RESTORE, "3", "1", "/api/threads/1/posts/3/", "is-hidden"),
        (ActionKind.CLOSE, "6", "3", "/api/threads/3/", "is-closed"),
        (ActionKind.PIN, "7", "3", "/api/threads/3/", "weight"),
        (ActionKind.APPROVE, "5", "2", "/api/threads/2/", "is-unapproved"),  # a first post: its thread
        (ActionKind.REMOVE, "1", "1", "/api/threads/1/", "is-hidden"),
    ],
)
def test_each_action_patches_once_and_finds_it_done_the_second_time(kind, post, thread, path, field):
    with serving() as forum:
        first = act(kind, post, thread)
        second = act(kind, post, thread)
    assert first.done and second.done and "already" in second.detail
    assert writes(forum) == [("PATCH", path)]


def test_delete_removes_a_reply_or_a_whole_thread_once():
    with serving() as forum:
        assert act(ActionKind.DELETE, "7", "3").done and act(ActionKind.DELETE, "7", "3").done
        assert act(ActionKind.DELETE, "5", "2").done and act(ActionKind.DELETE, "5", "2").done
    assert writes(forum) == [("DELETE", "/api/threads/3/posts/7/"), ("DELETE", "/api/threads/2/")]


def test_a_post_on_a_later_page_is_found_by_bisection():
    forum = FakeMisago()
    forum.per_page = 2
    for post_id in range(30, 50):
        forum.add_reply(1, post_id)
    with serving(forum):
        assert act(ActionKind.REMOVE, "41", "1").done
    pages = [call for call in forum.calls if call == ("GET", "/api/threads/1/posts/")]
    assert len(pages) <= 5 and writes(forum) == [("PATCH", "/api/threads/1/posts/41/")]


def test_there_is_no_ban_and_the_refusal_says_where_bans_are():
    with serving(), pytest.raises(Permanent) as caught:
        act(ActionKind.BAN, "2", "1")
    assert caught.value.message == str(NO_BAN) and "admin" in caught.value.message
    assert ActionKind.BAN not in type(KIT.build()).actions and NO_BAN in type(KIT.build()).limitations


def test_an_action_without_its_thread_or_on_a_bad_id_is_refused_in_words():
    with serving():
        for post, thread in (("2", ""), ("abc", "1")):
            with pytest.raises(Permanent) as caught:
                act(ActionKind.REMOVE, post, thread)
            assert "Misago" in caught.value.message
