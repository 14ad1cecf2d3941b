"""The summary tables kept as things happen: ingest's ``count_for_dashboards`` step, moderation's decisions and the
deep tier's refined sentiment. A few set-based queries per page, whatever its size; never a scan of messages.

A re-sent page adds nothing: only the messages a page *created* are counted (``store`` never creates a message
twice). Definitions of what is counted: ``figures.py``. Counted at ingest, in the order pages arrive: a returning
member is seen when their message comes after their last one; a history imported out of order, or persons merged
later, are counted exactly by ``federe analytics rebuild`` (``rebuild.py``: the same definitions as set-based SQL
over every message).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from federe.analytics import upsert
from federe.analytics.models import WHOLE, DailyCount, DailyDecision, MemberSpan, ThreadCount

#: A member who writes again after this many days of silence is "returning"; after them without writing, "gone quiet".
QUIET_DAYS = 30
SENTIMENTS = ("positive", "neutral", "negative")
COUNTERS = ("messages", "community_replies", "sent", "new_members", "returning", *SENTIMENTS, "reach", "engagement")


@dataclass(frozen=True)
class Row:
    """What the rollup needs of a message."""

    workspace_id: int
    scope: int  # its channel
    conversation_id: int
    person_id: int | None
    inbound: bool
    is_reply: bool
    sentiment: str
    reach: int | None
    engagement: int | None
    posted_at: datetime


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def count_messages(rows: Sequence[Row]) -> None:
    """Add a batch of new messages (one workspace) to the daily counters, member spans and thread counts."""
    if not rows:
        return
    workspace_id = rows[0].workspace_id
    daily: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for row in rows:
        for scope in (row.scope, WHOLE):
            _count(daily[(scope, day_of(row.posted_at))], row)
    _members(workspace_id, rows, daily)
    upsert.add(
        DailyCount._meta.db_table,
        ["workspace_id", "scope", "day"],
        COUNTERS,
        [(workspace_id, scope, day, *(c[name] for name in COUNTERS)) for (scope, day), c in daily.items()],
    )
    _threads(workspace_id, rows)


def _count(counters: dict[str, int], row: Row) -> None:
    if not row.inbound:
        counters["sent"] += 1
        return
    counters["messages"] += 1
    counters["community_replies"] += row.is_reply
    if row.sentiment in SENTIMENTS:
        counters[row.sentiment] += 1
    if row.reach is not None and row.engagement is not None:
        counters["reach"] += row.reach
        counters["engagement"] += row.engagement


def _members(workspace_id: int, rows: Sequence[Row], daily: dict) -> None:
    """New and returning members from each person's days in the batch and their stored span (one read, one write)."""
    days: dict[tuple[int, int], set[date]] = defaultdict(set)
    for row in rows:
        if row.inbound and row.person_id is not None:
            for scope in (row.scope, WHOLE):
                days[(scope, row.person_id)].add(day_of(row.posted_at))
    if not days:
        return
    stored = {
        (scope, person): (first, last)
        for scope, person, first, last in MemberSpan.objects.filter(
            workspace_id=workspace_id, person_id__in={p for _s, p in days}, scope__in={s for s, _p in days}
        ).values_list("scope", "person_id", "first_day", "last_day")
    }
    spans = []
    for (scope, person), seen in days.items():
        ordered = sorted(seen)
        first, last = stored.get((scope, person), (None, None))
        if first is None:
            daily[(scope, ordered[0])]["new_members"] += 1
        elif ordered[0] < first:  # an older message arrived late: the member is new on that day instead
            daily[(scope, first)]["new_members"] -= 1
            daily[(scope, ordered[0])]["new_members"] += 1
        previous = last
        for day in ordered:
            if previous is not None and day >= previous + timedelta(days=QUIET_DAYS):
                daily[(scope, day)]["returning"] += 1
            previous = day if previous is None else max(previous, day)
        spans.append((workspace_id, scope, person, ordered[0], ordered[-1]))
    upsert.widen(MemberSpan._meta.db_table, ["workspace_id", "scope", "person_id"], "first_day", "last_day", spans)


