"""The mapping of events recorded on Synapse (fixtures/sync_initial.json, sync_incremental.json, event_*.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from federe.connectors.matrix import mapping
from federe.connectors.types import Item, ItemKind, MalformedItem, NetworkStatus
from tests.connectors.matrix.conftest import load, room_of

INITIAL = load("sync_initial.json")
ROOM = room_of(INITIAL)
EVENTS = INITIAL["rooms"]["join"][ROOM]["timeline"]["events"]
MESSAGES = [e for e in EVENTS if e["type"] == "m.room.message"]
FIRST, REPLY, THREAD, EDIT, SPAM = MESSAGES
NAMES = mapping.member_names(EVENTS)


def mapped(event) -> Item:
    item = mapping.map_message(ROOM, event, NAMES, "Café Lumière")
    assert isinstance(item, Item), item
    return item


def test_a_message_is_an_item_of_its_room_with_the_author_and_date():
    item = mapped(FIRST)
    assert item.external_id == f"{ROOM}|{FIRST['event_id']}"
    assert item.thread_id == ROOM and item.thread_title == "Café Lumière"
    assert item.body_html == "<p>Bonjour, vous ouvrez dimanche ?</p>"
    assert item.author.external_id == FIRST["sender"] and item.author.display_name == "Camille"
    assert item.created_at == datetime.fromtimestamp(FIRST["origin_server_ts"] / 1000, tz=UTC)
    assert item.kind == ItemKind.CHAT and item.status == NetworkStatus.PUBLISHED and item.parent_id == ""
    assert item.url == f"https://matrix.to/#/{ROOM}/{FIRST['event_id']}"


def test_a_reply_points_at_its_parent_without_the_quoted_fallback():
    item = mapped(REPLY)
    assert item.parent_id == f"{ROOM}|{FIRST['event_id']}"
    assert item.body_html == "Et le <b>lundi</b> ?"  # <mx-reply> dropped (ingest sanitises the rest)


def test_a_plain_text_reply_loses_its_quoted_lines():
    content = {k: v for k, v in REPLY["content"].items() if k not in ("format", "formatted_body")}
    assert mapped({**REPLY, "content": content}).body_html == "<p>Et le lundi ?</p>"


def test_a_thread_message_points_at_the_thread_root():
    assert mapped(THREAD).parent_id == f"{ROOM}|{FIRST['event_id']}"


def test_an_edit_is_the_original_item_with_the_new_text():
    item = mapped(EDIT)
    assert item.external_id == f"{ROOM}|{REPLY['event_id']}"
    assert item.body_html == "<p>Et le lundi matin ?</p>"
    assert item.edited_at == datetime.fromtimestamp(EDIT["origin_server_ts"] / 1000, tz=UTC)


def test_a_redacted_event_is_removed_and_empty():
    item = mapped(load("event_redacted.json"))
    assert item.external_id == f"{ROOM}|{SPAM['event_id']}"
    assert item.status == NetworkStatus.REMOVED and item.body_html == ""
    assert item.author.external_id == SPAM["sender"]  # the author, not the moderator who redacted


def test_an_emote_and_a_file_say_what_they_are():
    emote = load("event_later.json")
    assert mapped(emote).body_html == "<p><em>salue tout le monde</em></p>"
    image = {**FIRST, "content": {"msgtype": "m.image", "body": "photo.jpg", "url": "mxc://x/y"}}
    assert mapped(image).body_html == "<p>[image] photo.jpg</p>"


def test_a_redaction_names_its_target_in_either_room_version():
    redaction = load("sync_incremental.json")["rooms"]["join"][ROOM]["timeline"]["events"][0]
    assert mapping.redacted_id(redaction) == SPAM["event_id"]
    assert mapping.redacted_id({"redacts": "$old"}) == "$old"  # rooms before v11
    assert mapping.redacted_id({"content": {}}) == ""


def test_the_room_name_comes_from_its_state():
    assert mapping.room_name(EVENTS) == "Café Lumière"
    alias = [{"type": "m.room.canonical_alias", "content": {"alias": "#cafe:localhost"}}]
    assert mapping.room_name(alias) == "#cafe:localhost"


@pytest.mark.parametrize(
    "event",
    [
        "not an event",
        {"type": "m.room.message", "content": {"body": "x"}, "origin_server_ts": 1},
        {"type": "m.room.message", "event_id": "$e", "sender": "@a:b", "content": {"body": "x"}},
        {"type": "m.room.message", "event_id": "$e", "sender": "@a:b", "origin_server_ts": 1, "content": "x"},
        {"type": "m.room.message", "event_id": "$e", "sender": "@a:b", "origin_server_ts": True, "content": {}},
    ],
)
def test_a_broken_event_is_malformed_with_a_reason(event):
    result = mapping.map_message(ROOM, event, {}, "")
    assert isinstance(result, MalformedItem) and result.reason


def test_an_external_id_gives_back_its_room_and_event():
    assert mapping.split_ref(f"{ROOM}|$e") == (ROOM, "$e")
    assert mapping.split_ref("$e", ROOM) == (ROOM, "$e")
