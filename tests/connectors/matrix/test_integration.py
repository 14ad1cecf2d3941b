"""The Matrix connector against a REAL Synapse (../shared/peers/synapse), through Fédère's own services.

../shared/peers/synapse/synapse-ci.sh start     # the mx_env fixture reads its env file
FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/connectors/matrix

The channel's user is the server admin of the peer; a member registered for each test (with the shared secret, as
a real client would sign up) writes in a room created for the test, with a unique name.
"""

from __future__ import annotations

import subprocess
import threading
import uuid
from pathlib import Path

import httpx
import pytest
from django.core.exceptions import ValidationError

from federe.connections.models import Connection
from federe.connections.runtime import connector_for
from federe.connections.services import create_connection, sync_connection
from federe.connectors.errors import Permanent
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus, OutgoingReply
from federe.core.models import AuditEvent
from federe.inbox.models import Message, ReplyState
from federe.inbox.services import send_reply
from federe.publishing.models import DeliveryState
from tests.publishing.on_peers import killed_after_the_call, publish, schedule_now

pytestmark = [pytest.mark.peers, pytest.mark.django_db]

PEER = Path(__file__).resolve().parents[4] / "shared" / "peers" / "synapse" / "synapse-ci.sh"
C = "/_matrix/client/v3"


def client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url + C, headers={"Authorization": f"Bearer {token}"}, trust_env=False, timeout=30)


def register(name: str, *, admin: bool = False) -> str:
    """A new user on the real server, through the shared-secret API (the peer's own script); its token."""
    args = [str(PEER), "register", name, "member-pass-123", *(["--admin"] if admin else [])]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def run_id():
    return "matrix-" + uuid.uuid4().hex[:8]


@pytest.fixture
def admin(mx_env):
    with client(mx_env["MATRIX_URL"], mx_env["MATRIX_ADMIN_TOKEN"]) as c:
        yield c


@pytest.fixture
def member(mx_env, run_id):
    """A member who writes in the room from a real client session of their own."""
    name = f"{run_id}-camille"
    with client(mx_env["MATRIX_URL"], register(name)) as c:
        c.user_id = f"@{name}:localhost"  # type: ignore[attr-defined]
        yield c


@pytest.fixture
def room(admin, member, run_id):
    """A public room the channel's user (the admin) created, the member joined."""
    created = admin.post("/createRoom", json={"name": f"Salon {run_id}", "preset": "public_chat"})
    assert created.status_code == 200, created.text
    room_id = created.json()["room_id"]
    assert member.post(f"/join/{room_id}").status_code == 200
    return room_id


@pytest.fixture
def channel(workspace, owner, mx_env, room, settings):
    connection = create_connection(
        workspace=workspace,
        network="matrix",
        name="Matrix",
        config={"homeserver": mx_env["MATRIX_URL"], "targets": [room], "long_poll_seconds": 0},
        credentials={"access_token": mx_env["MATRIX_ADMIN_TOKEN"]},
        by=owner,
    )
    sync(connection)
    return connection


def sync(connection: Connection):
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None
    connection.refresh_from_db()
    return outcome


def say(who: httpx.Client, room: str, text: str, **extra) -> str:
    content = {"msgtype": "m.text", "body": text, **extra}
    sent = who.put(f"/rooms/{room}/send/m.room.message/{uuid.uuid4().hex}", json=content)
    assert sent.status_code == 200, sent.text
    return sent.json()["event_id"]


def stored(connection: Connection, room: str, event_id: str) -> Message:
    return Message.objects.get(connection=connection, external_id=f"{room}|{event_id}")


def test_a_members_message_edit_and_redaction_arrive_once(channel, room, member):
    event = say(member, room, "Bonjour, vous ouvrez dimanche ?")
    outcome = sync(channel)
    assert outcome.run.error == "" and outcome.stats.stored >= 1
    message = stored(channel, room, event)
    assert "dimanche" in message.body_text and message.author.external_id == member.user_id
    assert message.conversation.external_id == room and message.conversation.title.startswith("Salon matrix-")
    assert sync(channel).stats.stored == 0
    assert Message.objects.filter(connection=channel, external_id=f"{room}|{event}").count() == 1

    edit = {"m.new_content": {"msgtype": "m.text", "body": "Et lundi ?"}}
    say(member, room, "* Et lundi ?", **edit, **{"m.relates_to": {"rel_type": "m.replace", "event_id": event}})
    sync(channel)
    message.refresh_from_db()
    assert message.body_text == "Et lundi ?" and message.edited_at is not None
    member.put(f"/rooms/{room}/redact/{event}/{uuid.uuid4().hex}", json={}).raise_for_status()
    sync(channel)
    message.refresh_from_db()
    assert message.network_status == NetworkStatus.REMOVED
    assert Message.objects.filter(connection=channel, external_id=f"{room}|{event}").count() == 1


