"""Reading rooms on the recorded payloads: edits and redactions folded in, long polls, new rooms, gaps, faults."""

from __future__ import annotations

import json

import httpx
import pytest

from federe.connectors import registry
from federe.connectors.errors import Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.matrix.connector import device_id
from federe.connectors.types import NetworkStatus, OutgoingReply
from tests.connectors.matrix.conftest import load
from tests.connectors.matrix.kit import FIRST, HOST, INITIAL, KIT, ROOM, C, FakeHomeserver, network

MESSAGES = [e for e in INITIAL["rooms"]["join"][ROOM]["timeline"]["events"] if e["type"] == "m.room.message"]
REPLY, SPAM = MESSAGES[1], MESSAGES[4]


def by_id(batch):
    return {item.external_id.split("|", 1)[1]: item for item in batch.items}


def test_the_first_sync_folds_an_edit_into_its_message():
    with network():
        batch = KIT.build().fetch(None)
    items = by_id(batch)
    assert len(batch.items) == 4 and not batch.malformed and not batch.has_more
    edited = items[REPLY["event_id"]]
    assert edited.body_html == "<p>Et le lundi matin ?</p>" and edited.edited_at is not None
    assert edited.created_at < edited.edited_at  # the reply's own date, not the edit's
    assert batch.cursor["since"] == INITIAL["next_batch"] and batch.cursor["rooms"] == [ROOM]
    assert batch.cursor["names"] == {ROOM: "Café Lumière"}


def test_the_next_sync_long_polls_and_brings_the_redaction_and_the_new_message():
    fake = FakeHomeserver(incremental=load("sync_incremental.json"))
    with network(fake):
        first = KIT.build().fetch(None)
        second = KIT.build().fetch(json.loads(json.dumps(first.cursor)))
    assert fake.syncs[0]["timeout"] == "0" and fake.syncs[1]["timeout"] == "25000"
    assert fake.syncs[1]["since"] == INITIAL["next_batch"]
    assert json.loads(fake.syncs[1]["filter"])["room"]["rooms"] == [ROOM]
    items = by_id(second)
    assert set(items) == {SPAM["event_id"], load("event_later.json")["event_id"]}
    removed = items[SPAM["event_id"]]
    assert removed.status == NetworkStatus.REMOVED and removed.body_html == ""
    assert removed.author.external_id == SPAM["sender"]
    assert second.cursor["since"] == load("sync_incremental.json")["next_batch"]


def test_a_room_chosen_later_gets_a_first_sync_of_its_own_and_nothing_is_skipped():
    other = "!other:localhost"
    fake = FakeHomeserver()
    with network(fake) as router:
        router.get(f"{C}/joined_rooms").respond(200, json={"joined_rooms": [ROOM, other]})
        router.get(f"{C}/rooms/{other}/state/m.room.create/").respond(200, json={"room_version": "10"})
        first = KIT.build().fetch(None)
        KIT.build({"targets": [ROOM, other]}).fetch(first.cursor)
    incremental, initial = fake.syncs[1], fake.syncs[2]
    assert json.loads(incremental["filter"])["room"]["rooms"] == [ROOM] and incremental["timeout"] == "0"
    assert "since" not in initial and json.loads(initial["filter"])["room"]["rooms"] == [other]


def test_a_space_stands_for_its_joined_rooms():
    space, child, not_joined = "!space:localhost", "!child:localhost", "!elsewhere:localhost"
    fake = FakeHomeserver()
    with network(fake) as router:
        router.get(f"{C}/joined_rooms").respond(200, json={"joined_rooms": [space, child]})
        router.get(f"{C}/rooms/{space}/state/m.room.create/").respond(200, json={"type": "m.space"})
        children = [
            {"type": "m.space.child", "state_key": key, "content": {"via": ["localhost"]}}
            for key in (child, not_joined)
        ]
        router.get(f"{C}/rooms/{space}/state").respond(200, json=children)
        batch = KIT.build({"targets": [space]}).fetch(None)
    assert batch.cursor["rooms"] == [child] and json.loads(fake.syncs[0]["filter"])["room"]["rooms"] == [child]


def test_a_cut_timeline_is_filled_from_the_previous_token():
    incremental = load("sync_incremental.json")
    incremental["rooms"]["join"][ROOM]["timeline"]["limited"] = True
    missed = {**MESSAGES[0], "event_id": "$missed", "content": {"msgtype": "m.text", "body": "entre deux"}}
    with network(FakeHomeserver(incremental=incremental)) as router:
        gap = router.get(f"{C}/rooms/{ROOM}/messages").respond(200, json={"chunk": [missed], "end": "t2"})
        first = KIT.build().fetch(None)
        second = KIT.build().fetch(first.cursor)
    assert gap.calls[0].request.url.params["from"] == INITIAL["next_batch"]
    assert gap.calls[0].request.url.params["dir"] == "f"
    assert "$missed" in by_id(second)