def _threads(workspace_id: int, rows: Sequence[Row]) -> None:
    threads: dict[int, list] = {}
    for row in rows:
        day = day_of(row.posted_at)
        entry = threads.setdefault(row.conversation_id, [row.conversation_id, workspace_id, row.scope, day, 0])
        entry[3] = min(entry[3], day)
        entry[4] += row.inbound
    upsert.add_thread(ThreadCount._meta.db_table, list(threads.values()))


def rows_of(messages: Iterable) -> list[Row]:
    """Rollup rows of stored messages (inbox ``Message`` instances); their authors' persons in one query."""
    from federe.people.models import Identity

    messages = list(messages)
    persons = dict(
        Identity.objects.filter(pk__in={m.author_id for m in messages if m.author_id}).values_list("pk", "person_id")
    )
    return [
        Row(
            workspace_id=m.workspace_id,
            scope=m.connection_id,
            conversation_id=m.conversation_id,
            person_id=persons.get(m.author_id),
            inbound=m.direction == "in",
            is_reply=bool(m.parent_external_id),
            sentiment=m.sentiment or "",
            reach=m.reach,
            engagement=m.engagement,
            posted_at=m.posted_at,
        )
        for m in messages
    ]


# ------------------------------------------------------------------------------------------------ moderation


def count_decisions(decisions: Sequence) -> None:
    """Moderation verdicts (not side actions: labels, notices…), each on the day it was made, in its channel."""
    from federe.moderation.models import Verdict

    counted: dict[tuple, int] = defaultdict(int)
    for d in decisions:
        if d.action not in Verdict.values:
            continue
        day = day_of(d.created_at or timezone.now())
        reason = str((d.reasons[0] or {}).get("code", ""))[:24] if d.reasons and isinstance(d.reasons[0], dict) else ""
        for scope in (d.message.connection_id, WHOLE):
            counted[(d.workspace_id, scope, day, d.action, reason, d.actor_id is None)] += 1
    upsert.add(
        DailyDecision._meta.db_table,
        ["workspace_id", "scope", "day", "action", "reason", "automatic"],
        ["count"],
        [(*key, n) for key, n in counted.items()],
    )


# ------------------------------------------------------------------------------------------------ refined scores


@contextmanager
def sentiments_follow(after: dict[int, str]) -> Iterator[None]:
    """Around an update of messages' sentiments (``after`` by id): the buckets move from the old to the new."""
    before = sentiments(list(after))
    yield
    move_sentiment(before, after)


def sentiments(message_ids: Sequence[int]) -> list[tuple[int, int, int, datetime, bool, str]]:
    """(message, workspace, channel, posted_at, inbound, sentiment) of messages whose scores are about to change."""
    from federe.inbox.models import Message

    rows = Message.objects.filter(pk__in=message_ids).values_list(
        "pk", "workspace_id", "connection_id", "posted_at", "direction", "sentiment"
    )
    return [(pk, ws, channel, at, way == "in", tone or "") for pk, ws, channel, at, way, tone in rows]


def move_sentiment(before: Sequence[tuple[int, int, int, datetime, bool, str]], after: dict[int, str]) -> None:
    """The buckets follow the messages whose sentiment changed (``before`` from ``sentiments``; ``after`` by id)."""
    by_workspace: dict[int, dict[tuple[int, date], dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    )
    for pk, workspace_id, channel, posted_at, inbound, old in before:
        new = after.get(pk, old)
        if not inbound or old == new:
            continue
        for scope in (channel, WHOLE):
            counters = by_workspace[workspace_id][(scope, day_of(posted_at))]
            if old in SENTIMENTS:
                counters[old] -= 1
            if new in SENTIMENTS:
                counters[new] += 1
    for workspace_id, daily in by_workspace.items():
        upsert.add(
            DailyCount._meta.db_table,
            ["workspace_id", "scope", "day"],
            COUNTERS,  # every column: an inserted row needs them all
            [(workspace_id, scope, day, *(c[name] for name in COUNTERS)) for (scope, day), c in daily.items()],
        )


def forget_workspace(workspace_id: int) -> None:
    """Every summary row of a workspace (before a rebuild)."""
    for model in (DailyCount, DailyDecision, MemberSpan, ThreadCount):
        model.objects.filter(workspace_id=workspace_id).delete()
