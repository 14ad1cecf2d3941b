"""Bulk actions on threads: assign, close, label, mark read; per-thread audit, webhooks and notifications kept;
another workspace's ids and a non-member assignee refused; the pages and their words."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from federe.accounts.models import Role
from federe.core.models import AuditEvent
from federe.inbox import bulk_actions, queries
from federe.inbox.models import Conversation, ConversationStatus, ReadState
from federe.notifications.models import Notification
from federe.webhooks.models import Endpoint, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(synced):
    return list(Conversation.objects.filter(connection=synced).order_by("pk").values_list("pk", flat=True)[:4])


@pytest.fixture
def mate(member_factory):
    return member_factory(Role.COMMUNITY_MANAGER)


def statuses(pks) -> dict[int, str]:
    return dict(Conversation.objects.filter(pk__in=pks).values_list("pk", "status"))


def test_bulk_close_closes_each_audits_each_and_says_how_many(workspace, owner, ids):
    Conversation.objects.filter(pk=ids[0]).update(status=ConversationStatus.CLOSED)
    done = bulk_actions.close(workspace, ids, by=owner)
    assert done.count == 3 and done.message == "3 threads closed."
    assert set(statuses(ids).values()) == {ConversationStatus.CLOSED}
    events = AuditEvent.objects.filter(verb="conversation.status_changed")
    assert sorted(int(e.object_id) for e in events) == sorted(ids[1:])
    assert bulk_actions.close(workspace, ids[:1], by=owner).message == "0 threads closed."


def test_bulk_close_sends_one_webhook_event_per_thread(workspace, owner, ids):
    Endpoint.objects.create(
        workspace=workspace, url="https://hooks.example.org/in", events=["thread.closed"], secret_encrypted="x"
    )
    bulk_actions.close(workspace, ids, by=owner)
    assert Event.objects.filter(workspace=workspace, type="thread.closed").count() == len(ids)


def test_bulk_assign_assigns_notifies_once_per_thread_and_unassigns(workspace, owner, mate, ids):
    done = bulk_actions.assign(workspace, ids, mate, by=owner)
    assert done.message == f"4 threads assigned to {mate.username}."
    rows = Conversation.objects.filter(pk__in=ids)
    assert {c.assignee_id for c in rows} == {mate.pk} and {c.status for c in rows} == {ConversationStatus.ASSIGNED}
    assert Notification.objects.filter(user=mate, kind="assigned").count() == 4
    assert AuditEvent.objects.filter(verb="conversation.assigned").count() == 4
    again = bulk_actions.assign(workspace, ids, mate, by=owner)  # nothing changes: nobody is notified twice
    assert again.count == 0 and Notification.objects.filter(user=mate).count() == 4
    gone = bulk_actions.assign(workspace, ids, None, by=owner)
    assert gone.message == "4 threads unassigned."
    assert set(statuses(ids).values()) == {ConversationStatus.NEW}


def test_a_non_member_or_read_only_assignee_is_refused(workspace, owner, other_workspace, member_factory, ids):
    _rival, stranger, _conn = other_workspace
    with pytest.raises(ValidationError):
        bulk_actions.assign(workspace, ids, stranger, by=owner)
    reader = member_factory(Role.ANALYST)
    with pytest.raises(ValidationError):
        bulk_actions.assign(workspace, ids, reader, by=owner)
    assert not Conversation.objects.filter(pk__in=ids, assignee__isnull=False).exists()


def test_another_workspaces_thread_refuses_the_whole_batch(workspace, owner, other_workspace, ids):
    rival, _rival_owner, _conn = other_workspace
    theirs = Conversation.objects.filter(workspace=rival).values_list("pk", flat=True).first()
    with pytest.raises(Conversation.DoesNotExist):
        bulk_actions.close(workspace, [*ids, theirs], by=owner)
    assert ConversationStatus.CLOSED not in statuses([*ids, theirs]).values()


def test_a_read_only_member_may_mark_read_but_not_close(workspace, member_factory, ids):
    reader = member_factory(Role.ANALYST)
    with pytest.raises(PermissionDenied):
        bulk_actions.close(workspace, ids, by=reader)
    assert bulk_actions.mark(workspace, ids, by=reader, read=True).message == "4 threads marked read."
    assert ReadState.objects.filter(user=reader).count() == 4
    assert bulk_actions.mark(workspace, ids[:1], by=reader, read=False).message == "1 thread marked unread."


def test_bulk_label_makes_the_label_and_removes_it(workspace, owner, ids):
    done = bulk_actions.label(workspace, ids[:2], "  Urgent ", by=owner)
    assert done.message == "Label “Urgent” put on 2 threads."
    assert Conversation.objects.filter(labels__name="Urgent").count() == 2
    off = bulk_actions.label(workspace, ids, "urgent", by=owner, remove=True)
    assert off.message == "Label “Urgent” taken off 2 threads."
    with pytest.raises(ValidationError):
        bulk_actions.label(workspace, ids, "never made", by=owner, remove=True)


def test_nothing_selected_is_refused_in_words(workspace, owner):
    with pytest.raises(ValidationError) as caught:
        bulk_actions.close(workspace, [], by=owner)
    assert "Select at least one thread" in str(caught.value)


# --- the page --------------------------------------------------------------------------------------------------


def bulk_url(workspace) -> str:
    return reverse("inbox:bulk", args=[workspace.slug])


def test_the_page_closes_the_ticked_threads_and_says_so_in_french(client, workspace, owner, ids):
    client.force_login(owner)
    response = client.post(
        bulk_url(workspace),
        {"ids": ids[:2], "action": "close", "back": "view=unassigned&x=1"},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("/inbox/?view=unassigned")
    assert set(statuses(ids[:2]).values()) == {ConversationStatus.CLOSED}
    assert "2 fils fermés." in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"ids": ["²", "-1", "abc"], "action": "close"},
        {"ids": ["1"], "action": "explode"},
        {"ids": ["1"], "action": "assign", "assignee": "٣"},
        {"action": "close"},
    ],
)
def test_bad_input_is_refused_in_words_never_a_500(client, workspace, owner, synced, data):
    client.force_login(owner)
    response = client.post(bulk_url(workspace), data, follow=True)
    assert response.status_code == 200
    assert 'class="error' in response.content.decode() or "error" in response.content.decode()
    assert not Conversation.objects.filter(status=ConversationStatus.CLOSED).exists()


def test_the_page_refuses_another_workspaces_threads(client, workspace, owner, other_workspace, ids):
    rival, _rival_owner, _conn = other_workspace
    theirs = list(Conversation.objects.filter(workspace=rival).values_list("pk", flat=True)[:2])
    client.force_login(owner)
    assert client.post(bulk_url(workspace), {"ids": theirs, "action": "close"}).status_code == 404
    assert client.post(bulk_url(workspace), {"ids": [*ids, *theirs], "action": "close"}).status_code == 404
    assert ConversationStatus.CLOSED not in statuses(theirs).values()


def test_the_list_shows_views_with_counts_and_unread_rows(client, workspace, owner, ids):
    client.force_login(owner)
    client.get(reverse("inbox:thread", args=[workspace.slug, ids[0]]))
    response = client.get(reverse("inbox:list", args=[workspace.slug]) + "?view=unread")
    html = response.content.decode()
    assert 'data-view="waiting"' in html and "Waiting longest first" in html
    shown = {c.pk for c in response.context["page"].paginator.object_list}
    assert ids[0] not in shown and ids[1] in shown
    assert queries.view_counts(workspace, owner)["unread"] == len(shown)


def test_bulk_close_and_mark_read_cost_the_same_queries_for_2_or_9_threads(workspace, owner, synced):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Endpoint.objects.create(
        workspace=workspace, url="https://hooks.example.org/in", events=["thread.closed"], secret_encrypted="x"
    )
    pks = list(Conversation.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True))
    assert len(pks) >= 14
    bulk_actions.close(workspace, pks[-1:], by=owner)  # warm the caches (permissions, content types)
    bulk_actions.mark(workspace, pks[-1:], by=owner, read=True)
    counts = []
    for chosen in (pks[:2], pks[2:4], pks[4:13]):  # the first round warms what is looked up once per process
        with CaptureQueriesContext(connection) as close_queries:
            bulk_actions.close(workspace, chosen, by=owner)
        with CaptureQueriesContext(connection) as read_queries:
            bulk_actions.mark(workspace, chosen, by=owner, read=True)
        counts.append((len(close_queries), len(read_queries)))
    assert counts[1] == counts[2]
