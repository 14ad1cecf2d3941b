"""The NNTP connector against a REAL INN 2.7.1 (../shared/peers/nntp), through Fédère's services.

../shared/peers/nntp/nntp-ci.sh start       # or let the news_env fixture read its env file
FEDERE_ENV=test .venv/bin/pytest -q -p no:randomly -m peers tests/connectors/nntp

Members post as a newsreader does (AUTHINFO, POST); a moderated group's submissions land in the peer's moderator
Maildir, which the channel reads as its moderation mailbox. One test stops and starts the peer (it belongs to this
connector's tests).
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from federe.connections.models import Connection
from federe.connections.runtime import connector_for
from federe.connections.services import create_connection, sync_connection
from federe.connectors import registry
from federe.connectors.errors import Permanent, Unauthorized
from federe.connectors.mail.parse import message_ids
from federe.connectors.nntp import connector as nntp_connector
from federe.connectors.nntp.articles import headers_of
from federe.connectors.nntp.client import REFUSED
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus, OutgoingReply
from federe.inbox.models import Message, ReplyState
from federe.inbox.services import send_reply
from federe.publishing.models import DeliveryState
from tests.connectors.nntp.conftest import PEER, until
from tests.publishing.on_peers import killed_after_the_call, publish, schedule_now
from tests.tls_front import tls_front

pytestmark = [pytest.mark.peers, pytest.mark.django_db]


@pytest.fixture
def channel(workspace, owner, news_env, settings) -> Connection:
    settings.FEDERE_SYNC_MAX_PAGES = 1000
    settings.FEDERE_MAILDIR_ROOTS = [str(Path(news_env["NNTP_MODERATION_MAILDIR"]).parent)]
    return create_connection(
        workspace=workspace,
        network="nntp",
        name="Usenet",
        config={
            "host": news_env["NNTP_HOST"],
            "port": news_env["NNTP_PORT"],
            "user": news_env["NNTP_USER"],
            "targets": [news_env["NNTP_GROUP"], news_env["NNTP_MODERATED_GROUP"]],
            "from_address": "community@example.com",
            "from_name": "L'équipe",
            "moderation_maildir": news_env["NNTP_MODERATION_MAILDIR"],
            "approved_by": news_env["NNTP_MODERATOR_ADDRESS"],
            "page_size": 50,
        },
        credentials={"password": news_env["NNTP_PASSWORD"]},
        by=owner,
    )


def sync(connection: Connection):
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == "", outcome and outcome.run.error
    return outcome


def stored(connection: Connection, message_id: str) -> Message:
    return Message.objects.get(connection=connection, external_id=message_id)


def act(connection: Connection, kind: ActionKind, message_id: str):
    return connector_for(connection).act(ModerationAction(kind, external_id=message_id))


def test_articles_are_ingested_once_and_threaded(channel, member, news_env):
    group = news_env["NNTP_GROUP"]
    root = member.post(group, "Atelier vélo", "On peut venir samedi ?")
    follow = member.post(group, "Re: Atelier vélo", "Oui, à 10 h.", references=f"<{root}>")
    first = sync(channel)
    assert first.stats.stored >= 2
    answer = stored(channel, follow)
    assert answer.conversation == stored(channel, root).conversation and "10 h" in answer.body_text
    assert sync(channel).stats.stored == 0  # nothing new: nothing handed over twice


def test_a_reply_appears_once_with_the_right_references_and_a_retry_posts_nothing(channel, member, owner, news_env):
    group = news_env["NNTP_GROUP"]
    root = member.post(group, "Horaires", "Le local ouvre quand ?")
    follow = member.post(group, "Re: Horaires", "Bonne question.", references=f"<{root}>")
    sync(channel)
    asked = stored(channel, follow)
    reply = send_reply(conversation=asked.conversation, text="Dès 9 h !", by=owner, in_reply_to=asked)
    assert reply.state == ReplyState.SENT, reply.error
    sent_id = reply.sent_message.external_id
    article = until(lambda: member.on_server(sent_id), what="the reply on the server")
    headers = headers_of(article)
    assert message_ids(str(headers["References"])) == [root, follow] and headers["Newsgroups"] == group

    # A retry (the worker died before recording the send) finds the article on the server: nothing posted again.
    again = OutgoingReply(asked.conversation.external_id, asked.external_id, "<p>Dès 9 h !</p>", uuid.uuid4().hex)
    first = connector_for(channel).reply(again)
    assert connector_for(channel).reply(again).external_id == first.external_id
    with member.client() as client:
        client.select(group)
        state = client.select(group)
        rows = client.over(state.low, state.high)
    assert [row.message_id for row in rows].count(f"<{first.external_id}>") == 1
    sync(channel)
    assert Message.objects.filter(connection=channel, external_id=sent_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_thread_is_published_once_even_when_the_outcome_was_lost(channel, workspace, owner, member):
    post = schedule_now(workspace, owner, [channel], "Assemblée générale", "Jeudi à 18 h, salle 2.")
    (delivery,) = publish(post)
    assert delivery.state == DeliveryState.SENT and delivery.last_error == "", delivery.last_error
    article = member.on_server(delivery.external_id)
    assert article is not None and b"salle 2" in article
    killed_after_the_call(delivery)
    (resolved,) = publish(post)
    assert resolved.state == DeliveryState.SENT and resolved.external_id == delivery.external_id


def test_a_held_article_is_ingested_held_and_approving_posts_it(channel, member, news_env):
    held_id = member.post(news_env["NNTP_MODERATED_GROUP"], "Annonce", "Merci de publier.")
    assert member.on_server(held_id) is None
    until(lambda: sync(channel) and Message.objects.filter(connection=channel, external_id=held_id).exists(),
          what="the held article ingested")  # fmt: skip
    assert stored(channel, held_id).network_status == NetworkStatus.HELD
    assert act(channel, ActionKind.APPROVE, held_id).detail == "approved"
    article = until(lambda: member.on_server(held_id), what="the approved article on the server")
    assert f"Approved: {news_env['NNTP_MODERATOR_ADDRESS']}".encode() in article
    assert act(channel, ActionKind.APPROVE, held_id).done  # asked twice: found done
    sync(channel)
    assert stored(channel, held_id).network_status == NetworkStatus.PUBLISHED


def test_rejecting_a_held_article_leaves_it_off_the_server(channel, member, news_env):
    held_id = member.post(news_env["NNTP_MODERATED_GROUP"], "Promo", "Achetez !")
    until(lambda: sync(channel) and Message.objects.filter(connection=channel, external_id=held_id).exists(),
          what="the held article ingested")  # fmt: skip
    assert act(channel, ActionKind.REJECT, held_id).detail == "not posted"
    assert member.on_server(held_id) is None


def test_deleting_cancels_the_article_on_the_server(channel, member, news_env):
    spam = member.post(news_env["NNTP_GROUP"], "Gagnez", "Cliquez ici.")
    assert member.on_server(spam) is not None
    assert act(channel, ActionKind.DELETE, spam).detail == "cancelled"
    assert member.on_server(spam) is None
    assert act(channel, ActionKind.DELETE, spam).done  # asked twice: found done


def test_a_wrong_password_is_said_in_words(channel, news_env):
    wrong = registry.build("nntp", config=channel.config, credentials={"password": "not-the-password"})
    with pytest.raises(Unauthorized) as refused:
        wrong.check()
    assert refused.value.message == str(REFUSED)


def test_a_mail_that_is_not_an_article_is_skipped_and_counted(channel, news_env):
    box = Path(news_env["NNTP_MODERATION_MAILDIR"])
    sync(channel)
    stray = box / "new" / f"9999999999.{uuid.uuid4().hex}.stray"  # the newest name: read on the next sync
    stray.write_bytes(b"Subject: bounce\r\n\r\nnot news\r\n")
    try:
        outcome = sync(channel)
    finally:
        stray.unlink()
    assert outcome.run.malformed == 1 and outcome.stats.stored == 0
    assert "not a news article" in Connection.objects.get(pk=channel.pk).last_warning


def test_the_server_stopped_mid_sync_stores_nothing_half_and_the_next_sync_resumes(
    channel, member, news_env, monkeypatch
):
    group = news_env["NNTP_GROUP"]
    sync(channel)
    posted = [member.post(group, f"Fil {n}", f"Message {n}") for n in range(3)]
    channel.config["page_size"] = 2
    channel.save(update_fields=["config"])
    real_fetch = nntp_connector.NntpConnector.fetch
    pages = []

    def fetch_then_stop(self, cursor):
        if pages:  # the second page: the server is gone
            subprocess.run([str(PEER), "stop"], check=True, capture_output=True, timeout=120)
        pages.append(cursor)
        return real_fetch(self, cursor)

    monkeypatch.setattr(nntp_connector.NntpConnector, "fetch", fetch_then_stop)
    try:
        outcome = sync_connection(channel.pk, worker_id="test")
    finally:
        subprocess.run([str(PEER), "start"], check=True, capture_output=True, timeout=120)
    assert outcome is not None and "did not answer" in outcome.run.error
    kept = set(Message.objects.filter(connection=channel, external_id__in=posted).values_list("external_id", flat=True))
    assert kept == set(posted[:2])  # the first page, whole; nothing of the second
    monkeypatch.setattr(nntp_connector.NntpConnector, "fetch", real_fetch)
    Connection.objects.filter(pk=channel.pk).update(next_sync_at=None)
    sync(channel)
    assert Message.objects.filter(connection=channel, external_id__in=posted).count() == 3


def test_articles_are_read_and_posted_over_tls_where_the_port_speaks_it(
    channel, member, owner, news_env, tmp_path, monkeypatch
):
    """The peer speaks plain text: a TLS front (tests/tls_front.py) stands for a server's port 563."""
    group = news_env["NNTP_GROUP"]
    with tls_front(news_env["NNTP_HOST"], int(news_env["NNTP_PORT"]), tmp_path) as front:
        monkeypatch.setenv("SSL_CERT_FILE", str(front.ca_file))
        channel.config.update(port=str(front.port), tls="yes")
        channel.save(update_fields=["config"])
        root = member.post(group, "En TLS", "On se parle en chiffré ?")
        sync(channel)
        question = stored(channel, root)
        reply = send_reply(conversation=question.conversation, text="Oui.", by=owner, in_reply_to=question)
        assert reply.state == ReplyState.SENT, reply.error
        until(lambda: member.on_server(reply.sent_message.external_id), what="the follow-up posted over TLS")
        monkeypatch.delenv("SSL_CERT_FILE")  # the authority is no longer trusted: said in words
        with pytest.raises(Permanent, match="no known authority signed its certificate"):
            connector_for(channel).fetch(None)
