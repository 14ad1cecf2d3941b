"""The campaign's window and its baseline: pure arithmetic on the workspace's clock.

- **The campaign's window** runs from its first day's midnight to the midnight after its last day, on the
  workspace's clock (summer time included), stored as UTC instants. While it runs, the window measured stops at
  *now*: a half-run campaign is compared on what has happened so far.
- **The baseline** is a window of the same length ending where the campaign starts: the same number of days
  just before it (``start − length`` to ``start``). Counts are compared as rates over equal lengths, so the two
  windows are comparable; before it starts, there is nothing to measure yet (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime  # excluded

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    @property
    def whole_days(self) -> int:
        """The length rounded to whole days, as the page says it ("12 days")."""
        return round(self.days)

    def first_day(self, tz: str) -> date:
        return self.start.astimezone(ZoneInfo(tz)).date()

    def last_day(self, tz: str) -> date:
        """The last day the window touches, on the workspace's clock."""
        return (self.end - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date()


def midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def campaign_window(starts_on: date, ends_on: date, tz: str) -> Window:
    """The whole campaign, first day to last day included."""
    return Window(midnight(starts_on, tz), midnight(ends_on + timedelta(days=1), tz))


def measured(starts_on: date, ends_on: date, tz: str, now: datetime) -> tuple[Window, Window] | None:
    """(baseline, campaign so far), or None before the campaign starts."""
    whole = campaign_window(starts_on, ends_on, tz)
    if now <= whole.start:
        return None
    during = Window(whole.start, min(whole.end, now))
    return Window(during.start - (during.end - during.start), during.start), during
