"""The NNTP connector on the dialogue recorded on the real INN 2.7.1 (kit.py); where a test changes an answer of
the recording, it says so."""

from __future__ import annotations

import pytest

from federe.connectors.errors import Permanent, Transient
from federe.connectors.types import (
    ActionKind,
    Batch,
    Item,
    ModerationAction,
    NetworkStatus,
    OutgoingPost,
    OutgoingReply,
)
from tests.connectors.nntp.kit import IDS, KIT, RECORDED, network


def sync(cursor=None) -> tuple[list[Batch], dict]:
    batches = []
    while True:
        batch = KIT.build().fetch(cursor)
        batches.append(batch)
        cursor = batch.cursor
        if not batch.has_more:
            return batches, cursor


def items(batches: list[Batch]) -> dict[str, Item]:
    return {item.external_id: item for batch in batches for item in batch.items}


def test_a_sync_reads_every_article_threads_them_and_decodes_mime():
    with network():
        batches, cursor = sync()
        again, _ = sync(cursor)
    found = items(batches)
    assert set(found) == {IDS[name] for name in ("root", "follow", "mime", "held", "held2")}
    follow, mime = found[IDS["follow"]], found[IDS["mime"]]
    assert (follow.thread_id, follow.parent_id) == (IDS["root"], IDS["root"])
    assert (mime.thread_id, mime.parent_id) == (IDS["root"], IDS["follow"])
    assert mime.thread_title == "Horaires décalés" and mime.author.display_name == "René"
    assert "décalé" in mime.body_html and ".point en tête de ligne" in mime.body_html
    assert found[IDS["root"]].status == NetworkStatus.PUBLISHED and found[IDS["root"]].parent_id == ""
    assert found[IDS["held"]].status == found[IDS["held2"]].status == NetworkStatus.HELD
    assert [m.reason for b in batches for m in b.malformed] == [
        "A mail in the moderation mailbox is not a news article."
    ]
    assert cursor["groups"] == {"local.community": 3, "local.community.moderated": 0}
    assert not items(again)  # nothing new: nothing handed over twice


def test_a_server_gone_mid_page_stores_nothing_and_the_same_cursor_resumes():
    with network() as replay:
        replay.hang_up_after = "ARTICLE 2"
        with pytest.raises(Transient):
            KIT.build().fetch(None)
        replay.hang_up_after = None
        batch = KIT.build().fetch(None)
    assert {item.external_id for item in batch.items} >= {IDS["root"], IDS["follow"]}


def test_a_reply_follows_up_in_the_parents_group_with_its_references():
    reply = OutgoingReply(IDS["root"], IDS["follow"], "<p>Merci !</p><p>À bientôt.</p>", RECORDED["keys"]["reply"])
    with network() as replay:
        result = KIT.build().reply(reply)
    assert result.external_id == RECORDED["reply"]
    [article] = replay.posted
    assert f"References: <{IDS['root']}> <{IDS['follow']}>\r\n".encode() in article
    assert b"Newsgroups: local.community\r\n" in article and b"Subject: Re: Horaires du local\r\n" in article
    assert f"Message-ID: <{RECORDED['reply']}>".encode() in article
    assert "Merci !\n\nÀ bientôt.".encode() in article.replace(b"\r\n", b"\n")


def test_a_retried_reply_that_is_on_the_server_is_not_posted_again():
    reply = OutgoingReply(IDS["root"], IDS["follow"], "<p>Merci</p>", RECORDED["keys"]["reply"])
    with network() as replay:
        # Changed from the recording: the server now has the first attempt's article.
        replay.answers[f"STAT <{RECORDED['reply']}>"] = [f"223 0 <{RECORDED['reply']}> status\r\n"]
        result = KIT.build().reply(reply)
    assert result.external_id == RECORDED["reply"] and replay.posted == []
    assert "POST" not in replay.commands


def test_a_post_starts_a_thread_and_needs_a_subject():
    with network() as replay:
        with pytest.raises(Permanent, match="subject"):
            KIT.build().publish(OutgoingPost("<p>x</p>", "k", body_text="x"))
        result = KIT.build().publish(OutgoingPost("<p>R</p>", RECORDED["keys"]["post"], title="Réunion jeudi"))
    [article] = replay.posted
    assert b"References:" not in article and b"Newsgroups: local.community\r\n" in article
    assert f"<{result.external_id}>".encode() in article


def test_approving_posts_the_held_article_with_approved_and_without_the_mails_to():
    with network() as replay:
        assert KIT.build().act(ModerationAction(ActionKind.APPROVE, external_id=IDS["held"])).done
    [article] = replay.posted
    head = article.split(b"\r\n\r\n")[0]
    assert b"\r\nApproved: moderator@example.com" in head and b"\nTo:" not in head and not head.startswith(b"To:")
    assert f"Message-ID: <{IDS['held']}>".encode() in head and b"Merci de publier." in article


def test_deleting_a_posted_article_sends_a_cancel_and_sees_it_gone():
    with network() as replay:
        result = KIT.build().act(ModerationAction(ActionKind.DELETE, external_id=IDS["follow"]))
    assert result.detail == "cancelled"
    [control] = replay.posted
    assert f"Control: cancel <{IDS['follow']}>".encode() in control


def test_a_cancel_the_server_does_not_honour_is_said_in_words(monkeypatch):
    from federe.connectors.nntp import connector

    monkeypatch.setattr(connector, "CANCEL_WAIT_SECONDS", 0.3)
    with network() as replay:
        # Changed from the recording: the article is still there after the cancel.
        replay.answers[f"STAT <{IDS['follow']}>"] = [f"223 0 <{IDS['follow']}> status\r\n"]
        with pytest.raises(Permanent, match="does not honour cancels"):
            KIT.build().act(ModerationAction(ActionKind.DELETE, external_id=IDS["follow"]))


def test_a_posted_article_cannot_be_rejected():
    with network(), pytest.raises(Permanent, match="already posted"):
        KIT.build().act(ModerationAction(ActionKind.REJECT, external_id=IDS["follow"]))
