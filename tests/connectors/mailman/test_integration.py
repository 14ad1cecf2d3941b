"""The Mailman connector against a REAL GNU Mailman 3.3.10 (../shared/peers/mailman), through Fédère's services.

../shared/peers/mailman/mailman-ci.sh start       # or let the mm_env fixture read its env file
FEDERE_ENV=test .venv/bin/pytest -q -p no:randomly -m peers tests/connectors/mailman

Posts enter Mailman over LMTP as from a mail server; Mailman's outgoing mail lands in the peer's Maildir sink,
which stands for a subscriber's mailbox: Fédère reads it as one (config ``maildir``), never Mailman's own files.
"""

from __future__ import annotations

import uuid
from email.header import decode_header, make_header

import pytest
from django.core.exceptions import ValidationError

from federe.connections.models import Connection
from federe.connections.runtime import connector_for
from federe.connections.services import create_connection, sync_connection
from federe.connectors.errors import Permanent, Transient
from federe.connectors.mailman.client import REFUSED
from federe.connectors.types import ActionKind, ModerationAction, NetworkStatus, OutgoingReply
from federe.inbox.models import Message, ReplyState
from federe.inbox.services import send_reply
from federe.publishing.models import DeliveryState
from federe.publishing.sending import outgoing_post
from tests.connectors.mailman.conftest import MailingList, text_of, until
from tests.publishing.on_peers import killed_after_the_call, publish, schedule_now

pytestmark = [pytest.mark.peers, pytest.mark.django_db]


@pytest.fixture
def team(mailing_list) -> str:
    """The brand's address: subscribed, its posts accepted on the moderated list."""
    address = f"equipe-{uuid.uuid4().hex[:6]}@example.org"
    mailing_list.subscribe(address, moderation="accept")
    return address


@pytest.fixture
def channel(workspace, owner, mm_env, mailing_list, team, sink_root, settings) -> Connection:
    settings.FEDERE_SYNC_MAX_PAGES = 1000
    return create_connection(
        workspace=workspace,
        network="mailman",
        name=f"Liste {mailing_list.name}",
        config={
            "rest_url": mm_env["MAILMAN_REST_URL"],
            "rest_user": mm_env["MAILMAN_REST_USER"],
            "targets": [mailing_list.list_id],
            "maildir": sink_root,
            "page_size": 500,
            "from_address": team,
            "from_name": "L'équipe",
            "mail_host": mm_env["MAILMAN_LMTP_HOST"],
            "mail_port": mm_env["MAILMAN_LMTP_PORT"],
            "mail_protocol": "lmtp",  # the peer's LMTP stands for the MTA
        },
        credentials={"rest_password": mm_env["MAILMAN_REST_PASSWORD"]},
        by=owner,
    )


def sync(connection: Connection):
    outcome = sync_connection(connection.pk, worker_id="test")
    assert outcome is not None and outcome.run.error == "", outcome and outcome.run.error
    return outcome


def stored(connection: Connection, mailing_list: MailingList, message_id: str) -> Message:
    return Message.objects.get(connection=connection, external_id=f"{mailing_list.list_id}/{message_id}")


def act(connection: Connection, mailing_list: MailingList, kind: ActionKind, message_id: str, **extra):
    action = ModerationAction(kind, external_id=f"{mailing_list.list_id}/{message_id}", **extra)
    return connector_for(connection).act(action)


def test_a_held_post_is_ingested_once_and_accepting_it_publishes_the_same_item(channel, mailing_list):
    alice = f"alice-{uuid.uuid4().hex[:6]}@example.com"
    mailing_list.subscribe(alice)
    message_id = mailing_list.post(f"Alice <{alice}>", "Horaires ?", "Le local ouvre à quelle heure ?")
    until(lambda: message_id in mailing_list.held_ids(), what="the post held")
    sync(channel)
    held = stored(channel, mailing_list, message_id)
    assert held.network_status == NetworkStatus.HELD and "quelle heure" in held.body_text
    assert held.author.email == alice
    assert sync(channel).stats.stored == 0  # nothing new: nothing handed over twice

    result = act(channel, mailing_list, ActionKind.APPROVE, message_id)
    assert result.done and result.detail == "accept"
    until(lambda: mailing_list.delivered(message_id), what="the accepted post delivered")
    assert message_id not in mailing_list.held_ids()
    assert act(channel, mailing_list, ActionKind.APPROVE, message_id).done  # asked twice: found done

    sync(channel)
    published = stored(channel, mailing_list, message_id)
    assert published.pk == held.pk and published.network_status == NetworkStatus.PUBLISHED
    ids = Message.objects.filter(connection=channel).values_list("external_id", flat=True)
    assert list(ids).count(f"{mailing_list.list_id}/{message_id}") == 1


