"""The inbox's named views, each by its definition, with their counts; and read state per member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from federe.accounts.models import Role
from federe.inbox import named_views, notes, queries, reading
from federe.inbox.models import Conversation, ConversationStatus, Direction, Message, ReadState

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


@pytest.fixture
def make_thread(workspace, connection):
    count = {"n": 0}

    def make(*messages: tuple[str, float], status: str = ConversationStatus.NEW, assignee=None, net: str = "published"):
        """A thread with messages given as (direction, hours after T0)."""
        count["n"] += 1
        n = count["n"]
        conv = Conversation.objects.create(
            workspace=workspace,
            connection=connection,
            external_id=f"t{n}",
            title=f"Thread {n}",
            status=status,
            assignee=assignee,
            last_message_at=max((hours(h) for _d, h in messages), default=None),
        )
        for i, (direction, h) in enumerate(messages):
            Message.objects.create(
                workspace=workspace,
                connection=connection,
                conversation=conv,
                external_id=f"t{n}m{i}",
                direction=direction,
                body_html="<p>x</p>",
                body_text="x",
                posted_at=hours(h),
                network_status=net,
            )
        return conv

    return make


def in_view(workspace, user, slug: str) -> list[int]:
    return list(queries.conversations(workspace, queries.InboxFilters(view=slug), user).values_list("pk", flat=True))


IN, OUT = Direction.INBOUND, Direction.OUTBOUND


def test_waiting_longest_first_is_open_threads_whose_customer_spoke_last_oldest_wait_first(
    workspace, owner, make_thread
):
    answered = make_thread((IN, 1), (OUT, 2))  # the brand spoke last: not waiting
    never_answered = make_thread((IN, 5), (IN, 30))  # waits since 5
    asked_again = make_thread((IN, 0), (OUT, 3), (IN, 4), (IN, 40))  # waits since 4, its first unanswered message
    recent = make_thread((IN, 20))  # waits since 20
    closed = make_thread((IN, 0), status=ConversationStatus.CLOSED)  # closed threads wait for nobody
    spam_only = make_thread((OUT, 1), (IN, 2), net="spam")  # the brand's message is spam too, but only IN counts
    assert in_view(workspace, owner, "waiting") == [asked_again.pk, never_answered.pk, recent.pk]
    assert answered.pk not in in_view(workspace, owner, "waiting")
    assert {closed.pk, spam_only.pk}.isdisjoint(in_view(workspace, owner, "waiting"))
    listed = queries.conversations(workspace, queries.InboxFilters(view="waiting"), owner)
    assert [c.waiting_since for c in listed] == [hours(4), hours(5), hours(20)]


def test_assigned_to_me_and_unassigned_leave_closed_threads_out(workspace, owner, member_factory, make_thread):
    mate = member_factory(Role.COMMUNITY_MANAGER)
    mine = make_thread((IN, 1), assignee=owner, status=ConversationStatus.ASSIGNED)
    mine_closed = make_thread((IN, 1), assignee=owner, status=ConversationStatus.CLOSED)
    theirs = make_thread((IN, 1), assignee=mate, status=ConversationStatus.ASSIGNED)
    nobody = make_thread((IN, 2))
    assert in_view(workspace, owner, "mine") == [mine.pk]
    assert in_view(workspace, mate, "mine") == [theirs.pk]
    assert in_view(workspace, owner, "unassigned") == [nobody.pk]
    assert mine_closed.pk not in in_view(workspace, owner, "mine")


def test_mentions_of_me_are_threads_with_a_note_naming_me(workspace, owner, member_factory, make_thread):
    mate = member_factory(Role.COMMUNITY_MANAGER)
    named = make_thread((IN, 1), status=ConversationStatus.CLOSED)
    other = make_thread((IN, 2))
    notes.add_note(conversation=named, by=owner, body=f"@{mate.username} look at this one")
    notes.add_note(conversation=other, by=mate, body="no mention here")
    assert in_view(workspace, mate, "mentions") == [named.pk]
    assert in_view(workspace, owner, "mentions") == []


def test_counts_match_each_view(workspace, owner, make_thread):
    make_thread((IN, 1), assignee=owner, status=ConversationStatus.ASSIGNED)
    make_thread((IN, 2))
    make_thread((IN, 3), (OUT, 4))
    counts = queries.view_counts(workspace, owner)
    assert set(counts) == set(named_views.VIEWS)
    for slug, count in counts.items():
        assert count == len(in_view(workspace, owner, slug)), slug
    assert counts["mine"] == 1 and counts["unassigned"] == 2 and counts["waiting"] == 2 and counts["unread"] == 3


def test_an_unknown_view_is_no_view():
    assert queries.InboxFilters.from_params({"view": "nope"}).view == ""
    assert queries.InboxFilters.from_params({"view": "mine"}).as_query() == "view=mine"


# --- read state ---------------------------------------------------------------------------------------------------


def read_flags(workspace, user) -> dict[int, bool]:
    return {c.pk: c.is_read for c in queries.conversations(workspace, queries.InboxFilters(), user)}


def test_a_thread_is_unread_for_me_until_i_read_it_and_again_when_a_message_arrives(
    workspace, owner, member_factory, make_thread
):
    mate = member_factory(Role.COMMUNITY_MANAGER)
    a, b = make_thread((IN, 1)), make_thread((IN, 2))
    assert read_flags(workspace, owner) == {a.pk: False, b.pk: False}
    assert reading.mark_read(workspace, owner, [a.pk]) == 1
    assert read_flags(workspace, owner) == {a.pk: True, b.pk: False}
    assert read_flags(workspace, mate) == {a.pk: False, b.pk: False}  # mine, not theirs
    Conversation.objects.filter(pk=a.pk).update(last_message_at=hours(9))  # a new message in it
    assert read_flags(workspace, owner)[a.pk] is False
    reading.mark_read(workspace, owner, [a.pk, b.pk])
    reading.mark_read(workspace, owner, [a.pk, b.pk])  # again: still one row per (member, thread)
    assert ReadState.objects.filter(user=owner).count() == 2
    assert read_flags(workspace, owner) == {a.pk: True, b.pk: True}
    reading.mark_unread(workspace, owner, [b.pk])
    assert read_flags(workspace, owner) == {a.pk: True, b.pk: False}
    assert in_view(workspace, owner, "unread") == [b.pk]


def test_read_state_ignores_another_workspaces_threads(workspace, owner, other_workspace, make_thread):
    rival, _rival_owner, _conn = other_workspace
    theirs = Conversation.objects.filter(workspace=rival).first()
    assert reading.mark_read(workspace, owner, [theirs.pk]) == 0
    assert not ReadState.objects.filter(conversation=theirs).exists()


def test_opening_a_thread_marks_it_read(client, workspace, owner, make_thread):
    conv = make_thread((IN, 1))
    client.force_login(owner)
    client.get(f"/w/{workspace.slug}/inbox/{conv.pk}/")
    assert read_flags(workspace, owner)[conv.pk] is True
