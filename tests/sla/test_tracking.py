"""Threads' SLA clocks kept by events: first match, edits after creation, pauses, closing, priority, ingest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from federe.accounts.models import Role
from federe.core.models import AuditEvent
from federe.inbox import services as inbox
from federe.inbox.models import ConversationStatus
from federe.sla import services, tracking
from federe.sla.clocks import Outcome, outcome
from federe.sla.models import ThreadClock
from tests.factories import ConnectionFactory
from tests.sla.conftest import T0, clock, customer, new_thread, policy

MIN = timedelta(minutes=1)


def test_no_policy_no_clock(conn):
    conv = new_thread(conn)
    customer(conv, T0)
    assert not ThreadClock.objects.exists()


def test_the_first_matching_policy_in_order_applies(workspace, owner, conn):
    urgent = policy(workspace, owner, "Urgent", priorities=["urgent"], first_response_minutes=15)
    default = policy(workspace, owner, "Everything", first_response_minutes=240)
    calm, hurried = new_thread(conn), new_thread(conn, priority="urgent")
    customer(calm, T0)
    customer(hurried, T0)
    assert clock(calm).policy == default and clock(calm).first_response_due == T0 + 240 * MIN
    assert clock(hurried).policy == urgent and clock(hurried).first_response_due == T0 + 15 * MIN
    services.reorder(workspace=workspace, ids=[default.pk, urgent.pk], by=owner)
    assert clock(hurried).policy == default  # the catch-all is now first: it wins
    assert AuditEvent.objects.filter(verb="sla.policies_reordered").exists()


def test_a_policy_for_one_channel_leaves_the_others(workspace, owner, conn):
    other = ConnectionFactory(workspace=workspace, name="Forum")
    policy(workspace, owner, "Blog only", channel_ids=[conn.pk])
    mine, theirs = new_thread(conn), new_thread(other)
    customer(mine, T0)
    customer(theirs, T0)
    assert clock(mine).policy is not None and clock(theirs).policy is None
    assert clock(theirs).due_at is None


def test_editing_targets_after_creation_moves_the_due_times_of_open_threads(workspace, owner, conn):
    chosen = policy(workspace, owner, first_response_minutes=60, resolution_minutes=600)
    open_one, closed_one = new_thread(conn), new_thread(conn)
    customer(open_one, T0)
    customer(closed_one, T0)
    tracking.status_changed(closed_one, ConversationStatus.CLOSED, T0 + 5 * MIN)
    fields = services.Fields(name="Faster", first_response_minutes=30, resolution_minutes=120)
    services.change(chosen, fields=fields, by=owner)
    assert clock(open_one).first_response_due == T0 + 30 * MIN
    assert clock(open_one).resolution_due == T0 + 120 * MIN
    assert clock(open_one).due_at == T0 + 30 * MIN
    assert clock(closed_one).first_response_due == T0 + 60 * MIN  # a closed thread keeps its history
    assert AuditEvent.objects.filter(verb="sla.policy_changed", details__name="Faster").exists()


def test_the_resolution_clock_pauses_while_waiting_on_the_customer(workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=30, next_response_minutes=20, resolution_minutes=60)
    conv = new_thread(conn)
    customer(conv, T0)
    customer(conv, T0 + 5 * MIN)  # a second message in the same wait changes nothing
    assert clock(conv).resolution_due == T0 + 60 * MIN
    tracking.replied(conv, T0 + 10 * MIN)
    state = clock(conv)
    assert state.first_response_at == T0 + 10 * MIN
    assert state.resolution_due is None and state.due_at is None  # paused: waiting on the customer
    customer(conv, T0 + 70 * MIN)  # 60 minutes later they answer
    state = clock(conv)
    assert state.resolution_due == T0 + 120 * MIN  # 10 minutes used, 50 left from their message
    assert state.next_response_due == T0 + 90 * MIN
    assert state.due_at == T0 + 90 * MIN


def test_closing_stops_everything_and_a_customer_message_reopens(workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=30, next_response_minutes=30, resolution_minutes=600)
    conv = new_thread(conn)
    customer(conv, T0)
    tracking.status_changed(conv, ConversationStatus.CLOSED, T0 + 10 * MIN)
    state = clock(conv)
    assert state.due_at is None and state.resolution_at == T0 + 10 * MIN
    now = T0 + 1000 * MIN
    kw = {"closed_at": state.closed_at, "now": now}
    assert outcome(state.first_response_due, state.first_response_at, **kw) == Outcome.STOPPED
    assert outcome(state.resolution_due, state.resolution_at, **kw) == Outcome.MET
    customer(conv, T0 + 100 * MIN)
    state = clock(conv)
    assert state.closed_at is None
    assert state.next_response_due == T0 + 130 * MIN
    # 10 minutes ran before the closing; the closed time does not count
    assert state.resolution_due == T0 + 690 * MIN


def test_a_missed_target_is_breached_and_a_late_reply_too(workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=30)
    conv = new_thread(conn)
    customer(conv, T0)
    state = clock(conv)
    assert outcome(state.first_response_due, None, closed_at=None, now=T0 + 29 * MIN) == Outcome.PENDING
    assert outcome(state.first_response_due, None, closed_at=None, now=T0 + 31 * MIN) == Outcome.BREACHED
    tracking.replied(conv, T0 + 45 * MIN)
    state = clock(conv)
    assert outcome(state.first_response_due, state.first_response_at, closed_at=None, now=T0) == Outcome.BREACHED


def test_business_hours_in_the_workspace_timezone(workspace, owner, conn):
    workspace.timezone = "Europe/Paris"
    workspace.save()
    hours = [(d, 540, 1080) for d in range(5)]  # 09:00–18:00 on weekdays
    policy(workspace, owner, hours="business", business_hours=hours, first_response_minutes=120)
    conv = new_thread(conn)
    customer(conv, T0 + 8 * 60 * MIN)  # Monday 17:00 UTC = 18:00 in Paris: after hours
    assert clock(conv).first_response_due == T0 + (24 + 2) * 60 * MIN - 60 * MIN  # Tuesday 11:00 Paris = 10:00 UTC


def test_a_priority_change_reapplies_the_policies(workspace, owner, conn):
    policy(workspace, owner, "Urgent", priorities=["urgent"], first_response_minutes=15)
    conv = new_thread(conn)
    customer(conv, T0)
    assert clock(conv).policy is None
    inbox.set_priority(conversation=conv, priority="urgent", by=owner)
    assert clock(conv).first_response_due == T0 + 15 * MIN
    assert AuditEvent.objects.filter(verb="conversation.priority_changed").exists()
    with pytest.raises(ValidationError):
        inbox.set_priority(conversation=conv, priority="critical", by=owner)


def test_a_reply_sent_from_the_inbox_meets_the_first_response(workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=60 * 24 * 365)
    conv = new_thread(conn)
    customer(conv, T0)
    inbox.send_reply(conversation=conv, text="On it", by=owner)
    state = clock(conv)
    assert state.first_response_at is not None and state.due_at is None


def test_a_sync_starts_the_clocks_of_new_threads(workspace, owner, connection):
    from federe.connections.services import sync_connection

    policy(workspace, owner, first_response_minutes=60)
    sync_connection(connection.pk, worker_id="test")
    threads = workspace.pk and ThreadClock.objects.filter(workspace=workspace)
    assert threads.count() > 0
    assert all(c.first_response_due == c.started_at + 60 * MIN for c in threads)


def test_policies_of_another_workspace_never_apply(workspace, owner, conn, other_workspace):
    rival, rival_owner, rival_conn = other_workspace
    policy(rival, rival_owner, first_response_minutes=5)
    conv = new_thread(conn)
    customer(conv, T0)
    assert not ThreadClock.objects.filter(conversation=conv).exists()
    with pytest.raises(ValidationError):  # another workspace's channel is refused
        policy(workspace, owner, channel_ids=[rival_conn.pk])


def test_only_owners_and_managers_edit_policies(workspace, member_factory):
    from django.core.exceptions import PermissionDenied

    moderator = member_factory(Role.MODERATOR)
    with pytest.raises(PermissionDenied):
        policy(workspace, moderator)
    manager = member_factory(Role.COMMUNITY_MANAGER)
    assert policy(workspace, manager).pk


@pytest.mark.parametrize(
    "fields",
    [
        {"first_response_minutes": None},
        {"first_response_minutes": 0},
        {"priorities": ["critical"]},
        {"hours": "business"},
        {"hours": "business", "business_hours": [(0, 600, 540)]},
        {"hours": "business", "business_hours": [(0, 540, 720), (0, 700, 800)]},
        {"hours": "business", "business_hours": [(7, 540, 720)]},
        {"name": ""},
    ],
)
def test_bad_policies_are_refused_in_words(workspace, owner, fields):
    with pytest.raises(ValidationError):
        policy(workspace, owner, **({"name": "P"} | fields))


def test_hours_are_read_from_text():
    assert services.parse_day(1, "09:00-12:00, 13:30-24:00") == [(1, 540, 720), (1, 810, 1440)]
    for bad in ("9-12", "09:00-25:00", "09:60-10:00", "²9:00-10:00"):
        with pytest.raises(ValidationError):
            services.parse_day(0, bad)
