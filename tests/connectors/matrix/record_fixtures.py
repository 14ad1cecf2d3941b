"""Record the payloads in fixtures/ from a REAL Synapse (../shared/peers/synapse), tokens scrubbed.

    ../shared/peers/synapse/synapse-ci.sh start
    .venv/bin/python tests/connectors/matrix/record_fixtures.py

A member (registered with the shared secret) writes in a room the admin created: a message, a reply, a thread
message, an edit, a redacted message. The admin's first sync, an incremental sync and the single-event reads are
saved. Room and event ids are the real ones; access tokens never reach the files (they are only in headers, and
``transaction_id`` is dropped).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from federe.connectors.matrix.connector import txn_id

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.peers import env_file, read_env_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PEER = Path(__file__).resolve().parents[4] / "shared" / "peers" / "synapse" / "synapse-ci.sh"
C = "/_matrix/client/v3"


def scrub(value):
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if k not in ("transaction_id", "access_token", "age")}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def save(name: str, payload) -> None:
    (FIXTURES / name).write_text(json.dumps(scrub(payload), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    env = read_env_file(env_file("synapse"))
    url, admin_token = env["MATRIX_URL"], env["MATRIX_ADMIN_TOKEN"]
    run = uuid.uuid4().hex[:6]
    member = f"record-{run}"
    token = subprocess.run(
        [str(PEER), "register", member, "member-pass-123"], capture_output=True, text=True, check=True
    ).stdout.strip()
    admin = httpx.Client(base_url=url + C, headers={"Authorization": f"Bearer {admin_token}"}, trust_env=False)
    user = httpx.Client(base_url=url + C, headers={"Authorization": f"Bearer {token}"}, trust_env=False)
    room = admin.post("/createRoom", json={"name": "Café Lumière", "preset": "public_chat"}).json()["room_id"]
    user.post(f"/join/{room}").raise_for_status()
    user.put(f"/profile/@{member}:localhost/displayname", json={"displayname": "Camille"})
    save("joined_rooms.json", {"joined_rooms": [room]})
    flt = {"room": {"rooms": [room], "timeline": {"limit": 100}}, "presence": {"not_types": ["*"]}}

    sent = [0]

    def send(who, content):
        sent[0] += 1
        return who.put(f"/rooms/{room}/send/m.room.message/rec{run}{sent[0]}", json=content).json()["event_id"]

    first = send(user, {"msgtype": "m.text", "body": "Bonjour, vous ouvrez dimanche ?"})
    reply = send(
        user,
        {
            "msgtype": "m.text",
            "body": "> <@admin:localhost> hi\n\nEt le lundi ?",
            "format": "org.matrix.custom.html",
            "formatted_body": "<mx-reply><blockquote>hi</blockquote></mx-reply>Et le <b>lundi</b> ?",
            "m.relates_to": {"m.in_reply_to": {"event_id": first}},
        },
    )
    send(
        user,
        {
            "msgtype": "m.text",
            "body": "Dans le fil",
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": first,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": first},
            },
        },
    )
    send(
        user,
        {
            "msgtype": "m.text",
            "body": "* Et le lundi matin ?",
            "m.new_content": {"msgtype": "m.text", "body": "Et le lundi matin ?"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": reply},
        },
    )
    spam = send(user, {"msgtype": "m.text", "body": "casino gratuit"})
    initial = admin.get("/sync", params={"filter": json.dumps(flt), "timeout": 0}).json()
    save("sync_initial.json", initial)
    admin.put(f"/rooms/{room}/redact/{spam}/rec{run}r", json={"reason": "spam"}).raise_for_status()
    later = send(user, {"msgtype": "m.emote", "body": "salue tout le monde"})
    save(
        "sync_incremental.json",
        admin.get("/sync", params={"filter": json.dumps(flt), "timeout": 0, "since": initial["next_batch"]}).json(),
    )
    save("event_redacted.json", admin.get(f"/rooms/{room}/event/{spam}").json())
    save("event_first.json", admin.get(f"/rooms/{room}/event/{first}").json())
    save("event_later.json", admin.get(f"/rooms/{room}/event/{later}").json())
    save("state_name.json", admin.get(f"/rooms/{room}/state/m.room.name/").json())
    save("state_create.json", admin.get(f"/rooms/{room}/state/m.room.create/").json())
    save("joined_members.json", admin.get(f"/rooms/{room}/joined_members").json())
    save("member_join.json", admin.get(f"/rooms/{room}/state/m.room.member/@{member}:localhost").json())
    save("whoami.json", admin.get("/account/whoami").json())
    save("sent.json", {"event_id": later})
    # An announcement sent as Fédère sends it (txnId from the key "recorded-delivery"), read back by the sending
    # device, in a room of its own: its transaction id is kept (find_published looks for it), the tokens are not.
    own = admin.post("/createRoom", json={"name": "Annonces"}).json()["room_id"]
    txn = txn_id("post", "recorded-delivery")
    admin.put(f"/rooms/{own}/send/m.room.message/{txn}", json={"msgtype": "m.text", "body": "Annonce"})
    latest = json.dumps(admin.get(f"/rooms/{own}/messages", params={"dir": "b", "limit": 100}).json(), indent=1)
    assert admin_token not in latest and token not in latest
    (FIXTURES / "messages_latest.json").write_text(latest + "\n", encoding="utf-8")
    unknown = httpx.get(url + C + "/account/whoami", headers={"Authorization": "Bearer nope"}, trust_env=False)
    save("error_401_unknown_token.json", unknown.json())
    save("error_403_forbidden.json", user.post(f"/rooms/{room}/ban", json={"user_id": "@admin:localhost"}).json())
    print(f"recorded room {room} with member @{member}:localhost into {FIXTURES}")


if __name__ == "__main__":
    main()
