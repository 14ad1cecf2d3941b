"""Mail as Dovecot serves it (fixtures recorded on the peer) into items: threading, bodies, attachments, and the
messages that are not quite e-mail."""

from __future__ import annotations

from federe.connectors.imap.mapping import derived_id, map_message
from federe.connectors.types import Item, MalformedItem, NetworkStatus
from tests.connectors.imap.fake import FIXTURES


def mapped(raw: bytes, **extra) -> Item | MalformedItem:
    return map_message(raw, folder="INBOX", uid=7, uidvalidity=42, size=len(raw), **extra)


def fixture(number: int) -> bytes:
    return (FIXTURES / f"{number:02}.eml").read_bytes()


def test_a_question_starts_its_own_thread_keyed_by_its_message_id():
    item = mapped(fixture(1))
    assert isinstance(item, Item)
    assert item.external_id == item.thread_id == "question-1@member.test" and item.parent_id == ""
    assert item.author.email == "member@localhost" and item.author.display_name == "Membre"
    assert item.thread_title == "Horaires du local" and "quelle heure" in item.body_html
    assert item.raw["uid"] == 7 and item.raw["uidvalidity"] == 42  # where it was read, not what it is


def test_a_reply_threads_under_in_reply_to_and_the_first_reference():
    item = mapped(fixture(2))
    assert isinstance(item, Item)
    assert item.parent_id == "question-1@member.test" and item.thread_id == "question-1@member.test"
    assert item.thread_title == "Horaires du local"  # "Re:" dropped


def test_html_is_sanitised_and_attachments_are_listed_never_shown():
    item = mapped(fixture(3))
    assert isinstance(item, Item)
    assert "<script" not in item.body_html and "alert(1)" not in item.body_html
    assert "x.test" not in item.body_html  # no image from another host
    assert "facture.pdf (application/pdf, 13 B)" in item.body_html
    assert item.raw["attachments"] == [{"name": "facture.pdf", "type": "application/pdf", "size": 13}]


def test_a_message_without_message_id_gets_one_of_its_own_the_same_on_every_read():
    raw = b"From: bob@example.com\r\nSubject: Sans id\r\n\r\nBonjour\r\n"
    first, second = mapped(raw), mapped(raw)
    assert isinstance(first, Item) and isinstance(second, Item)
    assert first.external_id == second.external_id == derived_id(raw)
    assert first.external_id != derived_id(raw + b"!")


def test_a_message_without_sender_is_malformed_with_the_reason():
    item = mapped(b"Subject: ?\r\nMessage-ID: <x@y>\r\n\r\nhello\r\n")
    assert isinstance(item, MalformedItem) and "sender" in item.reason and item.external_id == "INBOX/42/7"


def test_garbage_never_raises():
    for raw in (b"", b"\x00\xff" * 100, b"From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"):
        assert isinstance(mapped(raw), Item | MalformedItem)


def test_a_message_read_for_its_header_only_says_so():
    item = mapped(fixture(3).split(b"\r\n\r\n")[0] + b"\r\n\r\n", whole=False, status=NetworkStatus.SPAM)
    assert isinstance(item, Item) and "larger than Fédère reads" in item.body_html and item.status == "spam"