def test_a_long_poll_answers_when_the_member_writes(channel, room, member):
    """The fetch waits on the homeserver (timeout 20 s) and comes back with the message posted meanwhile."""
    connector = connector_for(channel)
    connector.wait_seconds = 20  # type: ignore[attr-defined]
    writer = threading.Timer(1.0, say, args=(member, room, "Quelqu'un ?"))
    writer.start()
    batch = connector.fetch(channel.cursor)
    writer.join()
    assert [item.body_html for item in batch.items] == ["<p>Quelqu&#x27;un ?</p>"]


def test_redacting_from_federe_shows_on_the_server_and_twice_is_once(channel, room, member, admin):
    event = say(member, room, "casino gratuit")
    sync(channel)
    action = ModerationAction(ActionKind.REMOVE, external_id=f"{room}|{event}", reason="spam")
    first = connector_for(channel).act(action)
    on_server = admin.get(f"/rooms/{room}/event/{event}").json()
    assert on_server["content"] == {} and on_server["unsigned"]["redacted_because"]["content"]["reason"] == "spam"
    assert connector_for(channel).act(action).detail == first.detail  # the same redaction event, not a second
    events = admin.get(f"/rooms/{room}/messages", params={"dir": "b", "limit": 50}).json()["chunk"]
    assert len([e for e in events if e["type"] == "m.room.redaction"]) == 1
    sync(channel)
    assert stored(channel, room, event).network_status == NetworkStatus.REMOVED


def test_a_banned_member_cannot_join_until_unbanned(channel, room, member):
    event = say(member, room, "spam spam")
    sync(channel)
    connector = connector_for(channel)

    def act(kind: ActionKind):
        return connector.act(ModerationAction(kind, external_id=f"{room}|{event}", author_id=member.user_id))

    assert act(ActionKind.KICK).detail == "kick"
    assert "already" in act(ActionKind.KICK).detail
    assert member.post(f"/join/{room}").status_code == 200  # a kick lets them back
    assert act(ActionKind.BAN).detail == "ban"
    assert "already" in act(ActionKind.BAN).detail
    refused = member.post(f"/join/{room}")
    assert refused.status_code == 403, refused.text  # Synapse 1.163: M_BAD_STATE, "not allowed to join"
    assert act(ActionKind.UNBAN).detail == "unban"
    assert "already" in act(ActionKind.UNBAN).detail
    assert member.post(f"/join/{room}").status_code == 200


def test_a_reply_sent_twice_with_one_key_appears_once(channel, room, member, admin, owner):
    event = say(member, room, "Vous livrez à Lyon ?")
    sync(channel)
    question = stored(channel, room, event)
    reply = send_reply(conversation=question.conversation, text="Oui, dès lundi !", by=owner, in_reply_to=question)
    assert reply.state == ReplyState.SENT, reply.error
    outgoing = OutgoingReply(room, question.external_id, "<p>Oui, dès lundi !</p>", str(reply.idempotency_key))
    again = connector_for(channel).reply(outgoing)  # the worker died before recording the first answer: retried
    assert again.external_id == reply.sent_message.external_id
    events = admin.get(f"/rooms/{room}/messages", params={"dir": "b", "limit": 50}).json()["chunk"]
    replies = [e for e in events if e["type"] == "m.room.message" and "dès lundi" in e["content"].get("body", "")]
    assert len(replies) == 1
    assert replies[0]["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": event}}
    sync(channel)  # it comes back from the server as the same message
    assert Message.objects.filter(connection=channel, external_id=again.external_id).count() == 1


def test_a_reply_to_a_thread_message_stays_in_the_thread(channel, room, member, admin):
    root = say(member, room, "Fil : horaires")
    inner = say(member, room, "Et le samedi ?", **{"m.relates_to": {"rel_type": "m.thread", "event_id": root}})
    sync(channel)
    sent = connector_for(channel).reply(OutgoingReply(room, f"{room}|{inner}", "<p>10 h</p>", uuid.uuid4().hex))
    on_server = admin.get(f"/rooms/{room}/event/{sent.external_id.split('|')[1]}").json()
    relates = on_server["content"]["m.relates_to"]
    assert relates["rel_type"] == "m.thread" and relates["event_id"] == root
    assert relates["m.in_reply_to"] == {"event_id": inner}