def test_discarding_a_held_post_takes_it_out_of_mailmans_queue(channel, mailing_list):
    message_id = mailing_list.post("promo@spam.example.net", "Offre", "Achetez !")
    until(lambda: message_id in mailing_list.held_ids(), what="the post held")
    sync(channel)
    assert act(channel, mailing_list, ActionKind.DELETE, message_id).detail == "discard"
    assert message_id not in mailing_list.held_ids()
    assert act(channel, mailing_list, ActionKind.DELETE, message_id).done  # idempotent
    with pytest.raises(Permanent):  # a message no longer held cannot be deferred
        act(channel, mailing_list, ActionKind.HOLD, message_id)


def test_deferring_keeps_it_held_and_rejecting_tells_the_sender_why(channel, mailing_list):
    sender = f"visiteur-{uuid.uuid4().hex[:6]}@example.net"
    message_id = mailing_list.post(sender, "Question", "Bonjour")
    until(lambda: message_id in mailing_list.held_ids(), what="the post held")
    assert act(channel, mailing_list, ActionKind.HOLD, message_id).detail == "defer"
    assert message_id in mailing_list.held_ids()
    assert act(channel, mailing_list, ActionKind.REJECT, message_id, reason="Hors sujet, désolé").detail == "reject"
    assert message_id not in mailing_list.held_ids()
    notices = until(
        lambda: [m for m in mailing_list.sent_to(sender) if "Hors sujet, désolé" in text_of(m)], what="the notice"
    )
    assert "Question" in text_of(notices[0])


def test_a_banned_address_can_no_longer_post(channel, mailing_list, team):
    spammer = f"spam-{uuid.uuid4().hex[:6]}@example.net"
    first = mailing_list.post(spammer, "Offre", "Achetez !")
    until(lambda: first in mailing_list.held_ids(), what="the post held")
    assert act(channel, mailing_list, ActionKind.BAN, first, author_id=spammer).detail == "banned"
    assert act(channel, mailing_list, ActionKind.BAN, first, author_id=spammer).detail == "already banned"
    bans = mailing_list.rest.get(f"/lists/{mailing_list.list_id}/bans").json()["entries"]
    assert [ban["email"] for ban in bans] == [spammer]

    second = mailing_list.post(spammer, "Encore", "Achetez encore !")
    marker = mailing_list.post(team, "Marqueur", "Posté après")  # accepted: when it is out, the ban was decided
    until(lambda: mailing_list.delivered(marker), what="the marker delivered")
    assert second not in mailing_list.held_ids() and not mailing_list.delivered(second)


def test_muting_a_member_holds_their_next_post(channel, mailing_list):
    bob = f"bob-{uuid.uuid4().hex[:6]}@example.com"
    member_id = mailing_list.subscribe(bob, moderation="accept")
    first = mailing_list.post(bob, "Salut", "Premier message")
    until(lambda: mailing_list.delivered(first), what="bob's post delivered")
    assert act(channel, mailing_list, ActionKind.MUTE, first, author_id=bob).done
    assert mailing_list.rest.get(f"/members/{member_id}").json()["moderation_action"] == "hold"
    second = mailing_list.post(bob, "Re: Salut", "Deuxième message")
    until(lambda: second in mailing_list.held_ids(), what="bob's next post held")


