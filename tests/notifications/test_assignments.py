"""Who hears about an assignment: a rule's assignee is notified like a teammate's (once per thread, the rule named);
unassigning is not an assignment (no "assigned" notification, no thread.assigned event; its own event)."""

from __future__ import annotations

import pytest
from django.utils import translation

from federe.accounts.models import Role
from federe.connections.services import sync_connection
from federe.inbox import services as inbox
from federe.inbox.models import Conversation
from federe.moderation import services as moderation
from federe.notifications.models import Kind, Notification
from federe.notifications.words import describe
from federe.webhooks.models import Event
from tests.webhooks.test_events import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def cm(member_factory):
    user = member_factory(Role.COMMUNITY_MANAGER)
    user.username, user.email = "camille", "camille@example.org"
    user.save()
    return user


def test_a_rule_that_assigns_notifies_the_assignee_once_per_thread(
    connection, owner, cm, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe(connection.workspace, owner, "thread.assigned")
    moderation.save_rule(
        workspace=connection.workspace,
        by=owner,
        name="Links",
        match="any",
        conditions=[{"type": "links", "min": 1}],
        actions=[{"type": "assign", "username": cm.username}],
    )
    connection.config = {**connection.config, "total": 200, "page_size": 200}
    connection.save()
    with django_capture_on_commit_callbacks(execute=True):
        sync_connection(connection.pk)
    threads = set(Conversation.objects.filter(workspace=connection.workspace, assignee=cm).values_list("pk", flat=True))
    assert threads
    notified = Notification.objects.filter(user=cm, kind=Kind.ASSIGNED)
    assert sorted(notified.values_list("conversation", flat=True)) == sorted(threads)  # once per thread
    first = notified.first()
    assert first.actor is None and first.params == {"rule": "Links"}
    with translation.override("en"):
        assert describe(first) == f"The rule “Links” assigned “{first.conversation}” to you"
    with translation.override("fr"):
        assert describe(first) == f"La règle « Links » vous a confié « {first.conversation} »"
    assert len([m for m in mailoutbox if m.to == ["camille@example.org"]]) == len(threads)
    events = Event.objects.filter(type="thread.assigned")
    assert sorted(e.payload["thread"]["id"] for e in events) == sorted(threads)
    assert all(e.payload["assignee"]["username"] == "camille" and e.payload["by"] is None for e in events)


def test_unassigning_is_not_an_assignment(synced, owner, cm, django_capture_on_commit_callbacks):
    subscribe(synced.workspace, owner, "thread.assigned", "thread.unassigned")
    thread = Conversation.objects.filter(connection=synced).order_by("pk").first()
    inbox.assign(conversation=thread, assignee=cm, by=owner)
    inbox.assign(conversation=thread, assignee=cm, by=owner)  # already theirs: nothing happened
    inbox.assign(conversation=thread, assignee=None, by=owner)
    inbox.assign(conversation=thread, assignee=None, by=owner)  # nobody's already: nothing happened
    assert list(Event.objects.order_by("pk").values_list("type", flat=True)) == [
        "thread.assigned",
        "thread.unassigned",
    ]
    unassigned = Event.objects.get(type="thread.unassigned").payload
    assert unassigned["thread"]["id"] == thread.pk and unassigned["previous_assignee"]["username"] == "camille"
    assert unassigned["by"] == "owner"
    assert Notification.objects.filter(user=cm, kind=Kind.ASSIGNED).count() == 1
