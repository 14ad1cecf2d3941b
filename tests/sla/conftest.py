from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest

from federe.inbox.models import Conversation, Direction, Message
from federe.sla import services, tracking
from federe.sla.models import ThreadClock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
_ids = count(1)


def policy(workspace, owner, name="Default", **fields):
    fields.setdefault("first_response_minutes", 60)
    return services.add(workspace=workspace, fields=services.Fields(name=name, **fields), by=owner)


def new_thread(connection, priority="normal") -> Conversation:
    return Conversation.objects.create(
        workspace=connection.workspace,
        connection=connection,
        external_id=f"t{next(_ids)}",
        priority=priority,
        last_message_at=T0,
    )


def customer(conv: Conversation, at: datetime) -> Message:
    """A customer message stored, then the ingest step that follows it."""
    message = Message.objects.create(
        workspace=conv.workspace,
        connection=conv.connection,
        conversation=conv,
        external_id=f"m{next(_ids)}",
        body_html="<p>help</p>",
        body_text="help",
        posted_at=at,
        direction=Direction.INBOUND,
    )
    tracking.customer_messages(conv.workspace_id, [message])
    return message


def clock(conv: Conversation) -> ThreadClock:
    return ThreadClock.objects.get(conversation=conv)


@pytest.fixture
def conn(connection):
    return connection