def test_a_reply_from_federe_is_a_threaded_mail_sent_once(channel, mailing_list, owner, team):
    alice = f"alice-{uuid.uuid4().hex[:6]}@example.com"
    mailing_list.subscribe(alice, moderation="accept")
    question = mailing_list.post(alice, "Atelier vélo", "On peut venir samedi ?")
    until(lambda: mailing_list.delivered(question), what="the question delivered")
    sync(channel)
    asked = stored(channel, mailing_list, question)
    reply = send_reply(conversation=asked.conversation, text="Oui, dès 10 h !", by=owner, in_reply_to=asked)
    assert reply.state == ReplyState.SENT, reply.error
    sent_id = reply.sent_message.external_id.partition("/")[2]
    copies = until(lambda: mailing_list.delivered(sent_id), what="the reply delivered")
    assert copies[0]["In-Reply-To"] == f"<{question}>" and f"<{question}>" in copies[0]["References"]
    assert copies[0]["Subject"].endswith("Re: Atelier vélo") or "Atelier" in copies[0]["Subject"]

    # A retry (the worker died before recording the send) finds the reply already on the list: nothing re-sent.
    again = OutgoingReply(asked.conversation.external_id, asked.external_id, "<p>Oui, dès 10 h !</p>", uuid.uuid4().hex)
    first = connector_for(channel).reply(again)
    until(lambda: mailing_list.delivered(first.external_id.partition("/")[2]), what="the second reply delivered")
    assert connector_for(channel).reply(again).external_id == first.external_id
    sync(channel)
    for message_id in (sent_id, first.external_id.partition("/")[2]):
        recipients = [copy["X-RcptTo"] for copy in mailing_list.delivered(message_id)]
        assert len(recipients) == len(set(recipients))  # one copy per member: sent once
        assert stored(channel, mailing_list, message_id).parent_external_id == asked.external_id
    thread = Message.objects.filter(conversation=asked.conversation)
    assert thread.count() == 3 and {m.network_status for m in thread} == {NetworkStatus.PUBLISHED}


def test_a_wrong_password_is_refused_in_plain_words(workspace, owner, mm_env):
    with pytest.raises(ValidationError) as caught:
        create_connection(
            workspace=workspace,
            network="mailman",
            name="Liste",
            config={"rest_url": mm_env["MAILMAN_REST_URL"], "rest_user": mm_env["MAILMAN_REST_USER"]},
            credentials={"rest_password": "not-the-password"},
            by=owner,
        )
    assert caught.value.message_dict["credentials"][0] == str(REFUSED)
    assert not Connection.objects.filter(workspace=workspace).exists()


def test_a_stopped_server_is_a_transient_error(mm_env):
    from federe.connectors import registry

    stopped = registry.build("mailman", config={"rest_url": "http://127.0.0.1:9/3.1"}, credentials={})
    with pytest.raises(Transient):
        stopped.fetch(None)


def copies_to(mailing_list: MailingList, message_id: str, recipient: str) -> int:
    return sum(copy["X-RcptTo"] == recipient for copy in mailing_list.delivered(message_id))


@pytest.mark.django_db(transaction=True)
def test_a_post_published_by_the_worker_reaches_the_list_once_even_when_the_worker_died_after_the_call(
    channel, mailing_list, team, workspace, owner
):
    """Published once; the same key again finds it delivered; an unknown outcome is found, not re-sent."""
    post = schedule_now(workspace, owner, [channel], "Assemblée générale", "Jeudi à 18 h, salle 2.")
    (delivery,) = publish(post)
    assert delivery.state == DeliveryState.SENT and delivery.last_error == "", delivery.last_error
    message_id = delivery.external_id.partition("/")[2]
    assert delivery.external_id.startswith(f"{mailing_list.list_id}/")
    until(lambda: copies_to(mailing_list, message_id, team), what="the post delivered")
    (copy,) = [c for c in mailing_list.delivered(message_id) if c["X-RcptTo"] == team]
    assert "Assemblée générale" in str(make_header(decode_header(copy["Subject"]))) and "salle 2" in text_of(copy)

    assert connector_for(channel).publish(outgoing_post(delivery)).external_id == delivery.external_id
    killed_after_the_call(delivery)
    (resolved,) = publish(post)
    assert resolved.state == DeliveryState.SENT and resolved.external_id == delivery.external_id
    assert copies_to(mailing_list, message_id, team) == 1  # once, after every retry


@pytest.mark.django_db(transaction=True)
def test_a_post_the_list_holds_is_sent_with_a_notice_that_it_waits_for_the_moderators(
    channel, mailing_list, workspace, owner
):
    outsider = f"annonces-{uuid.uuid4().hex[:6]}@example.org"  # not a member: the list holds its posts
    channel.config["from_address"] = outsider
    channel.save(update_fields=["config"])
    post = schedule_now(workspace, owner, [channel], "Soirée jeux", "Vendredi soir.")
    (delivery,) = publish(post)
    assert delivery.state == DeliveryState.SENT and "moderators" in delivery.last_error
    message_id = delivery.external_id.partition("/")[2]
    assert message_id in mailing_list.held_ids() and not mailing_list.delivered(message_id)
    killed_after_the_call(delivery)
    (resolved,) = publish(post)
    assert resolved.state == DeliveryState.SENT and "moderators" in resolved.last_error
    assert [e["message_id"] for e in mailing_list.held()].count(f"<{message_id}>") == 1
