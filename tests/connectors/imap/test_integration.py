"""The IMAP connector against a REAL Dovecot 2.3.19.1 and its SMTP submission (../shared/peers/imap), through
Fédère's services.

../shared/peers/imap/imap-ci.sh start        # or let the imap_env fixture read its env file
FEDERE_ENV=test .venv/bin/pytest -q -p no:randomly -m peers tests/connectors/imap
"""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest
from django.core.exceptions import ValidationError

from federe.connections.models import Connection, SyncRun
from federe.connections.runtime import connector_for
from federe.connections.services import create_connection, sync_connection
from federe.connectors import registry
from federe.connectors.errors import Permanent, Transient
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus, OutgoingReply
from federe.inbox.models import Message, ReplyState
from federe.inbox.services import send_reply
from federe.moderation.services import decide
from tests.connectors.imap.conftest import Mailbox, Member, until
from tests.tls_front import tls_front

pytestmark = [pytest.mark.peers, pytest.mark.django_db]


def config(env: dict[str, str], **extra) -> dict:
    return {
        "imap_host": env["IMAP_HOST"],
        "imap_port": env["IMAP_PORT"],
        "security": "auto",  # the peer offers no STARTTLS: plain, on loopback
        "user": env["IMAP_USER"],
        "smtp_port": env["SMTP_PORT"],
        "from_name": "L'équipe",
        "long_poll_seconds": 0,
        **extra,
    }


def connect(workspace, owner, env: dict[str, str], **extra) -> Connection:
    """A channel on the community's mailbox, made as the channels page makes it (its check runs first)."""
    return create_connection(
        workspace=workspace,
        network="imap",
        name=f"Support {uuid.uuid4().hex[:6]}",
        config=config(env, **extra),
        credentials={"password": env["IMAP_PASSWORD"]},
        by=owner,
    )


@pytest.fixture
def channel(workspace, owner, imap_env, settings) -> Connection:
    settings.FEDERE_SYNC_MAX_PAGES = 1000
    return connect(workspace, owner, imap_env)


def sync(connection: Connection):
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == "", outcome and outcome.run.error
    return outcome


def arrived(community: Mailbox, message_id: str, folder: str = "INBOX") -> None:
    until(lambda: community.messages(folder, message_id), what=f"{message_id} in {folder}")


def test_a_members_mail_is_ingested_once(channel, member: Member, community):
    message_id = member.write("Horaires ?", "Le local ouvre à quelle heure ?")
    arrived(community, message_id)
    sync(channel)
    stored = Message.objects.get(connection=channel, external_id=message_id)
    assert "quelle heure" in stored.body_text and stored.author.email == member.address
    assert stored.conversation.title == "Horaires ?"
    assert sync(channel).stats.stored == 0  # nothing new: nothing handed over twice
    assert Message.objects.filter(connection=channel, external_id=message_id).count() == 1
    assert not community.seen("INBOX", message_id)  # read with BODY.PEEK: still unread for the team's mail reader


def test_a_reply_reaches_the_member_once_threaded_and_a_retry_sends_nothing(channel, member, community, owner):
    first = member.write("Atelier vélo", "On peut venir samedi ?")
    arrived(community, first)
    follow = member.write(
        "Re: Atelier vélo", "Et dimanche ?", headers=f"In-Reply-To: <{first}>\r\nReferences: <{first}>\r\n"
    )
    arrived(community, follow)
    sync(channel)
    asked = Message.objects.get(connection=channel, external_id=follow)
    assert asked.parent_external_id == first and asked.conversation.external_id == first

    reply = send_reply(conversation=asked.conversation, text="Oui, dès 10 h !", by=owner, in_reply_to=asked)
    assert reply.state == ReplyState.SENT, reply.error
    sent_id = reply.sent_message.external_id
    copies = until(lambda: member.mailbox.messages("INBOX", sent_id), what="the reply in the member's INBOX")
    assert len(copies) == 1
    assert copies[0]["In-Reply-To"] == f"<{follow}>"
    assert copies[0]["References"].split() == [f"<{first}>", f"<{follow}>"]
    assert copies[0]["Subject"] == "Re: Atelier vélo" and "dès 10 h" in copies[0].get_content()
    assert len(community.messages("Sent", sent_id)) == 1  # the copy a retry looks for

    # A retry (the worker died before recording the send) finds the reply in Sent: nothing is sent again.
    again = OutgoingReply(asked.conversation.external_id, asked.external_id, "<p>Oui, dès 10 h !</p>", uuid.uuid4().hex)
    one = connector_for(channel).reply(again)
    until(lambda: member.mailbox.messages("INBOX", one.external_id), what="the second reply delivered")
    assert connector_for(channel).reply(again).external_id == one.external_id
    time.sleep(1)  # a second copy would be delivered by now (the first took well under a second)
    assert len(member.mailbox.messages("INBOX", one.external_id)) == 1


