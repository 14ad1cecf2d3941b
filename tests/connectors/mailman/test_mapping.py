"""Mailman payloads and list mail recorded from the real Mailman 3.3.10 (fixtures/) into items."""

from __future__ import annotations

from pathlib import Path

import pytest

from federe.connectors.mail.maildir import entries, read_entry
from federe.connectors.mail.parse import MailError, parse_mail
from federe.connectors.mailman.mapping import map_delivered, map_held, map_list, split_id
from federe.connectors.types import Item, ItemKind, MalformedItem, NetworkStatus
from tests.connectors.mailman.kit import FIXTURES, LIST_ID, load

MAILDIR = FIXTURES / "maildir"


@pytest.fixture
def delivered(settings) -> list[Item]:
    settings.FEDERE_MAILDIR_ROOTS = [str(FIXTURES)]
    items = []
    for entry in entries(str(MAILDIR)):
        raw = read_entry(entry)
        assert raw is not None
        mapped = map_delivered(raw, {LIST_ID})
        if isinstance(mapped, Item):
            items.append(mapped)
    return items


def test_a_held_message_is_a_held_item_of_its_list():
    held = load("held.json")["entries"][0]
    item = map_held(held, LIST_ID)
    assert isinstance(item, Item)
    assert item.external_id == f"{LIST_ID}/promo-1@spam.example.net"
    assert item.status == NetworkStatus.HELD
    assert item.kind == ItemKind.MAIL
    assert item.author.email == "promo@spam.example.net" and item.author.external_id == "promo@spam.example.net"
    assert item.author.display_name == "Spammeur"
    assert item.thread_id == item.external_id and item.parent_id == ""
    assert item.thread_title == "Offre exceptionnelle"
    assert "Achetez" in item.body_html
    assert item.raw["request_id"] == held["request_id"]


def test_delivered_posts_are_published_and_list_notices_are_left_out(delivered):
    ids = {item.external_id for item in delivered}
    assert ids == {
        f"{LIST_ID}/horaires-1@example.com",
        f"{LIST_ID}/horaires-2@example.org",
        f"{LIST_ID}/atelier-programme@example.org",
    }  # two copies of each (one per subscriber); the welcome mails and the owner's notice are not posts
    assert all(item.status == NetworkStatus.PUBLISHED for item in delivered)


def test_a_reply_is_threaded_under_the_message_it_answers(delivered):
    reply = next(item for item in delivered if item.external_id.endswith("horaires-2@example.org"))
    assert reply.parent_id == f"{LIST_ID}/horaires-1@example.com"
    assert reply.thread_id == f"{LIST_ID}/horaires-1@example.com"
    assert reply.thread_title == "Horaires du local"  # without "Re:" and the list's "[Fixtures]" prefix
    assert "de 9 h à 18 h" in reply.body_html


def test_html_mail_is_sanitised_and_attachments_only_listed(delivered):
    item = next(item for item in delivered if item.external_id.endswith("atelier-programme@example.org"))
    assert "<b>programme</b>" in item.body_html
    assert "<script" not in item.body_html and "javascript:" not in item.body_html
    assert "programme.pdf (application/pdf, 9 B)" in item.body_html
    assert item.thread_title == "Programme de l'atelier"  # the encoded subject decoded
    assert item.author.display_name == "Chloé"
    assert item.created_at.isoformat() == "2026-12-06T11:05:00+00:00"  # +0100 in the Date header, stored in UTC


def test_mail_of_a_list_not_followed_is_not_an_item():
    raw = next(Path(MAILDIR, "new").glob("1796559180.*")).read_bytes()
    assert map_delivered(raw, {"other.lists.example.com"}) is None
    assert isinstance(map_delivered(raw, None), Item)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"From: a@example.com\r\nSubject: x\r\n\r\nno id", "no Message-ID"),
        (b"Message-ID: <x@y>\r\nSubject: x\r\n\r\nno sender", "no sender"),
    ],
)
def test_a_message_without_id_or_sender_is_malformed(raw, words):
    with pytest.raises(MailError, match=words):
        parse_mail(raw)
    of_the_list = f"List-Id: <{LIST_ID}>\r\nList-Post: <mailto:fixtures@lists.example.com>\r\n".encode() + raw
    assert isinstance(map_delivered(of_the_list, {LIST_ID}), MalformedItem)


def test_other_mail_in_the_mailbox_is_left_alone_even_when_broken():
    assert map_delivered(b"Message-ID: <x@y>\r\nSubject: not from a list\r\n\r\nno sender", {LIST_ID}) is None


@pytest.mark.parametrize("held", [None, [], {"request_id": 3}, {"request_id": 3, "msg": ""}, "text"])
def test_an_unreadable_held_entry_is_malformed(held):
    mapped = map_held(held, LIST_ID)
    assert isinstance(mapped, MalformedItem) and mapped.reason


def test_lists_become_targets_with_their_member_count():
    targets = [map_list(entry) for entry in load("lists.json")["entries"]]
    fixtures = next(t for t in targets if t is not None and t.id == LIST_ID)
    assert fixtures.name == "Fixtures"
    assert fixtures.detail == "fixtures@lists.example.com, 2 members"
    assert map_list({"display_name": "no id"}) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"{LIST_ID}/a/b@example.com", (LIST_ID, "a/b@example.com")),
        ("42", ("", "")),
        ("nolist/x@y", ("", "")),
        (f"{LIST_ID}/", ("", "")),
    ],
)
def test_item_ids_split_into_list_and_message_id(value, expected):
    assert split_id(value) == expected
