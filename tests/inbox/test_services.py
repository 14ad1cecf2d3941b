from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from federe.accounts.models import Role
from federe.connections.models import Connection
from federe.connectors.dummy.connector import DummyConnector
from federe.inbox import services
from federe.inbox.models import Conversation, Direction, Message, Reply, ReplyState

pytestmark = pytest.mark.django_db


def first_conversation(connection) -> Conversation:
    return Conversation.objects.filter(connection=connection).order_by("pk").first()


def test_a_reply_is_sent_through_the_connector_and_joins_the_thread(synced, owner):
    conversation = first_conversation(synced)
    parent = conversation.messages.last()
    reply = services.send_reply(
        conversation=conversation, text="Merci Claire,\n\non s'en occupe.", by=owner, in_reply_to=parent
    )
    assert reply.state == ReplyState.SENT and reply.attempts == 1
    sent = reply.sent_message
    assert sent.direction == Direction.OUTBOUND and sent.conversation == conversation
    assert sent.external_id == f"reply-{reply.idempotency_key}"
    assert sent.parent_external_id == parent.external_id
    assert sent.body_html == "<p>Merci Claire,</p><p>on s&#x27;en occupe.</p>"
    assert sent.language == "fr"
    conversation.refresh_from_db()
    assert conversation.status == "answered"


def test_a_failed_reply_stays_as_a_draft_with_its_error_then_retries(synced, owner):
    synced.config = {**synced.config, "fail_replies": "server_error"}
    synced.save()
    conversation = first_conversation(synced)
    reply = services.send_reply(conversation=conversation, text="Hello!", by=owner)
    assert reply.state == ReplyState.FAILED and "internal error" in reply.error
    assert Reply.objects.get(pk=reply.pk).body_text == "Hello!"
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    conversation.refresh_from_db()
    assert conversation.status == "new"

    synced.config = {k: v for k, v in synced.config.items() if k != "fail_replies"}
    synced.save()
    retried = services.retry_reply(reply=Reply.objects.get(pk=reply.pk), by=owner, text="Hello again!")
    assert retried.state == ReplyState.SENT and retried.attempts == 2 and retried.error == ""
    assert retried.sent_message.body_text == "Hello again!"
    # retrying a sent reply changes nothing (idempotent)
    assert services.retry_reply(reply=retried, by=owner).attempts == 2
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001])
def test_bad_reply_text_is_refused_and_nothing_is_sent(synced, owner, text):
    with pytest.raises(ValidationError) as caught:
        services.send_reply(conversation=first_conversation(synced), text=text, by=owner)
    assert "body" in caught.value.message_dict
    assert Reply.objects.count() == 0


def test_replying_to_a_message_of_another_thread_is_refused(synced, owner):
    one, two = Conversation.objects.filter(connection=synced).order_by("pk")[:2]
    with pytest.raises(ValidationError):
        services.send_reply(conversation=one, text="hi", by=owner, in_reply_to=two.messages.first())


def test_assignment_moves_status_and_requires_membership(synced, owner, member_factory, user_factory):
    conversation = first_conversation(synced)
    cm = member_factory(Role.COMMUNITY_MANAGER)
    services.assign(conversation=conversation, assignee=cm, by=owner)
    assert conversation.status == "assigned" and conversation.assignee == cm
    services.assign(conversation=conversation, assignee=None, by=owner)
    assert conversation.status == "new" and conversation.assignee is None
    with pytest.raises(ValidationError):
        services.assign(conversation=conversation, assignee=user_factory(), by=owner)


def test_a_client_can_read_but_not_reply(synced, member_factory):
    client = member_factory(Role.CLIENT)
    with pytest.raises(PermissionDenied):
        services.send_reply(conversation=first_conversation(synced), text="hi", by=client)
    assert Reply.objects.count() == 0


def test_the_same_reply_sent_twice_is_refused_and_both_replies_end_final(synced, owner):
    """A network that recognises a repeated reply (WordPress answers 'duplicate comment' and we find the first)
    gives the second Reply the first one's message: refused in plain words, not an IntegrityError left 'sending'."""
    synced.config = {**synced.config, "same_reply_same_id": True}
    synced.save()
    conversation = first_conversation(synced)
    first = services.send_reply(conversation=conversation, text="Merci !", by=owner)
    assert first.state == ReplyState.SENT
    with pytest.raises(services.ReplyAlreadySent) as caught:
        services.send_reply(conversation=conversation, text="Merci !", by=owner)
    assert caught.value.original == first
    assert str(first.pk) in " ".join(caught.value.messages)
    assert sorted(Reply.objects.values_list("state", flat=True)) == [ReplyState.FAILED, ReplyState.SENT]
    second = Reply.objects.exclude(pk=first.pk).get()
    assert second.sent_message is None and str(first.pk) in second.error
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_an_unexpected_error_while_sending_leaves_the_reply_failed_not_sending(synced, owner, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a connector")

    monkeypatch.setattr(services, "_record_sent", broken)
    with pytest.raises(RuntimeError):
        services.send_reply(conversation=first_conversation(synced), text="Hello", by=owner)
    reply = Reply.objects.get()
    assert reply.state == ReplyState.FAILED and reply.error


def test_an_idempotency_key_returns_the_same_reply_without_sending_again(synced, owner):
    conversation = first_conversation(synced)
    first = services.send_reply(conversation=conversation, text="Bonjour", by=owner, client_key="k-1")
    again = services.send_reply(conversation=conversation, text="Bonjour", by=owner, client_key="k-1")
    assert again.pk == first.pk and again.attempts == 1
    assert Reply.objects.count() == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_an_idempotency_key_reused_for_another_text_is_refused(synced, owner):
    conversation = first_conversation(synced)
    services.send_reply(conversation=conversation, text="Bonjour", by=owner, client_key="k-1")
    with pytest.raises(ValidationError) as caught:
        services.send_reply(conversation=conversation, text="Autre chose", by=owner, client_key="k-1")
    assert "idempotency_key" in caught.value.message_dict
    assert Reply.objects.count() == 1


def test_an_idempotency_key_is_per_author(synced, owner, member_factory):
    conversation = first_conversation(synced)
    other = member_factory(Role.OWNER)
    services.send_reply(conversation=conversation, text="Bonjour", by=owner, client_key="k-1")
    services.send_reply(conversation=conversation, text="Bonjour", by=other, client_key="k-1")
    assert Reply.objects.count() == 2


def test_only_a_retried_reply_tells_the_network_when_its_first_attempt_began(synced, owner):
    """A network without idempotency keys looks for an earlier attempt's reply only when there was one."""
    seen = []
    real = DummyConnector.reply

    def reply(self, outgoing):
        seen.append(outgoing.retry_since)
        return real(self, outgoing)

    conv = Conversation.objects.filter(connection=synced).order_by("pk").first()
    Connection.objects.filter(pk=synced.pk).update(config={**synced.config, "fail_replies": "server_error"})
    with mock.patch.object(DummyConnector, "reply", reply):
        draft = services.send_reply(conversation=conv, text="Merci !", by=owner)
        Connection.objects.filter(pk=synced.pk).update(config=synced.config)  # the network recovers
        draft = Reply.objects.get(pk=draft.pk)
        services.retry_reply(reply=draft, by=owner)
    draft.refresh_from_db()
    assert draft.state == ReplyState.SENT and seen == [None, draft.created_at]
