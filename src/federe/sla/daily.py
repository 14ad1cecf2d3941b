"""Response figures per UTC day, stored as they are read: a period's figures are the sum of its days' (the dashboards).

A day's figures (``DayFigures``, for the whole workspace or one channel) are counted from the clocks that started
that day, with the rules of ``figures.py``, and stored. A later read takes them as they are while both hold:

- no clock of that day was written since: each write bumps the day's ``ClockDay.generation`` (``bump``, called by
  ``tracking`` in the writing transaction), and the figures keep the generation they were counted from (a clock's
  start, once set, never moves: its waits are only ever appended to);
- no target counted as still running has fallen due: ``expires`` is the earliest such due time.

Otherwise the day is counted again (one query for every such day of the period) and stored. The generation is read
before the clocks are counted, so a write committed meanwhile leaves the stored figures one generation behind: the
next read counts that day again. A period of 90 days reads 90 rows instead of 125,000 clocks (bench/analytics.py).

The median and p90 of the first response are those of the period's times rounded to the minute (each day keeps how
many threads waited each whole number of minutes); the pages show minutes. Counts and shares are exact.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import F, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from federe.analytics import upsert
from federe.analytics.models import WHOLE  # a channel's figures are under its id
from federe.analytics.period import Period
from federe.analytics.rollup import day_of
from federe.sla.figures import Figures, nearest_rank, outcome_counts
from federe.sla.models import ClockDay, DayFigures, Target, ThreadClock

log = logging.getLogger(__name__)

#: Up to this many days to count again are read one by one; more, as one range.
FEW_DAYS = 8


def bump(clocks: Iterable[ThreadClock]) -> None:
    """These clocks were written: the stored figures of the days they started on no longer hold. In (workspace, day)
    order, so that two transactions bumping the same days never wait on each other in a cycle."""
    days = {(c.workspace_id, day_of(c.started_at)) for c in clocks if c.started_at is not None}
    rows = [(workspace_id, day, 1) for workspace_id, day in sorted(days)]
    upsert.add(ClockDay._meta.db_table, ["workspace_id", "day"], ["generation"], rows)


def bump_all(workspace_id: int) -> None:
    """Every day's figures of the workspace are to be counted again (a policy was deleted: its clocks drop out)."""
    ClockDay.objects.filter(workspace_id=workspace_id).update(generation=F("generation") + 1)


def period_figures(
    workspace_id: int, since: date, until: date, now: datetime | None = None, channel: int | None = None
) -> Figures:
    """The figures of the threads started on the UTC days ``[since, until)``, as ``figures.response_figures`` counts
    them at ``now`` (times to the minute)."""
    now = now or timezone.now()
    scope = WHOLE if channel is None else channel
    in_period = {"workspace_id": workspace_id, "day__gte": since, "day__lt": until}
    generations = dict(ClockDay.objects.filter(**in_period).values_list("day", "generation"))
    days: dict[date, DayFigures] = {}
    for row in DayFigures.objects.filter(scope=scope, **in_period):
        holds = row.generation == generations.get(row.day, 0) and row.counted_at <= now
        if holds and (row.expires is None or now <= row.expires):
            days[row.day] = row
    stale = [since + timedelta(days=n) for n in range((until - since).days)]
    stale = [day for day in stale if day not in days]
    if stale:
        counted = _count(workspace_id, stale, now, channel, scope, generations)
        try:
            with transaction.atomic():
                _store(counted)
        except OperationalError:  # the database is busy with another writer (SQLite): stored at a later read
            log.info("response figures of %d days counted, not stored: the database is busy", len(counted))
        days.update((row.day, row) for row in counted)
    return _summed(since, until, days.values())


