from __future__ import annotations

import pytest

from federe.core import audit
from federe.core.models import AuditEvent
from federe.inbox import services
from federe.inbox.models import Conversation

pytestmark = pytest.mark.django_db


def test_secret_looking_details_are_hidden(workspace, owner):
    event = audit.record(
        "x.done",
        workspace=workspace,
        actor=owner,
        details={"api_token": "abc", "nested": {"password": "p"}, "count": 3},
    )
    assert event.details == {"api_token": "[hidden]", "nested": {"password": "[hidden]"}, "count": 3}
    assert event.actor_label == owner.username


def test_every_inbox_change_is_audited_with_who_what_and_on_which_object(synced, owner):
    conversation = Conversation.objects.filter(connection=synced).first()
    services.assign(conversation=conversation, assignee=owner, by=owner)
    services.set_status(conversation=conversation, status="closed", by=owner)
    services.send_reply(conversation=conversation, text="Merci !", by=owner)
    events = AuditEvent.objects.filter(object_type="inbox.conversation", object_id=str(conversation.pk))
    assert sorted(events.values_list("verb", flat=True)) == [
        "conversation.assigned",
        "conversation.status_changed",
        "reply.sent",
    ]
    assert set(events.values_list("actor", flat=True)) == {owner.pk}
    status_event = events.get(verb="conversation.status_changed")
    assert status_event.details == {"from": "assigned", "to": "closed"}


def test_syncs_that_store_or_fail_are_audited_as_the_worker(synced):
    event = AuditEvent.objects.get(verb="connection.synced", object_id=str(synced.pk))
    assert event.actor is None and event.actor_label == "worker:test"
    assert event.details["stored"] == 50


def test_many_events_at_once_are_scrubbed_like_one(workspace, owner):
    events = audit.record_many(
        [
            audit.Event("x.done", workspace=workspace.pk, actor_label="rule:1@v1", details={"token": "t", "n": 1}),
            audit.Event("x.done", workspace=workspace, actor=owner, target=workspace, target_repr="shown"),
        ]
    )
    first, second = AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk")
    assert first.details == {"token": "[hidden]", "n": 1} and first.actor_label == "rule:1@v1"
    assert first.workspace_id == workspace.pk and first.object_type == ""
    assert second.actor == owner and second.actor_label == owner.username
    assert (second.object_type, second.object_repr) == ("accounts.workspace", "shown")
    assert second.object_id == str(workspace.pk)


def test_inserting_many_without_models_writes_the_same_rows_as_recording_them(workspace, owner):
    def events():
        return [
            audit.Event("x.sent", workspace=workspace.pk, actor_label="worker", target=workspace, details={"n": 1}),
            audit.Event("x.sent", workspace=workspace, actor=owner, details={"api_key": "k", "deep": {"a": [1]}}),
        ]

    columns = ("workspace_id", "actor_id", "actor_label", "verb", "object_type", "object_id", "object_repr", "details")
    recorded = [e.pk for e in audit.record_many(events())]
    assert audit.insert_many(events()) == 2 and audit.insert_many([]) == 0
    inserted = AuditEvent.objects.filter(verb="x.sent").exclude(pk__in=recorded).order_by("pk")
    assert list(inserted.values_list(*columns)) == list(
        AuditEvent.objects.filter(pk__in=recorded).order_by("pk").values_list(*columns)
    )
    assert inserted[1].details == {"api_key": "[hidden]", "deep": {"a": [1]}}
    assert all(event.created_at is not None for event in inserted)
