"""Business-hours arithmetic, pure: no database, no clock. Every instant in and out is an aware UTC datetime.

A :class:`Calendar` is either *calendar hours* (every minute counts) or *business hours*: for each weekday
(Monday = 0) a few intervals of local wall-clock time, in minutes since midnight (``(540, 720)`` is 09:00–12:00;
1440 is the next midnight), in one IANA timezone, minus holidays (local dates, the whole day).

Summer time: an interval's ends are read on the local clock of that date with ``fold=0`` (the first of two
repeated times, and for a time that does not exist, the offset in force before the change), then turned into UTC
instants. The counted time is real elapsed time: 09:00–17:00 is 8 h on any day, 00:00–06:00 is 5 h on the night
the clocks go forward and 7 h on the night they go back. The day's UTC intervals are sorted and merged, so a
change of offset inside an interval can never make two of them overlap or an end come before its start.

``pauses`` (UTC intervals, e.g. while we wait on the customer) are taken out of the counted time: nothing inside
a pause counts, whatever the calendar says.

- :func:`add` — the instant at which ``duration`` of counted time has passed since ``start``.
- :func:`between` — the counted time in ``[start, end)``.

``add(cal, t, d)`` is always inside counted time (or at the end of an interval), and
``between(cal, t, add(cal, t, d)) == d``. A calendar with no interval at all can never count a minute: ``add``
returns ``None`` when the time is not reached within :data:`HORIZON_DAYS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_MINUTES = 1440
#: How far ahead ``add`` looks before saying "never" (a calendar whose hours are all holidays).
HORIZON_DAYS = 3 * 366

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Calendar:
    timezone: str = "UTC"
    #: Seven tuples (Monday first) of (start, end) minutes since local midnight; None: calendar hours.
    week: tuple[tuple[tuple[int, int], ...], ...] | None = None
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def always(self) -> bool:
        return self.week is None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _local_to_utc(day: date, minute: int, zone: ZoneInfo) -> datetime:
    extra, minute = divmod(minute, DAY_MINUTES)
    local = datetime.combine(day + timedelta(days=extra), time(minute // 60, minute % 60), tzinfo=zone)
    return local.astimezone(UTC)


def _raw_day(cal: Calendar, day: date, zone: ZoneInfo) -> list[Span]:
    if cal.week is None or day in cal.holidays:
        return []
    spans = []
    for start, end in cal.week[day.weekday()]:
        a, b = _local_to_utc(day, start, zone), _local_to_utc(day, end, zone)
        if b > a:
            spans.append((a, b))
    return spans


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def open_spans(cal: Calendar, since: datetime) -> Iterator[Span]:
    """The calendar's counted UTC intervals that end after ``since``, in order, disjoint; endless for calendar hours
    (one interval to the end of time), at most :data:`HORIZON_DAYS` of days for business hours."""
    if cal.always:
        yield since, datetime.max.replace(tzinfo=UTC)
        return
    zone = cal.zone
    day = since.astimezone(zone).date() - timedelta(days=2)
    pending: list[Span] = []
    for _ in range(HORIZON_DAYS):
        pending = _merge(pending + _raw_day(cal, day, zone))
        # Later days' intervals start after this day's local midnight: what ends before it is final.
        settled = _local_to_utc(day, 0, zone)
        while pending and pending[0][1] <= settled:
            span = pending.pop(0)
            if span[1] > since:
                yield max(span[0], since), span[1]
        day += timedelta(days=1)
    for span in pending:
        if span[1] > since:
            yield max(span[0], since), span[1]


def _minus_pauses(spans: Iterable[Span], pauses: Sequence[Span]) -> Iterator[Span]:
    """``spans`` with every pause taken out (pauses sorted and merged first)."""
    cuts = _merge([p for p in pauses if p[1] > p[0]])
    for a, b in spans:
        for pa, pb in cuts:
            if pb <= a or pa >= b:
                continue
            if pa > a:
                yield a, pa
            a = max(a, pb)
            if a >= b:
                break
        if a < b:
            yield a, b


def add(cal: Calendar, start: datetime, duration: timedelta, pauses: Sequence[Span] = ()) -> datetime | None:
    """The instant at which ``duration`` of counted time has passed since ``start`` (``start`` itself for no time);
    None if never (a calendar without hours)."""
    if duration <= timedelta(0):
        return start
    left = duration
    for a, b in _minus_pauses(open_spans(cal, start), pauses):
        if b - a >= left:
            return a + left
        left -= b - a
    return None


def between(cal: Calendar, start: datetime, end: datetime, pauses: Sequence[Span] = ()) -> timedelta:
    """Counted time in ``[start, end)``; zero when ``end`` is not after ``start``."""
    total = timedelta(0)
    if end <= start:
        return total
    for a, b in _minus_pauses(open_spans(cal, start), pauses):
        if a >= end:
            break
        total += min(b, end) - a
    return total


def add_minutes(cal: Calendar, start: datetime, minutes: int, pauses: Sequence[Span] = ()) -> datetime | None:
    return add(cal, start, timedelta(minutes=minutes), pauses)


def minutes_between(cal: Calendar, start: datetime, end: datetime, pauses: Sequence[Span] = ()) -> float:
    return between(cal, start, end, pauses) / timedelta(minutes=1)
