"""The connector on the in-memory server (fake.py): pages and cursors per folder, UIDVALIDITY, the size cap,
replies (headers, Sent, retries) and moves."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from federe.connectors.errors import Permanent
from federe.connectors.types import ActionKind, ModerationAction, OutgoingReply
from tests.connectors.imap.fake import FakeFolder
from tests.connectors.imap.kit import KIT, network


def read_all(connector, cursor=None):
    ids, pages = [], 0
    while True:
        batch = connector.fetch(cursor)
        ids += [item.external_id for item in batch.items]
        cursor, pages = batch.cursor, pages + 1
        if not batch.has_more:
            return ids, cursor, pages


def test_pages_follow_the_uids_and_the_cursor_keeps_uidvalidity_per_folder():
    with network():
        ids, cursor, pages = read_all(KIT.build())
        assert ids == ["question-1@member.test", "question-2@member.test", "facture-1@member.test"]
        assert pages == 2 and cursor == {"folders": {"INBOX": {"uidvalidity": 1700000000, "uid": 3}}}
        assert KIT.build().fetch(cursor).items == []


def test_a_new_uidvalidity_reads_the_folder_again_with_the_same_ids():
    with network() as wire:
        connector = KIT.build()
        first, cursor, _pages = read_all(connector)
        server = wire.server
        inbox = server.folders["INBOX"]
        server.folders["INBOX"] = FakeFolder(uidvalidity=1800000000, next_uid=1)
        for raw in inbox.messages.values():
            server.folders["INBOX"].add(raw)
        again, cursor, _pages = read_all(connector, cursor)
        assert sorted(again) == sorted(first)  # the same items: Fédère stores none twice
        assert cursor["folders"]["INBOX"] == {"uidvalidity": 1800000000, "uid": 3}


def test_a_message_over_the_size_cap_is_read_for_its_header():
    with network() as wire:
        big = b"From: a@example.com\r\nSubject: Gros\r\nMessage-ID: <big@x>\r\n\r\n" + b"texte " * 5000
        wire.server.folders["INBOX"].add(big)
        batch = KIT.build({"max_message_bytes": 20_000, "page_size": 10}).fetch(None)
        sizes = {item.external_id: item.raw["size"] for item in batch.items}
        assert sizes["big@x"] == len(big) and len(batch.items) == 4
        shown = {item.external_id: item.body_html for item in batch.items}
        assert "larger than Fédère reads" in shown["big@x"] and "texte" not in shown["big@x"]
        assert "quelle heure" in shown["question-1@member.test"]  # the others whole


def test_a_reply_answers_the_sender_with_threading_headers_and_is_kept_in_sent():
    with network() as wire:
        sent = wire.sent
        connector = KIT.build()
        reply = OutgoingReply("question-1@member.test", "question-2@member.test", "<p>Oui</p><p>dès 10 h</p>", "k1")
        result = connector.reply(reply)
        ((message, how),) = sent
        assert how["recipients"] == ["member@localhost"] and how["sender"] == "support@example.org"
        assert message["In-Reply-To"] == "<question-2@member.test>"
        assert message["References"] == "<question-1@member.test> <question-2@member.test>"
        assert message["Subject"] == "Re: Horaires du local" and message["Message-ID"] == f"<{result.external_id}>"
        assert [m["Message-ID"] for m in map(message_from_bytes, wire.server.folders["Sent"].messages.values())] == [
            f"<{result.external_id}>"
        ]
        assert connector.reply(reply).external_id == result.external_id
        assert len(sent) == 1  # found in Sent: not sent again


def test_a_reply_to_a_message_gone_from_the_mailbox_is_refused_in_words():
    with network() as wire, pytest.raises(Permanent, match="no longer in the mailbox"):
        KIT.build().reply(OutgoingReply("gone@x", "gone@x", "<p>?</p>", "k2"))
    assert wire.sent == []


def test_spam_moves_and_archive_is_created_when_missing():
    with network() as wire:
        server = wire.server
        del server.folders["Archive"]
        server.listing = [line for line in server.listing if not line.endswith(b"Archive")]
        connector = KIT.build()
        assert connector.act(ModerationAction(ActionKind.REMOVE, "question-1@member.test")).detail == (
            "Moved to the folder Archive, created for it."
        )
        assert (
            connector.act(ModerationAction(ActionKind.SPAM, "question-1@member.test")).detail
            == "Moved to the folder Spam."
        )
        assert (
            connector.act(ModerationAction(ActionKind.SPAM, "question-1@member.test")).detail
            == "Already in the folder Spam."
        )
        stored = server.folders["Spam"].messages.values()
        assert [message_from_bytes(raw, policy=policy.default)["Message-ID"] for raw in stored] == [
            "<question-1@member.test>"
        ]
        with pytest.raises(Permanent, match="not in the mailbox"):
            connector.act(ModerationAction(ActionKind.SPAM, "nowhere@x"))