def test_no_room_chosen_says_so():
    with network(), pytest.raises(Permanent, match="Choose the rooms"):
        KIT.build({"targets": []}).fetch(None)


def test_a_recorded_429_waits_as_long_as_the_homeserver_says(dns):
    limited = load("error_429_limit_exceeded.json")
    with network() as router:
        router.get(f"{C}/joined_rooms").respond(429, json=limited)
        with pytest.raises(RateLimited) as caught:
            KIT.build().fetch(None)
    assert caught.value.retry_after == 3600  # 86399919 ms, capped at an hour
    with network() as router:
        router.get(f"{C}/joined_rooms").respond(429, json={**limited, "retry_after_ms": 1500})
        with pytest.raises(RateLimited) as caught:
            KIT.build().fetch(None)
    assert caught.value.retry_after == 1.5


def test_a_wrong_token_asks_for_new_credentials():
    with network() as router:
        router.get(f"{C}/joined_rooms").respond(401, json=load("error_401_unknown_token.json"))
        with pytest.raises(Unauthorized, match="M_UNKNOWN_TOKEN"):
            KIT.build().fetch(None)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(200, json={"rooms": {}}), Permanent),  # no next_batch
        (httpx.Response(200, json=["not", "an", "object"]), Transient),
        (httpx.Response(200, text="<html>proxy</html>"), Transient),
    ],
)
def test_a_malformed_sync_answer_is_an_error_and_the_cursor_stays(answer, error):
    with network() as router:
        router.get(f"{C}/sync").mock(return_value=answer)
        with pytest.raises(error):
            KIT.build().fetch(None)


def test_a_room_event_that_makes_no_sense_is_reported_and_the_rest_is_read():
    broken = load("sync_initial.json")
    broken["rooms"]["join"][ROOM]["timeline"]["events"].append({"type": "m.room.message", "event_id": "$x"})
    with network() as router:
        router.get(f"{C}/sync").respond(200, json=broken)
        batch = KIT.build().fetch(None)
    assert len(batch.items) == 4 and len(batch.malformed) == 1


def test_a_password_login_keeps_one_device_and_stores_its_token():
    credentials = {"user": "@brand:localhost", "password": "pw-not-shown"}
    with network() as router:
        login = router.post(f"{C}/login").respond(
            200,
            json={
                "access_token": "syt_new",
                "device_id": device_id(f"https://{HOST}", "@brand:localhost"),
                "user_id": "@brand:localhost",
            },
        )
        connector = registry.build("matrix", config=KIT.config, credentials=credentials)
        connector.check()
    sent = json.loads(login.calls[0].request.content)
    assert sent["device_id"] == device_id(f"https://{HOST}", "@brand:localhost")
    assert credentials["access_token"] == "syt_new" and credentials["device_id"] == sent["device_id"]
    assert "pw-not-shown" not in repr(connector) and "syt_new" not in repr(connector.client)


def test_a_reply_to_a_thread_message_stays_in_its_thread_and_its_txn_comes_from_the_key():
    thread = MESSAGES[2]
    with network() as router:
        router.get(f"{C}/rooms/{ROOM}/event/{thread['event_id']}").respond(200, json=thread)
        send = router.put(path__startswith=f"{C}/rooms/{ROOM}/send/m.room.message/").respond(
            200, json=load("sent.json")
        )
        KIT.build().reply(OutgoingReply(ROOM, f"{ROOM}|{thread['event_id']}", "<p>Oui</p>", "key-1"))
        KIT.build().reply(OutgoingReply(ROOM, f"{ROOM}|{thread['event_id']}", "<p>Oui</p>", "key-1"))
        KIT.build().reply(OutgoingReply(ROOM, f"{ROOM}|{FIRST}", "<p>Oui</p>", "key-2"))
    first, again, plain = (call.request for call in send.calls)
    assert first.url.path == again.url.path != plain.url.path  # same key, same transaction id
    relates = json.loads(first.content)["m.relates_to"]
    assert relates == {
        "rel_type": "m.thread",
        "event_id": FIRST,
        "is_falling_back": False,
        "m.in_reply_to": {"event_id": thread["event_id"]},
    }
    assert json.loads(plain.content)["m.relates_to"] == {"m.in_reply_to": {"event_id": FIRST}}