def test_a_password_login_keeps_one_device(workspace, owner, mx_env, room, run_id, admin):
    name = f"{run_id}-brand"
    register(name)
    admin.post(f"/rooms/{room}/invite", json={"user_id": f"@{name}:localhost"}).raise_for_status()
    credentials = {"user": f"@{name}:localhost", "password": "member-pass-123"}
    connection = create_connection(
        workspace=workspace,
        network="matrix",
        name="Matrix login",
        config={"homeserver": mx_env["MATRIX_URL"], "targets": [room], "long_poll_seconds": 0},
        credentials=credentials,
        by=owner,
    )
    kept = connection.credentials
    assert kept["access_token"] and kept["device_id"].startswith("FEDERE")
    connector_for(connection).check()  # uses the stored token: no new login, no new device
    with client(mx_env["MATRIX_URL"], kept["access_token"]) as brand:
        devices = brand.get("/devices").json()["devices"]
    # the registration made one device; the login one more, and only one
    assert [d["device_id"] for d in devices if d["device_id"].startswith("FEDERE")] == [kept["device_id"]]


def test_a_wrong_token_is_refused_in_plain_words(workspace, owner, mx_env, room):
    with pytest.raises(ValidationError) as caught:
        create_connection(
            workspace=workspace,
            network="matrix",
            name="Matrix",
            config={"homeserver": mx_env["MATRIX_URL"], "targets": [room]},
            credentials={"access_token": "syt_wrong"},
            by=owner,
        )
    assert "refused the access token (M_UNKNOWN_TOKEN)" in caught.value.message_dict["credentials"][0]
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_the_rooms_to_follow_are_listed_with_their_members(channel, room):
    targets = {t.id: t for t in connector_for(channel).list_targets()}
    assert targets[room].name.startswith("Salon matrix-") and targets[room].detail == "2 members"


def test_deactivating_needs_an_admin_token(channel, room, member, mx_env, run_id, workspace, owner, admin):
    event = say(member, room, "à désactiver")
    action = ModerationAction(ActionKind.SUSPEND, external_id=f"{room}|{event}", author_id=member.user_id)
    name = f"{run_id}-mod"
    admin.post(f"/rooms/{room}/invite", json={"user_id": f"@{name}:localhost"}).raise_for_status()
    moderator = create_connection(
        workspace=workspace,
        network="matrix",
        name="Matrix moderator",
        config={"homeserver": mx_env["MATRIX_URL"], "targets": [room]},
        credentials={"access_token": register(name)},
        by=owner,
    )
    with pytest.raises(Permanent, match="server administrator"):
        connector_for(moderator).act(action)
    assert connector_for(channel).act(action).detail == "deactivated"
    assert connector_for(channel).act(action).detail == "already deactivated"
    user = admin.get(f"{mx_env['MATRIX_URL']}/_synapse/admin/v2/users/{member.user_id}").json()
    assert user["deactivated"] is True


def test_the_server_stopped_mid_sync_loses_nothing_and_says_so(channel, room, member):
    """The homeserver stops during a long poll (this peer is the Matrix engineer's own, so the test may stop it)."""
    before = say(member, room, "Avant l'arrêt")
    sync(channel)
    cursor = dict(channel.cursor)
    Connection.objects.filter(pk=channel.pk).update(config={**channel.config, "long_poll_seconds": 20})
    channel.refresh_from_db()
    stopper = threading.Timer(1.5, subprocess.run, args=([str(PEER), "stop"],), kwargs={"capture_output": True})
    stopper.start()
    try:
        outcome = sync(channel)  # waits on the homeserver, which goes away meanwhile
        stopper.join()
        assert outcome.run.error and channel.last_error == outcome.run.error and channel.consecutive_failures == 1
        assert channel.cursor == cursor  # kept: the next sync starts where this one did
    finally:
        stopper.join()
        subprocess.run([str(PEER), "start"], check=True, capture_output=True)
    after = say(member, room, "Après le redémarrage")
    Connection.objects.filter(pk=channel.pk).update(config={**channel.config, "long_poll_seconds": 0})
    channel.refresh_from_db()
    assert sync(channel).run.error == ""
    for event in (before, after):
        assert Message.objects.filter(connection=channel, external_id=f"{room}|{event}").count() == 1
    assert channel.last_error == "" and channel.consecutive_failures == 0


@pytest.mark.django_db(transaction=True)
def test_an_announcement_published_by_the_worker_is_one_event_even_when_the_worker_died_after_the_call(
    channel, room, admin, run_id, workspace, owner
):
    """Published once; an unknown outcome is resolved by the event's transaction id, not by sending again."""
    post = schedule_now(workspace, owner, [channel], "", f"Annonce {run_id}")
    (delivery,) = publish(post)
    assert delivery.state == DeliveryState.SENT, delivery.last_error
    killed_after_the_call(delivery)
    (resolved,) = publish(post)
    assert resolved.state == DeliveryState.SENT and resolved.external_id == delivery.external_id
    assert AuditEvent.objects.filter(verb="delivery.resolved").count() == 1
    events = admin.get(f"/rooms/{room}/messages", params={"dir": "b", "limit": 50}).json()["chunk"]
    ours = [e for e in events if e["type"] == "m.room.message" and run_id in e["content"].get("body", "")]
    assert [f"{room}|{e['event_id']}" for e in ours] == [delivery.external_id]
