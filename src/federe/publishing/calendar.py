"""The calendar's grid, pure: which local days a week or a month shows, the UTC window they cover, where each entry
sits (its day and hour on the workspace's clock) and the time a post takes when it is dropped on another day or
slot. No database here: ``calendar_entries`` gathers what is placed, ``calendar_views`` shows it.

Every placement goes through the workspace's timezone, so a post at 02:30 on the night summer time ends sits on that
night (it happens twice: both are in the 02:00 row), one typed 02:30 on the night it starts (that hour does not exist)
sits at 03:30, and a post dragged across either change keeps its wall-clock time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEK, MONTH = "week", "month"
VIEWS = (WEEK, MONTH)
HOURS = tuple(range(24))


@dataclass(frozen=True)
class Entry:
    """Something placed on the calendar: a post, or one later occurrence of a recurring post."""

    post_id: int
    at: datetime  # UTC
    occurrence: int = 0  # 0: the post itself; n: its n-th repeat
    data: Any = None  # what the page shows (text, channels, state)

    @property
    def repeat(self) -> bool:
        return self.occurrence > 0


@dataclass
class Placed:
    entry: Entry
    local: datetime  # on the workspace's clock


@dataclass
class Day:
    day: date
    in_month: bool = True
    today: bool = False
    entries: list[Placed] = field(default_factory=list)

    def at_hour(self, hour: int) -> list[Placed]:
        return [p for p in self.entries if p.local.hour == hour]


@dataclass
class Grid:
    view: str
    anchor: date
    days: list[Day]
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    @property
    def weeks(self) -> list[list[Day]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]

    @property
    def hours(self) -> list[tuple[int, list[tuple[Day, list[Placed]]]]]:
        """The week view's rows: each hour with its seven cells (the day, what is placed in that hour)."""
        return [(hour, [(day, day.at_hour(hour)) for day in self.days]) for hour in HOURS]

    @property
    def count(self) -> int:
        return sum(len(day.entries) for day in self.days if day.in_month)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (weeks start on Monday, as in France and ISO 8601)."""
    return day - timedelta(days=day.weekday())


def shown_days(view: str, anchor: date) -> list[tuple[date, bool]]:
    """The days a view shows, each with whether it belongs to the anchor's month (always for a week)."""
    if view == WEEK:
        first = week_start(anchor)
        return [(first + timedelta(days=i), True) for i in range(7)]
    first_of_month = anchor.replace(day=1)
    start = week_start(first_of_month)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    end = week_start(next_month - timedelta(days=1)) + timedelta(days=7)
    return [
        (start + timedelta(days=i), (start + timedelta(days=i)).month == anchor.month)
        for i in range((end - start).days)
    ]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a local day begins (a day starts at 00:00 even when summer time changes that night)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def build(view: str, anchor: date, zone: ZoneInfo, entries: Iterable[Entry], today: date | None = None) -> Grid:
    """The grid of ``view`` around ``anchor``, entries placed on their local day, in time order."""
    days_shown = shown_days(view, anchor)
    days = [Day(d, in_month, d == today) for d, in_month in days_shown]
    start, end = window(view, anchor, zone)
    by_day: dict[date, list[Placed]] = defaultdict(list)
    for entry in entries:
        if start <= entry.at < end:
            local = entry.at.astimezone(zone)
            by_day[local.date()].append(Placed(entry, local))
    for day in days:
        # Sorted by the instant, so the two 02:30s of the October night keep their order.
        day.entries = sorted(by_day.get(day.day, []), key=lambda p: (p.entry.at, p.entry.post_id))
    return Grid(view, anchor, days, start, end)


def window(view: str, anchor: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants from the first shown day's local midnight to the one after the last shown day."""
    days = shown_days(view, anchor)
    return local_midnight(days[0][0], zone), local_midnight(days[-1][0] + timedelta(days=1), zone)


def step(view: str, anchor: date, direction: int) -> date:
    """The anchor of the previous (-1) or next (+1) week or month."""
    if view == WEEK:
        return anchor + timedelta(weeks=direction)
    month = anchor.month - 1 + direction
    return date(anchor.year + month // 12, month % 12 + 1, 1)


def moved_to(current: datetime, day: date, at: time | None, zone: ZoneInfo) -> datetime:
    """The UTC time of a post dropped on ``day``: at ``at`` (a week slot, or the time typed) or, without one (a
    month's day), at the same wall-clock time as before. A time that does not exist that day (the skipped hour in
    March) moves forward by the gap; one that happens twice (October) is the first."""
    local = current.astimezone(zone)
    wanted = at if at is not None else local.time().replace(tzinfo=None)
    return datetime.combine(day, wanted.replace(second=0, microsecond=0), tzinfo=zone).astimezone(UTC)