def _count(
    workspace_id: int, days: list[date], now: datetime, channel: int | None, scope: int, generations: dict
) -> list[DayFigures]:
    clocks = ThreadClock.objects.filter(workspace_id=workspace_id, policy__isnull=False)
    if channel is not None:
        clocks = clocks.filter(channel=channel)
    clocks = clocks.filter(_started_on(days))
    counts = outcome_counts(now)
    for target in Target.values:
        counts[f"expires_{target}"] = Min(f"{target}_due", filter=_running(target, now))
    by_day: dict[date, Any] = {
        found["day"]: found
        for found in clocks.annotate(day=TruncDate("started_at", tzinfo=UTC)).values("day").annotate(**counts)
    }
    waits: dict[date, Counter[int]] = {day: Counter() for day in days}
    answered = clocks.filter(first_response_at__isnull=False).values_list("started_at", "first_response_at")
    for started, first in answered:
        assert started is not None and first is not None  # by the filters
        waits[day_of(started)][round((first - started).total_seconds() / 60)] += 1
    rows = []
    for day in days:
        found: dict[str, Any] = by_day.get(day, {})
        expiries = [found[f"expires_{t}"] for t in Target.values if found.get(f"expires_{t}") is not None]
        rows.append(
            DayFigures(
                workspace_id=workspace_id,
                scope=scope,
                day=day,
                generation=generations.get(day, 0),
                counted_at=now,
                expires=min(expiries, default=None),
                threads=found.get("threads", 0),
                answered=found.get("answered", 0),
                outcomes={
                    f"{kind}_{t}": found.get(f"{kind}_{t}", 0) for t in Target.values for kind in ("met", "breached")
                },
                waits={str(minutes): n for minutes, n in sorted(waits[day].items())},
            )
        )
    return rows


def _started_on(days: list[date]) -> Q:
    """The clocks started on these days: each day's range when they are few, else the range from first to last."""
    if len(days) > FEW_DAYS:
        return _started_in(Period(days[0], days[-1] + timedelta(days=1)))
    ranges = Q()
    for day in days:
        ranges |= _started_in(Period(day, day + timedelta(days=1)))
    return ranges


def _started_in(period: Period) -> Q:
    since, until = period.instants()
    return Q(started_at__gte=since, started_at__lt=until)


def _running(target: str, now: datetime) -> Q:
    """``clocks.outcome`` is PENDING: due, not met, the thread not closed, the due time not passed yet."""
    return Q(**{f"{target}_due__isnull": False, f"{target}_at__isnull": True, f"{target}_due__gte": now}) & Q(
        closed_at__isnull=True
    )


def _store(rows: list[DayFigures]) -> None:
    """Each day's figures replace the ones stored (whoever counted last; an older generation is counted again)."""
    DayFigures.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["workspace", "scope", "day"],
        update_fields=["generation", "counted_at", "expires", "threads", "answered", "outcomes", "waits"],
    )


def _summed(since: date, until: date, days: Iterable[DayFigures]) -> Figures:
    threads = answered = 0
    outcomes: Counter[str] = Counter()
    waits: Counter[int] = Counter()
    for row in days:
        threads += row.threads
        answered += row.answered
        outcomes.update(row.outcomes)
        waits.update({int(minutes): n for minutes, n in row.waits.items()})
    met = {t: outcomes[f"met_{t}"] for t in Target.values}
    counted = {t: outcomes[f"met_{t}"] + outcomes[f"breached_{t}"] for t in Target.values}
    start, end = Period(since, until).instants()
    if not answered:
        return Figures(since=start, until=end, threads=threads, met=met, counted=counted)
    steps = sorted(waits.items())
    middle = (_at_rank(steps, (answered - 1) // 2) + _at_rank(steps, answered // 2)) / 2
    return Figures(
        since=start,
        until=end,
        threads=threads,
        answered=answered,
        first_response_median=timedelta(minutes=middle),
        first_response_p90=timedelta(minutes=_at_rank(steps, nearest_rank(answered, 0.9))),
        met=met,
        counted=counted,
    )


def _at_rank(steps: list[tuple[int, int]], rank: int) -> int:
    """The value at a rank (from 0) of the sorted values that (value, how many) steps in value order count."""
    seen = 0
    for value, n in steps:
        seen += n
        if rank < seen:
            return value
    raise IndexError(rank)
