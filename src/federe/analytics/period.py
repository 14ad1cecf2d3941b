"""The period a dashboard shows: the last 7, 30 or 90 days (today included), or custom dates; and the period of the
same length just before it, for comparison. Days are UTC days, like the summary tables. Custom dates lie between
``EARLIEST`` and ``LATEST``: far dates (year 1 or 9999) would put the period before, or the day after the last, outside
the calendar (OverflowError)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
LONGEST = 731
EARLIEST = date(1970, 1, 1)
LATEST = date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    since: date  # the first day
    until: date  # the day after the last

    @property
    def days(self) -> int:
        return (self.until - self.since).days

    @property
    def last(self) -> date:
        return self.until - timedelta(days=1)

    def previous(self) -> Period:
        return Period(self.since - timedelta(days=self.days), self.since)

    def instants(self) -> tuple[datetime, datetime]:
        """The period as UTC instants ``[since, until)``."""
        return (
            datetime.combine(self.since, time.min, tzinfo=UTC),
            datetime.combine(self.until, time.min, tzinfo=UTC),
        )

    def each_day(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range(self.days)]


def last_days(days: int, today: date | None = None) -> Period:
    today = today or timezone.now().date()
    return Period(today - timedelta(days=days - 1), today + timedelta(days=1))


def parse(days: str | None = None, since: str | None = None, until: str | None = None) -> Period:
    """A period from a request's or command's words; ValidationError (translated) when they make none."""
    if since or until:
        try:
            first, last = date.fromisoformat(since or ""), date.fromisoformat(until or "")
        except ValueError as exc:
            raise ValidationError(_("Give both dates of a custom period, as YYYY-MM-DD.")) from exc
        if first < EARLIEST or last > LATEST:
            raise ValidationError(
                _("Choose dates between %(first)s and %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
            )
        if last < first:
            raise ValidationError(_("The period ends before it starts."))
        if (last - first).days + 1 > LONGEST:
            raise ValidationError(_("A period is at most %(n)d days long.") % {"n": LONGEST})
        return Period(first, last + timedelta(days=1))
    if not days:
        return last_days(DEFAULT_DAYS)
    if not days.isdigit() or int(days) not in PRESETS:
        raise ValidationError(_("Choose 7, 30 or 90 days, or custom dates."))
    return last_days(int(days))
