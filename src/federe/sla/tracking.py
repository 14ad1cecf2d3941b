"""Keeping every thread's SLA clocks up to date when something happens (definitions: ``sla/clocks.py``).

- a page of customer messages (ingest's ``sla_clocks`` step): :func:`customer_messages`, a fixed number of
  queries per page (none when the workspace has no policy);
- our reply, a status change, a priority change: :func:`replied`, :func:`status_changed`, :func:`reapply`;
- a policy created, edited, moved or deleted: :func:`refresh_open` re-applies the policies to every thread that is
  not closed (threads without clocks yet are built from their messages), so edited targets move their due times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from federe.inbox.models import Conversation, ConversationStatus, Direction, Message
from federe.sla import daily
from federe.sla.clocks import Clocks, Targets, Wait, customer_wrote, evaluate, we_answered
from federe.sla.hours import Calendar
from federe.sla.models import TARGET_TIMES, HoursKind, Policy, ThreadClock

CLOCK_FIELDS = ["policy", "channel", "waits", "started_at", "closed_at", *TARGET_TIMES, "due_at", "updated_at"]
CHUNK = 500


# ------------------------------------------------------------------------------------------------ policies


def policies_of(workspace_id: int) -> list[Policy]:
    """The workspace's policies in their order, each with ``channel_ids`` (a set; empty: every channel)."""
    policies = list(
        Policy.objects.filter(workspace_id=workspace_id).select_related("workspace").prefetch_related("channels")
    )
    for policy in policies:
        policy.channel_ids = {c.pk for c in policy.channels.all()}  # type: ignore[attr-defined]
    return policies


def match(policies: Sequence[Policy], connection_id: int, priority: str) -> Policy | None:
    """The first policy (in order) whose channels and priorities hold the thread's."""
    for policy in policies:
        channels: set[int] = getattr(policy, "channel_ids", set())
        if channels and connection_id not in channels:
            continue
        if policy.priorities and priority not in policy.priorities:
            continue
        return policy
    return None


def calendar_of(policy: Policy, zone: str) -> Calendar:
    if policy.hours != HoursKind.BUSINESS:
        return Calendar(zone or "UTC")
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for weekday, start, end in policy.business_hours:
        week[weekday].append((start, end))
    holidays = frozenset(date.fromisoformat(day) for day in policy.holidays)
    return Calendar(zone or "UTC", tuple(tuple(sorted(day)) for day in week), holidays)


def targets_of(policy: Policy) -> Targets:
    return Targets(policy.first_response_minutes, policy.next_response_minutes, policy.resolution_minutes)


# ------------------------------------------------------------------------------------------------ waits in JSON


def waits_of(clock: ThreadClock) -> list[Wait]:
    return [
        Wait(datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None, how)
        for start, end, how in clock.waits
    ]


def _store_waits(clock: ThreadClock, waits: list[Wait]) -> None:
    clock.waits = [[w.start.isoformat(), w.end.isoformat() if w.end else None, w.ended_by] for w in waits]
    clock.started_at = waits[0].start if waits else None


def _apply(clock: ThreadClock, policies: Sequence[Policy], connection_id: int, priority: str) -> None:
    policy = match(policies, connection_id, priority)
    clock.policy, clock.channel = policy, connection_id
    clocks = Clocks()
    if policy is not None:
        zone = policy.workspace.timezone
        clocks = evaluate(waits_of(clock), clock.closed_at, targets_of(policy), calendar_of(policy, zone))
    for name, value in vars(clocks).items():
        setattr(clock, name, value)
    clock.updated_at = timezone.now()


def _save(new: list[ThreadClock], changed: list[ThreadClock]) -> None:
    """Clocks written in a few statements: the changed rows are deleted and inserted again with the new ones
    (nothing refers to a clock). Django's bulk_update, a CASE per column and row, took 22 s for a page of 1,000
    threads against 0.7 s this way (measured on a loaded machine, load average 20 to 30)."""
    for start in range(0, len(changed), CHUNK):
        ThreadClock.objects.filter(pk__in=[c.pk for c in changed[start : start + CHUNK]]).delete()
    ThreadClock.objects.bulk_create([*new, *changed], batch_size=CHUNK)
    daily.bump([*new, *changed])  # the days whose stored figures move


# ------------------------------------------------------------------------------------------------ events


