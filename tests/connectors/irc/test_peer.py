"""The IRC connector against a REAL ngIRCd (../shared/peers/irc), through Fédère's own services.

../shared/peers/irc/irc-ci.sh start     # irc_env reads its env file
FEDERE_ENV=test .venv/bin/pytest -q -m peers tests/connectors/irc

Each test uses a channel and nicks of its own. The fault test starts a second ngIRCd of its own (the peer's script,
another port and state dir), which it stops and starts again.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError

from federe.connections.models import Connection
from federe.connections.runtime import connector_for
from federe.connections.services import create_connection, sync_connection
from federe.connectors.errors import Permanent
from federe.connectors.types import ActionKind, ModerationAction
from federe.inbox.models import Conversation, Message, ReplyState
from federe.inbox.services import send_reply
from tests.connectors.irc.peer import Raw, irc_env, own_server
from tests.tls_front import tls_front

pytestmark = [pytest.mark.peers, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env():
    return irc_env()


@pytest.fixture
def run_id():
    return uuid.uuid4().hex[:6]


@pytest.fixture(autouse=True)
def spool_dir(settings, tmp_path):
    settings.FEDERE_IRC_SPOOL_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def channel(workspace, owner, env, run_id) -> Connection:
    return make_channel(workspace, owner, env, run_id)


def make_channel(workspace, owner, env, run_id, **config) -> Connection:
    return create_connection(
        workspace=workspace,
        network="irc",
        name=f"IRC {run_id}",
        config={
            "host": env["IRC_HOST"],
            "port": env["IRC_PORT"],
            "nick": f"fed{run_id}",
            "channels": f"#c{run_id}",
            "oper_name": env["IRC_OPER_NAME"],
            **config,
        },
        credentials={"oper_password": env["IRC_OPER_PASSWORD"]},
        by=owner,
    )


@contextmanager
def bot(connection: Connection) -> Iterator[threading.Thread]:
    """The worker's live connection for this channel, as the worker runs it (connector.listen in a thread)."""
    stop = threading.Event()
    thread = threading.Thread(target=connector_for(connection).listen, args=(stop,), daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(10)
        assert not thread.is_alive()


def spooled(connection: Connection, count: int, seconds: float = 15) -> None:
    spool = connector_for(connection).spool  # type: ignore[attr-defined]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if sum(entry["kind"] == "message" for entry, _end in spool.read_after(0)) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"the bot did not spool {count} messages")


def bot_is_in(raw: Raw, channel: str, nick: str, seconds: float = 15) -> None:
    """Asks NAMES until the bot is listed (answers still on their way from an earlier ask are read first)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        list(raw.lines(0.3))
        raw.send(f"NAMES {channel}")
        names: list[str] = []
        for command, params in raw.lines(3):
            if command == "353":
                names += params[-1].split()
            if command == "366":
                break
        if nick in (name.lstrip("@+") for name in names):
            return
    raise AssertionError(f"{nick} is not on {channel}")


def said(channel: Connection, raw: Raw, text: str) -> Message:
    """``raw`` joins the channel's room (once the bot is there) and says ``text``; stored by a sync."""
    room = channel.config["channels"]
    bot_is_in(raw, room, channel.config["nick"])
    raw.join(room)
    raw.send(f"PRIVMSG {room} :{text}")
    spooled(channel, 1)
    sync(channel)
    return Message.objects.get(connection=channel)


def sync(connection: Connection):
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == "", outcome and outcome.run.error
    connection.refresh_from_db()
    return outcome


def test_messages_are_stored_once_and_a_restarted_bot_duplicates_nothing(channel, env, run_id):
    alice = Raw(env["IRC_HOST"], int(env["IRC_PORT"]), f"alice{run_id}")
    room = f"#c{run_id}"
    with bot(channel):
        bot_is_in(alice, room, f"fed{run_id}")
        assert alice.join(room) == "JOIN"
        alice.send(*(f"PRIVMSG {room} :bonjour {n}" for n in range(3)))
        spooled(channel, 3)
        assert sync(channel).stats.stored == 3
        assert sync(channel).stats.stored == 0
    time.sleep(1.5)  # the bot is away: what is said now is missed
    alice.send(f"PRIVMSG {room} :personne ?")
    with bot(channel):
        bot_is_in(alice, room, f"fed{run_id}")
        alice.send(f"PRIVMSG {room} :vous êtes revenus")
        spooled(channel, 4)
        assert sync(channel).stats.stored == 1
    texts = sorted(Message.objects.filter(connection=channel).values_list("body_text", flat=True))
    assert texts == ["bonjour 0", "bonjour 1", "bonjour 2", "vous êtes revenus"]
    assert Conversation.objects.filter(connection=channel).count() == 1  # one window of conversation
    gaps = type(connector_for(channel)).missed_periods(channel.cursor)
    assert len(gaps) == 1 and 1 <= (gaps[0][1] - gaps[0][0]).total_seconds() < 30
    alice.close()


def test_a_reply_appears_once_in_the_channel_addressed_to_its_author(channel, owner, env, run_id):
    room, alice = f"#c{run_id}", Raw(env["IRC_HOST"], int(env["IRC_PORT"]), f"alice{run_id}")
    with bot(channel):
        question = said(channel, alice, "vous ouvrez dimanche ?")
        reply = send_reply(
            conversation=question.conversation, text="Oui, de 10 h à 18 h.", by=owner, in_reply_to=question
        )
        assert reply.state == ReplyState.SENT, reply.error
        seen = [params for command, params in alice.lines(4) if command == "PRIVMSG"]
        assert seen == [[room, f"alice{run_id}: Oui, de 10 h à 18 h."]]
        time.sleep(1)
        assert sync(channel).stats.stored == 0  # the reply connection's line is not read back as a message
    alice.close()


def test_kick_ban_and_unban_show_on_the_server_and_quiet_is_refused_in_words(channel, env, run_id):
    room, victim = f"#c{run_id}", Raw(env["IRC_HOST"], int(env["IRC_PORT"]), f"spam{run_id}")
    with bot(channel):
        message = said(channel, victim, "casino gratuit")
        connector = connector_for(channel)

        def act(kind: ActionKind):
            action = ModerationAction(
                kind,
                message.external_id,
                author_id=message.author.external_id,
                thread_id=message.conversation.external_id,
                reason="spam",
            )
            return connector.act(action)

        assert "kicked" in act(ActionKind.KICK).detail
        kicked = victim.wait("KICK")
        assert kicked and kicked[1:3] == [room, f"spam{run_id}"]
        assert "is banned" in act(ActionKind.BAN).detail
        assert "already" in act(ActionKind.BAN).detail
        assert victim.join(room) == "474"  # banned: cannot join again
        assert "no longer" in act(ActionKind.UNBAN).detail
        assert "not banned" in act(ActionKind.UNBAN).detail
        assert victim.join(room) == "JOIN"
        with pytest.raises(Permanent, match="no quiet mode"):
            act(ActionKind.MUTE)
    victim.close()


def test_a_wrong_operator_password_is_refused_in_words(workspace, owner, env, run_id):
    env = {**env, "IRC_OPER_PASSWORD": "not-the-password"}
    with pytest.raises(ValidationError, match="refused the operator name or password"):
        make_channel(workspace, owner, env, run_id)
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_a_server_stopped_mid_sync_leaves_a_gap_and_the_bot_comes_back(workspace, owner, env, run_id):
    port = 16000 + int(run_id, 16) % 1000
    with own_server(port) as server:
        env = {**env, "IRC_PORT": str(port)}
        channel = make_channel(workspace, owner, env, run_id)
        room = f"#c{run_id}"
        with bot(channel):
            alice = Raw("127.0.0.1", port, f"alice{run_id}")
            bot_is_in(alice, room, f"fed{run_id}")
            alice.join(room)
            alice.send(f"PRIVMSG {room} :avant")
            spooled(channel, 1)
            server["stop"]()
            assert sync(channel).stats.stored == 1  # a sync while the server is down reads what was spooled
            time.sleep(2)
            server["start"]()
            alice = Raw("127.0.0.1", port, f"alice{run_id}")
            bot_is_in(alice, room, f"fed{run_id}", seconds=40)  # back after its backoff
            alice.join(room)
            alice.send(f"PRIVMSG {room} :après")
            spooled(channel, 2)
            assert sync(channel).stats.stored == 1
            alice.close()
    gaps = type(connector_for(channel)).missed_periods(channel.cursor)
    assert len(gaps) == 1 and (gaps[0][1] - gaps[0][0]).total_seconds() >= 2
    assert sorted(Message.objects.filter(connection=channel).values_list("body_text", flat=True)) == ["après", "avant"]


def test_the_bot_and_its_replies_speak_tls_where_the_port_does(workspace, owner, env, run_id, tmp_path, monkeypatch):
    """The peer speaks plain text: a TLS front (tests/tls_front.py) stands for a server's port 6697."""
    room, alice = f"#c{run_id}", Raw(env["IRC_HOST"], int(env["IRC_PORT"]), f"alice{run_id}")
    with tls_front(env["IRC_HOST"], int(env["IRC_PORT"]), tmp_path) as front:
        monkeypatch.setenv("SSL_CERT_FILE", str(front.ca_file))
        channel = make_channel(workspace, owner, env, run_id, port=str(front.port), tls="yes")
        with bot(channel):
            question = said(channel, alice, "ça passe en TLS ?")
            reply = send_reply(conversation=question.conversation, text="Oui.", by=owner, in_reply_to=question)
            assert reply.state == ReplyState.SENT, reply.error
            assert [params for command, params in alice.lines(4) if command == "PRIVMSG"] == [
                [room, f"alice{run_id}: Oui."]
            ]
        monkeypatch.delenv("SSL_CERT_FILE")  # the authority is no longer trusted: said in words, nothing stored
        with pytest.raises(ValidationError, match="no known authority signed its certificate"):
            make_channel(workspace, owner, env, f"{run_id}b", port=str(front.port), tls="yes")
    alice.close()
