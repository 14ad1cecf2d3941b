"""Matrix's kit for the contract suite: a homeserver served from the payloads recorded on Synapse (fixtures/)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import respx

from federe.connectors.capabilities import Capability
from federe.connectors.types import ActionKind, ModerationAction, OutgoingPost, OutgoingReply
from tests.connectors.contract import Kit, http_failures, public_dns
from tests.connectors.matrix.conftest import load, room_of

HOST = "matrix.example.org"
C = "/_matrix/client/v3"
INITIAL = load("sync_initial.json")
ROOM = room_of(INITIAL)
FIRST = load("event_first.json")["event_id"]
LATER = load("event_later.json")
MEMBER = LATER["sender"]


class FakeHomeserver:
    """``/sync`` as Synapse answered it: the first sync without ``since``, then ``incremental`` once, then nothing."""

    def __init__(self, incremental: dict[str, Any] | None = None) -> None:
        self.incremental = incremental
        self.syncs: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.syncs.append(params)
        since = params.get("since", "")
        if not since:
            return httpx.Response(200, json=load("sync_initial.json"))
        if self.incremental is not None and since == INITIAL["next_batch"]:
            return httpx.Response(200, json=self.incremental)
        return httpx.Response(200, json={"next_batch": since, "rooms": {}})


@contextmanager
def network(homeserver: FakeHomeserver | None = None) -> Iterator[respx.MockRouter]:
    fake = homeserver or FakeHomeserver()
    with public_dns(HOST), respx.mock(base_url=f"https://{HOST}", assert_all_called=False) as router:
        router.get(f"{C}/sync").mock(side_effect=fake)
        router.get(f"{C}/account/whoami").respond(200, json=load("whoami.json"))
        router.get(f"{C}/joined_rooms").respond(200, json=load("joined_rooms.json"))
        router.get(f"{C}/rooms/{ROOM}/state/m.room.name/").respond(200, json=load("state_name.json"))
        router.get(f"{C}/rooms/{ROOM}/state/m.room.create/").respond(200, json=load("state_create.json"))
        router.get(f"{C}/rooms/{ROOM}/joined_members").respond(200, json=load("joined_members.json"))
        router.get(f"{C}/rooms/{ROOM}/event/{FIRST}").respond(200, json=load("event_first.json"))
        router.get(f"{C}/rooms/{ROOM}/event/{LATER['event_id']}").respond(200, json=load("event_later.json"))
        redacted = load("event_redacted.json")
        router.get(f"{C}/rooms/{ROOM}/event/{redacted['event_id']}").respond(200, json=redacted)
        router.put(path__startswith=f"{C}/rooms/{ROOM}/send/m.room.message/").respond(200, json=load("sent.json"))
        router.put(path__startswith=f"{C}/rooms/{ROOM}/redact/").respond(200, json={"event_id": "$redaction"})
        router.get(f"{C}/rooms/{ROOM}/state/m.room.member/{MEMBER}").respond(200, json=load("member_join.json"))
        for verb in ("kick", "ban", "unban"):
            router.post(f"{C}/rooms/{ROOM}/{verb}").respond(200, json={})
        router.get("/_synapse/admin/v1/users/@admin:localhost/admin").respond(200, json={"admin": True})
        router.get(f"/_synapse/admin/v2/users/{MEMBER}").respond(200, json={"name": MEMBER, "deactivated": False})
        router.post(f"/_synapse/admin/v1/deactivate/{MEMBER}").respond(200, json={"id_server_unbind_result": "success"})
        yield router


def _act(kind: ActionKind, event_id: str = LATER["event_id"]) -> Any:
    return lambda c: c.act(ModerationAction(kind, external_id=f"{ROOM}|{event_id}", author_id=MEMBER))


KIT = Kit(
    "matrix",
    config={"homeserver": f"https://{HOST}", "targets": [ROOM]},
    credentials={"access_token": "syt_kit_secret_token_0123456789"},
    network=network,
    calls={
        Capability.REPLY: lambda c: c.reply(OutgoingReply(ROOM, f"{ROOM}|{FIRST}", "<p>Merci</p>", "k1")),
        Capability.PUBLISH: lambda c: c.publish(OutgoingPost("<p>Annonce</p>", "post-1", body_text="Annonce")),
        Capability.MODERATE: _act(ActionKind.REMOVE),
    },
    actions={kind: _act(kind) for kind in (ActionKind.REMOVE, ActionKind.KICK, ActionKind.BAN, ActionKind.UNBAN)}
    | {ActionKind.SUSPEND: _act(ActionKind.SUSPEND)},
)
KIT.failures = http_failures(KIT.build, HOST)
