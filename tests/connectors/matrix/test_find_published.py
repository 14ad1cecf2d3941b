"""find_published on Matrix, from the room's latest events as Synapse shows them to the sending device (recorded:
fixtures/messages_latest.json, one announcement sent with the key "recorded-delivery")."""

from __future__ import annotations

import httpx

from federe.connectors.types import OutgoingPost
from tests.connectors.matrix.conftest import load
from tests.connectors.matrix.kit import KIT, ROOM, C, network

LATEST = load("messages_latest.json")


def announcement(key: str) -> OutgoingPost:
    return OutgoingPost("<p>Annonce</p>", idempotency_key=key, body_text="Annonce")


def serve_latest(router) -> list[dict]:
    asked: list[dict] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        if request.url.params.get("from"):
            return httpx.Response(200, json={"chunk": [], "start": LATEST["end"]})  # the room's beginning
        return httpx.Response(200, json=LATEST)

    router.get(f"{C}/rooms/{ROOM}/messages").mock(side_effect=answer)
    return asked


def test_the_event_an_earlier_attempt_sent_is_found_by_its_transaction_id():
    with network() as router:
        asked = serve_latest(router)
        found = KIT.build().find_published(announcement("recorded-delivery"))
    event = next(e for e in LATEST["chunk"] if e.get("unsigned", {}).get("transaction_id"))
    assert found is not None and found.external_id == f"{ROOM}|{event['event_id']}"
    assert asked[0]["dir"] == "b" and "from" not in asked[0]


def test_another_delivery_is_not_there_after_reading_back_to_the_rooms_beginning():
    with network() as router:
        asked = serve_latest(router)
        assert KIT.build().find_published(announcement("another-delivery")) is None
    assert len(asked) == 2 and asked[1]["from"] == LATEST["end"]
