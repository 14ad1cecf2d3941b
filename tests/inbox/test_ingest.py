from __future__ import annotations

import pytest

from federe.connections.models import Connection, SyncRun
from federe.connections.services import sync_connection
from federe.inbox.models import Conversation, Message
from federe.people.models import Identity, Person

pytestmark = pytest.mark.django_db


def test_first_sync_stores_every_item_once_with_threads_and_people(connection):
    outcome = sync_connection(connection.pk)
    assert outcome is not None
    assert outcome.run.stored == 50
    assert Message.objects.filter(connection=connection).count() == 50
    conversations = Conversation.objects.filter(connection=connection)
    assert 1 < conversations.count() < 50
    # every message's thread is a conversation of this channel, and people were created once per author
    assert Message.objects.filter(connection=connection).exclude(conversation__in=conversations).count() == 0
    assert Identity.objects.filter(connection=connection).count() == Person.objects.count()
    connection.refresh_from_db()
    assert connection.cursor == {"position": 50}
    assert connection.last_success_at is not None and connection.last_error == ""


def test_syncing_twice_stores_nothing_twice(connection):
    sync_connection(connection.pk)
    Connection.objects.filter(pk=connection.pk).update(cursor={})  # force a full re-read
    second = sync_connection(connection.pk)
    assert second is not None and second.run.stored == 0 and second.run.fetched == 50
    assert Message.objects.filter(connection=connection).count() == 50


def test_messages_are_sanitised_and_language_detected(synced):
    spam = Message.objects.filter(connection=synced, body_html__contains="<a ").first()
    assert spam is not None
    assert 'rel="nofollow noopener noreferrer ugc"' in spam.body_html
    languages = set(Message.objects.filter(connection=synced).values_list("language", flat=True))
    assert {"fr", "en"} <= languages


def test_hostile_html_is_neutralised(connection, monkeypatch):
    from federe.connectors.dummy.network import DummyNetwork

    original = DummyNetwork.item

    def hostile(self, index):
        raw = original(self, index)
        raw["html"] = '<p onclick="x()">hi</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>'
        return raw

    monkeypatch.setattr(DummyNetwork, "item", hostile)
    sync_connection(connection.pk)
    body = Message.objects.filter(connection=connection).first().body_html
    assert "script" not in body and "onclick" not in body and "javascript:" not in body
    assert "hi" in body


def test_a_crash_mid_batch_loses_nothing_and_duplicates_nothing(connection, monkeypatch):
    import federe.connections.services as services

    real = services.ingest_page
    calls = {"n": 0}

    def crash_on_second_page(conn, items, pending=None):
        calls["n"] += 1
        stats = real(conn, items, pending)
        if calls["n"] == 2:
            raise RuntimeError("power cut")  # after writing rows, inside the page's transaction
        return stats

    monkeypatch.setattr(services, "ingest_page", crash_on_second_page)
    run = sync_connection(connection.pk).run
    connection.refresh_from_db()
    assert run.outcome == SyncRun.Outcome.FAILED
    assert connection.cursor == {"position": 20}  # the first page only
    assert Message.objects.filter(connection=connection).count() == 20  # the second page rolled back
    assert "Unexpected error" in connection.last_error

    monkeypatch.setattr(services, "ingest_page", real)
    sync_connection(connection.pk)
    assert Message.objects.filter(connection=connection).count() == 50
    assert Message.objects.filter(connection=connection).values("external_id").distinct().count() == 50


