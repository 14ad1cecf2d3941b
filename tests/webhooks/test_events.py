"""Which events are emitted, and what ingest pays for them: nothing without an endpoint, one bulk insert a page."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from federe.inbox import ingest
from federe.inbox import services as inbox
from federe.inbox.models import Conversation, Message
from federe.moderation import services as moderation
from federe.webhooks import services
from federe.webhooks.models import Delivery, Event
from tests.listening_app.test_services import item

pytestmark = pytest.mark.django_db


def subscribe(workspace, owner, *types, url="http://127.0.0.1:9/in"):
    return services.create_endpoint(workspace=workspace, by=owner, url=url, event_types=types)[0]


def announce_queries(connection, first: int, count: int) -> tuple[int, list[Message]]:
    items = [item(first + i, f"hello {i}", author=f"a{i}") for i in range(count)]
    page = ingest.Page(connection, items)
    for step in ingest.SYNC_STEPS[: ingest.SYNC_STEPS.index(ingest.announce)]:
        step(page)
    with CaptureQueriesContext(db) as queries:
        ingest.announce(page)
    return len(queries), page.created


def test_ingest_announces_each_new_message_in_a_few_queries_whatever_the_page_size(connection, owner):
    subscribe(connection.workspace, owner, "message.received")
    few, created = announce_queries(connection, 1, 12)
    many, more = announce_queries(connection, 100, 40)
    assert few == many  # no query per message
    assert Event.objects.filter(type="message.received").count() == 52
    ids = sorted(Event.objects.values_list("payload__message__id", flat=True))
    assert ids == sorted(m.pk for m in created + more)
    assert Delivery.objects.count() == 52


def test_ingest_writes_nothing_when_no_endpoint_wants_new_messages(connection, owner):
    subscribe(connection.workspace, owner, "thread.closed")  # another event only
    queries, created = announce_queries(connection, 1, 20)
    assert created and queries == 1 and not Event.objects.exists()


def test_an_imported_history_announces_nothing(connection, owner):
    subscribe(connection.workspace, owner, "message.received")
    ingest.ingest_items(connection, [item(1, "old news")])
    assert Message.objects.exists() and not Event.objects.exists()


def test_assigning_closing_and_deciding_are_events(synced, owner):
    workspace = synced.workspace
    subscribe(workspace, owner, "thread.assigned", "thread.closed", "moderation.decision")
    thread = Conversation.objects.filter(connection=synced).order_by("pk").first()
    inbox.assign(conversation=thread, assignee=owner, by=owner)
    inbox.set_status(conversation=thread, status="closed", by=owner)
    inbox.set_status(conversation=thread, status="closed", by=owner)  # already closed: no second event
    message = Message.objects.filter(connection=synced).order_by("pk").first()
    moderation.decide(messages=[message], action="spam", by=owner)
    rows = {e.type: e.payload for e in Event.objects.all()}
    assert sorted(rows) == ["moderation.decision", "thread.assigned", "thread.closed"]
    assert Event.objects.count() == 3
    assert rows["thread.assigned"]["assignee"]["username"] == owner.get_username()
    assert rows["moderation.decision"]["decision"]["message"] == message.pk
    assert rows["moderation.decision"]["decision"]["action"] == "spam"
