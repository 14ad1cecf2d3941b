"""Queue slots as instants: "Tuesdays at 09:00" on a workspace's clock, turned into UTC times. Pure: no database.

A slot is a weekday (Monday 0 … Sunday 6) and a wall-clock time in the workspace's timezone. Across a change of
the clocks:

- a time that does not exist that day (02:30 in Paris on the last Sunday of March, when 02:00 jumps to 03:00)
  moves to the first minute after the gap: **03:00** (not 03:30);
- a time that happens twice (02:30 on the last Sunday of October) is taken **once**, at its first occurrence
  (02:30 summer time, 00:30 UTC), never twice.

``upcoming`` yields a set of slots' instants in order; ``parse_days`` and ``parse_times`` read "mon-fri" and
"9:00, 17:00" for the forms and the command line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: How far ahead a queue is looked into: past this, a channel's queue is taken for full.
HORIZON_DAYS = 366
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FRENCH_DAYS = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")

Slot = tuple[int, time]  # (weekday, wall-clock time)


def instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``at`` on ``day`` in ``zone``: a time skipped by the clocks moves to the end of the gap,
    a time that happens twice is its first occurrence."""
    wall = datetime.combine(day, at.replace(tzinfo=None))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # it exists (the first of two when it happens twice)
    # Skipped: with fold=1 Python reads it with the offset after the change, which lands before the change.
    # The change itself lies between the two readings; find it to the second.
    before, after = wall.replace(tzinfo=zone, fold=1).astimezone(UTC), first
    low, high = min(before, after), max(before, after)
    low_offset = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == low_offset:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def upcoming(slots: Iterable[Slot], zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """The slots' instants strictly after ``after`` (aware), in order, each once, for ``HORIZON_DAYS`` days."""
    by_day: dict[int, list[time]] = {}
    for weekday, at in set(slots):
        by_day.setdefault(weekday, []).append(at)
    if not by_day:
        return
    start = after.astimezone(zone).date()
    seen: set[datetime] = set()
    for offset in range(HORIZON_DAYS + 1):
        try:
            day = start + timedelta(days=offset)
        except OverflowError:
            return
        moments = sorted({instant(day, at, zone) for at in by_day.get(day.weekday(), ())})
        for moment in moments:
            if moment > after and moment not in seen:  # two slots of one gap (02:15, 02:45) are one instant
                seen.add(moment)
                yield moment


def parse_days(text: str) -> list[int]:
    """ "mon-fri", "tue,thu", "sat sun", "lun-ven" or "1-5" (1 is Monday) as weekdays (Monday 0)."""
    days: list[int] = []
    for part in re.split(r"[\s,;]+", text.strip().lower()):
        if not part:
            continue
        ends = re.split(r"[-–]", part)
        if len(ends) > 2:
            raise ValidationError(_("Days are written like mon-fri or tue,thu."))
        first, last = (_day(ends[0]), _day(ends[-1]))
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        days.extend(d for d in span if d not in days)
    if not days:
        raise ValidationError(_("Give at least one day, such as mon-fri."))
    return sorted(days)


def _day(word: str) -> int:
    word = word.strip()[:3]
    if word in DAY_NAMES:
        return DAY_NAMES.index(word)
    if word in _FRENCH_DAYS:
        return _FRENCH_DAYS.index(word)
    if word.isascii() and word.isdigit() and 1 <= int(word) <= 7:
        return int(word) - 1
    raise ValidationError(_("Unknown day “%(day)s”: write mon, tue, wed, thu, fri, sat or sun.") % {"day": word})


_TIME = re.compile(r"^([01]?\d|2[0-3])(?:h|(?:[:h.]([0-5]\d)))?$")


def parse_times(text: str) -> list[time]:
    """ "9:00, 17:30", "9h 17h30" or "09.15" as times of day, each once, in order."""
    times: set[time] = set()
    for part in re.split(r"[\s,;]+", text.strip().lower()):
        if not part:
            continue
        match = _TIME.match(part)
        if match is None:
            raise ValidationError(_("Unknown time “%(time)s”: write it like 9:00 or 17:30.") % {"time": part[:20]})
        times.add(time(int(match[1]), int(match[2] or 0)))
    if not times:
        raise ValidationError(_("Give at least one time, such as 9:00."))
    return sorted(times)
