from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from federe.accounts.models import Role
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