def test_spam_and_archive_move_the_message_on_the_server(channel, member, community, owner):
    message_id = member.write("Offre", "Achetez !")
    arrived(community, message_id)
    sync(channel)
    stored = Message.objects.get(connection=channel, external_id=message_id)
    (decision,) = decide(messages=[stored], action="spam", by=owner)  # as a moderator does from the inbox
    assert decision.network_state == "done" and decision.network_detail == "Moved to the folder Spam."
    stored.refresh_from_db()
    assert stored.network_status == NetworkStatus.SPAM
    assert community.messages("Spam", message_id) and not community.messages("INBOX", message_id)
    act = connector_for(channel).act
    assert (
        act(ModerationAction(ActionKind.SPAM, external_id=message_id)).detail == "Already in the folder Spam."
    )  # idempotent

    assert act(ModerationAction(ActionKind.RESTORE, external_id=message_id)).detail == "Moved to the folder INBOX."
    assert community.messages("INBOX", message_id) and not community.messages("Spam", message_id)
    archived = act(ModerationAction(ActionKind.REMOVE, external_id=message_id)).detail
    assert archived in (
        "Moved to the folder Archive, created for it.",
        "Moved to the folder Archive.",
    )  # created once per mailbox
    assert "Archive" in community.folders() and community.messages("Archive", message_id)
    sync(channel)  # the restored copy had a new UID: read again, stored once
    assert Message.objects.filter(connection=channel, external_id=message_id).count() == 1


def raw_mail(message_id: str, subject: str) -> bytes:
    return (
        f"From: Alice <alice@example.com>\r\nTo: support@localhost\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\n\r\nBonjour\r\n"
    ).encode()


def test_a_recreated_folder_new_uidvalidity_is_read_again_without_duplicates(
    workspace, owner, imap_env, community, folder
):
    old = [f"{uuid.uuid4().hex}@example.com" for _ in range(2)]
    for message_id in old:
        community.append(folder, raw_mail(message_id, "Avant"))
    channel = connect(workspace, owner, imap_env, targets=[folder])
    assert sync(channel).stats.stored == 2
    before = Connection.objects.get(pk=channel.pk).cursor["folders"][folder]

    imap = community.session()
    assert imap.delete(f'"{folder}"')[0] == "OK"
    imap.logout()
    time.sleep(1)  # Dovecot's UIDVALIDITY is a time in seconds
    new = f"{uuid.uuid4().hex}@example.com"
    for message_id in [*old, new]:
        community.append(folder, raw_mail(message_id, "Après"))
    outcome = sync(channel)
    after = Connection.objects.get(pk=channel.pk).cursor["folders"][folder]
    assert after["uidvalidity"] != before["uidvalidity"]
    assert outcome.stats.stored == 1  # the two read before are the same items (by Message-ID)
    assert Message.objects.filter(connection=channel).count() == 3
    assert sync(channel).stats.stored == 0


def test_malformed_mail_is_counted_and_the_rest_stored(workspace, owner, imap_env, community, folder):
    good = f"{uuid.uuid4().hex}@example.com"
    community.append(folder, b"Subject: no sender\r\nMessage-ID: <nobody@example.com>\r\n\r\nwho?\r\n")
    community.append(folder, b"From: bob@example.com\r\nSubject: no id\r\n\r\nsans identifiant\r\n")
    community.append(
        folder,
        b"From: =?x-unknown?q?=FF?= <carol@example.com>\r\nSubject: =?utf-8?b?!!!?=\r\nMessage-ID: <broken@x>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%\r\n",
    )
    community.append(folder, raw_mail(good, "Normal"))
    channel = connect(workspace, owner, imap_env, targets=[folder])
    outcome = sync(channel)
    assert outcome.run.malformed == 1  # no sender: cannot be answered, counted
    stored = set(Message.objects.filter(connection=channel).values_list("external_id", flat=True))
    assert good in stored and "broken@x" in stored
    assert any(external_id.startswith("federe.no-id.") for external_id in stored)  # an id of its own, stable
    assert sync(channel).stats.stored == 0


def test_idle_wakes_the_sync_when_mail_arrives(workspace, owner, imap_env, member, community):
    password = {"password": imap_env["IMAP_PASSWORD"]}
    quiet = registry.build("imap", config=config(imap_env), credentials=password).fetch(None)
    while quiet.has_more:
        quiet = registry.build("imap", config=config(imap_env), credentials=password).fetch(quiet.cursor)
    connector = registry.build("imap", config=config(imap_env, long_poll_seconds=30), credentials=password)
    sent: list[str] = []
    writer = threading.Timer(1.5, lambda: sent.append(member.write("Pendant IDLE", "Vous êtes là ?")))
    writer.start()
    try:
        woke = connector.fetch(quiet.cursor)  # waits in IDLE; Dovecot reports EXISTS as the mail arrives
    finally:
        writer.join()
    assert sent and [item.external_id for item in woke.items] == sent