def customer_messages(workspace_id: int, messages: Iterable[Message]) -> int:
    """Customer messages just stored (an ingest page): their threads' waits and clocks. Returns the clocks kept."""
    policies = policies_of(workspace_id)
    if not policies:
        return 0
    times: dict[int, list[datetime]] = defaultdict(list)
    for message in messages:
        if message.direction == Direction.INBOUND:
            times[message.conversation_id].append(message.posted_at)
    if not times:
        return 0
    threads = Conversation.objects.filter(workspace_id=workspace_id, pk__in=list(times))
    clocks = ThreadClock.objects.in_bulk(list(times))
    new, changed = [], []
    for conv_id, connection_id, priority in threads.values_list("pk", "connection_id", "priority"):
        clock = clocks.get(conv_id)
        if clock is None:
            clock = ThreadClock(conversation_id=conv_id, workspace_id=workspace_id)
            new.append(clock)
        else:
            changed.append(clock)
        waits = waits_of(clock)
        for at in sorted(times[conv_id]):
            if clock.closed_at is not None and at <= clock.closed_at:
                continue  # older than the closing: it does not reopen the thread
            waits, clock.closed_at = customer_wrote(waits, at, clock.closed_at), None
        _store_waits(clock, waits)
        _apply(clock, policies, connection_id, priority)
    _save(new, changed)
    return len(new) + len(changed)


def _clock_of(conversation: Conversation) -> ThreadClock | None:
    """The thread's clock, built from its messages when it has none yet; None while the workspace has no policy."""
    clock = ThreadClock.objects.filter(conversation=conversation).first()
    if clock is None:
        if not Policy.objects.filter(workspace_id=conversation.workspace_id).exists():
            return None
        clock = _built([conversation])[0]
    return clock


def _one(conversation: Conversation, change: Any) -> ThreadClock | None:
    clock = _clock_of(conversation)
    if clock is None:
        return None
    change(clock)
    _apply(clock, policies_of(conversation.workspace_id), conversation.connection_id, conversation.priority)
    if clock._state.adding:
        clock.save()
    else:
        clock.save(update_fields=CLOCK_FIELDS)
    daily.bump([clock])
    return clock


def replied(conversation: Conversation, at: datetime) -> ThreadClock | None:
    """Our reply was recorded at ``at``: the open wait ends (first or next response met)."""
    return _one(conversation, lambda clock: _store_waits(clock, we_answered(waits_of(clock), at)))


def status_changed(conversation: Conversation, status: str, at: datetime) -> ThreadClock | None:
    """Closed: every clock stops. Answered by hand: the open wait ends as a reply would end it. Reopened by hand
    (new or assigned): the clocks run again from where they stood."""

    def change(clock: ThreadClock) -> None:
        if status == ConversationStatus.CLOSED:
            clock.closed_at = clock.closed_at or at
        else:
            clock.closed_at = None
        if status == ConversationStatus.ANSWERED:
            _store_waits(clock, we_answered(waits_of(clock), at))

    return _one(conversation, change)


def reapply(conversation: Conversation) -> ThreadClock | None:
    """The thread's priority (or channel) changed: the first matching policy may be another one."""
    return _one(conversation, lambda clock: None)


def refresh_open(workspace_id: int) -> int:
    """Every thread of the workspace that is not closed: clocks built where missing, policies applied again."""
    policies = policies_of(workspace_id)
    open_threads = Conversation.objects.filter(workspace_id=workspace_id).exclude(status=ConversationStatus.CLOSED)
    missing = list(open_threads.filter(sla_clock__isnull=True).order_by("pk"))
    for start in range(0, len(missing), CHUNK):
        _save(_built(missing[start : start + CHUNK]), [])
    rows = ThreadClock.objects.filter(workspace_id=workspace_id, closed_at__isnull=True).select_related("conversation")
    changed = []
    for clock in rows.iterator(chunk_size=CHUNK):
        _apply(clock, policies, clock.conversation.connection_id, clock.conversation.priority)
        changed.append(clock)
    _save([], changed)
    return len(changed)


def _built(threads: Sequence[Conversation]) -> list[ThreadClock]:
    """Clocks (unsaved) for threads that have none, from their messages in one query: customer messages start
    waits, ours end them; a closed thread stopped, and an answered one stopped waiting, at its last change."""
    events: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    rows = Message.objects.filter(conversation_id__in=[c.pk for c in threads]).order_by("posted_at", "id")
    for conv_id, posted_at, direction in rows.values_list("conversation_id", "posted_at", "direction"):
        events[conv_id].append((posted_at, direction))
    clocks = []
    for conv in threads:
        waits: list[Wait] = []
        for at, direction in events[conv.pk]:
            waits = customer_wrote(waits, at, None) if direction == Direction.INBOUND else we_answered(waits, at)
        clock = ThreadClock(conversation_id=conv.pk, workspace_id=conv.workspace_id)
        if conv.status == ConversationStatus.CLOSED:
            clock.closed_at = conv.updated_at
        elif conv.status == ConversationStatus.ANSWERED:
            waits = we_answered(waits, conv.updated_at)
        _store_waits(clock, waits)
        clocks.append(clock)
    return clocks
