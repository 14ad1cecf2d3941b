from __future__ import annotations

import pytest

from federe.inbox.models import Conversation, Direction, Message
from federe.people.models import Identity
from federe.replies import services
from tests.factories import ConnectionFactory


def make(workspace, owner, title, language="en", body="Hi {{author.first_name}}", folder="", connection=None):
    fields = services.Fields(
        title=title, language=language, body=body, folder=folder, connection_id=connection.pk if connection else None
    )
    return services.add(workspace=workspace, fields=fields, by=owner)


@pytest.fixture
def conversation(synced):
    """A thread of the synced channel whose last received message has an author with a name."""
    conv = Conversation.objects.filter(connection=synced).order_by("pk").first()
    last = Message.objects.filter(conversation=conv, direction=Direction.INBOUND).order_by("-posted_at", "-id").first()
    Identity.objects.filter(pk=last.author_id).update(display_name="Zoé Martin", handle="zoe")
    return conv


def last_received(conv) -> Message:
    return Message.objects.filter(conversation=conv, direction=Direction.INBOUND).order_by("-posted_at", "-id").first()


@pytest.fixture
def second_channel(workspace):
    return ConnectionFactory(workspace=workspace, name="Second channel")