@pytest.mark.django_db(transaction=True)
def test_a_sync_waits_in_idle_and_stores_the_mail_as_it_arrives(workspace, owner, imap_env, member, settings):
    settings.FEDERE_SYNC_MAX_PAGES = 1000
    channel = connect(workspace, owner, imap_env, long_poll_seconds=20)
    sync(channel)  # everything already there
    sent: list[str] = []
    writer = threading.Timer(1.5, lambda: sent.append(member.write("Pendant la synchro", "Bonjour !")))
    writer.start()
    try:
        outcome = sync(channel)  # nothing new: the fetch waits in IDLE until Dovecot reports the mail
    finally:
        writer.join()
    assert outcome.stats.stored == 1
    assert Message.objects.filter(connection=channel, external_id=sent[0]).exists()


def test_a_wrong_password_is_refused_in_plain_words(workspace, owner, imap_env):
    with pytest.raises(ValidationError) as caught:
        create_connection(
            workspace=workspace,
            network="imap",
            name="Support",
            config=config(imap_env),
            credentials={"password": "not-the-password"},
            by=owner,
        )
    assert "refused the user name or password" in caught.value.message_dict["credentials"][0]
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_starttls_required_but_not_offered_is_refused_in_words(imap_env):
    strict = registry.build(
        "imap", config=config(imap_env, security="starttls"), credentials={"password": imap_env["IMAP_PASSWORD"]}
    )
    with pytest.raises(Permanent, match="offers no secure connection"):
        strict.fetch(None)


class DroppingProxy:
    """A TCP relay to the real Dovecot that cuts the connection once the server starts sending a message body:
    the server going away in the middle of a sync."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, cut: bool) -> None:
        try:
            while data := source.recv(65536):
                if cut and b"BODY[]" in data:
                    sink.sendall(data[: data.index(b"BODY[]")])
                    break
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
                end.close()
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()


def test_a_server_gone_mid_sync_is_a_clear_error_and_nothing_is_half_stored(channel, imap_env, member, community):
    message_id = member.write("Coupure", "Le serveur s'arrête pendant la lecture")
    arrived(community, message_id)
    proxy = DroppingProxy(imap_env["IMAP_HOST"], int(imap_env["IMAP_PORT"]))
    try:
        Connection.objects.filter(pk=channel.pk).update(config={**channel.config, "imap_port": proxy.port})
        outcome = sync_connection(channel.pk, worker_id="test")
    finally:
        proxy.close()
    assert outcome is not None and "did not answer" in outcome.run.error
    assert not Message.objects.filter(connection=channel).exists()
    assert Connection.objects.get(pk=channel.pk).cursor in (None, {})
    assert SyncRun.objects.filter(connection=channel).count() == 1


def test_a_stopped_server_is_a_transient_error(imap_env):
    stopped = registry.build(
        "imap", config={"imap_host": "127.0.0.1", "imap_port": 9, "user": "x@localhost"}, credentials={}
    )
    with pytest.raises(Transient, match="did not answer"):
        stopped.fetch(None)


def test_the_spam_folder_is_read_as_spam(workspace, owner, imap_env, community):
    spam = imap_env["IMAP_SPAM_FOLDER"]
    message_id = f"{uuid.uuid4().hex}@example.com"
    community.append(spam, raw_mail(message_id, "Pilules"))
    connector = registry.build(
        "imap", config=config(imap_env, targets=[spam]), credentials={"password": imap_env["IMAP_PASSWORD"]}
    )
    batch = connector.fetch(None)
    items = list(batch.items)
    while batch.has_more:
        batch = connector.fetch(batch.cursor)
        items += batch.items
    found = [item for item in items if item.external_id == message_id]
    assert found and found[0].status == NetworkStatus.SPAM


def test_mail_is_read_and_replies_sent_over_tls_where_the_ports_speak_it(
    workspace, owner, imap_env, member, community, tmp_path, monkeypatch
):
    """The peer speaks plain text: TLS fronts (tests/tls_front.py) stand for a server's ports 993 and 465."""
    imap_port, smtp_port = int(imap_env["IMAP_PORT"]), int(imap_env["SMTP_PORT"])
    with (
        tls_front(imap_env["IMAP_HOST"], imap_port, tmp_path) as imaps,
        tls_front(imap_env["SMTP_HOST"], smtp_port, tmp_path) as smtps,
    ):
        monkeypatch.setenv("SSL_CERT_FILE", str(imaps.ca_file))
        channel = connect(workspace, owner, imap_env, security="tls", imap_port=imaps.port, smtp_port=smtps.port)
        asked = member.write("En TLS ?", "Vous lisez en chiffré ?")
        arrived(community, asked)
        sync(channel)
        question = Message.objects.get(connection=channel, external_id=asked)
        reply = send_reply(conversation=question.conversation, text="Oui.", by=owner, in_reply_to=question)
        assert reply.state == ReplyState.SENT, reply.error
        monkeypatch.delenv("SSL_CERT_FILE")  # the authority is no longer trusted: said in words
        with pytest.raises(Permanent, match="no known authority signed its certificate"):
            connector_for(channel).fetch(None)