def test_malformed_items_are_reported_while_the_rest_is_stored(connection):
    connection.config = {**connection.config, "malformed_every": 10}
    connection.save()
    run = sync_connection(connection.pk).run
    connection.refresh_from_db()
    assert run.malformed == 5 and run.stored == 45
    assert "has no author" in connection.last_warning
    assert connection.last_error == ""


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("timeout", "did not answer"),
        ("rate_limit", "slow down"),
        ("server_error", "internal error"),
        ("unauthorized", "refused the credentials"),
        ("malformed_response", "not valid JSON"),
    ],
)
def test_a_failed_sync_keeps_its_cursor_and_says_why(connection, mode, words):
    connection.config = {**connection.config, "fail": mode, "fail_after_pages": 1}
    connection.save()
    run = sync_connection(connection.pk).run
    connection.refresh_from_db()
    assert run.outcome == SyncRun.Outcome.FAILED
    assert connection.cursor == {"position": 20}
    assert words in connection.last_error
    assert connection.consecutive_failures == 1
    assert connection.next_sync_at > run.created_at
    # the network recovers: the next sync resumes where it stopped
    connection.config = {k: v for k, v in connection.config.items() if k != "fail"}
    connection.save()
    sync_connection(connection.pk)
    connection.refresh_from_db()
    assert Message.objects.filter(connection=connection).count() == 50
    assert connection.last_error == "" and connection.consecutive_failures == 0


def test_rate_limit_is_honoured(connection):
    connection.config = {**connection.config, "fail": "rate_limit"}
    connection.save()
    run = sync_connection(connection.pk).run
    connection.refresh_from_db()
    delay = (connection.next_sync_at - run.finished_at).total_seconds()
    assert 119 <= delay <= 121


def test_a_new_message_reopens_an_answered_thread(connection):
    connection.config = {**connection.config, "total": 30}
    connection.save()
    sync_connection(connection.pk)
    Conversation.objects.filter(connection=connection).update(status="answered")
    connection.config = {**connection.config, "total": 50}
    connection.save()
    sync_connection(connection.pk)
    reopened = Conversation.objects.filter(connection=connection, status="new")
    assert reopened.exists()
    later = [str(i) for i in range(30, 50)]
    for conversation in reopened:
        assert conversation.messages.filter(external_id__in=later).exists()
    untouched = Conversation.objects.filter(connection=connection, status="answered")
    assert not Message.objects.filter(conversation__in=untouched, external_id__in=later).exists()


def test_held_items_go_to_the_review_queue_and_leave_it_when_decided_on_the_network(connection, monkeypatch):
    sync_connection(connection.pk)
    held = Message.objects.filter(connection=connection, network_status="held")
    held_count = held.count()
    assert held_count > 0
    assert set(held.values_list("review", flat=True)) == {"pending"}
    assert not Message.objects.filter(connection=connection, network_status="published", review="pending").exists()

    from federe.connectors.dummy.network import DummyNetwork

    original = DummyNetwork.item

    def approved_on_the_blog(self, index):
        raw = original(self, index)
        raw["status"] = "published"
        return raw

    monkeypatch.setattr(DummyNetwork, "item", approved_on_the_blog)
    Connection.objects.filter(pk=connection.pk).update(cursor={})
    run = sync_connection(connection.pk).run
    assert run.updated == held_count
    assert not Message.objects.filter(connection=connection, review="pending").exists()
    assert Message.objects.filter(connection=connection, review="reviewed").count() == run.updated


def test_an_edit_updates_the_message_and_keeps_what_it_said_before(connection, monkeypatch, client, owner):
    sync_connection(connection.pk)
    message = Message.objects.get(connection=connection, external_id="3")
    before = message.body_html

    from federe.connectors.dummy.network import DummyNetwork

    original = DummyNetwork.item

    def edited(self, index):
        raw = original(self, index)
        if index == 3:
            raw["html"] = "<p>Edited: this is what I meant.</p>"
        return raw

    monkeypatch.setattr(DummyNetwork, "item", edited)
    Connection.objects.filter(pk=connection.pk).update(cursor={})
    run = sync_connection(connection.pk).run
    assert run.updated == 1 and run.stored == 0
    message.refresh_from_db()
    assert message.body_html == "<p>Edited: this is what I meant.</p>" and message.edited_at is not None
    assert [r.body_html for r in message.revisions.all()] == [before]
    client.force_login(owner)
    page = client.get(f"/w/{connection.workspace.slug}/inbox/{message.conversation_id}/").content.decode()
    assert "edited once" in page and before in page
