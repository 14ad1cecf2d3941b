"""The calendar's grid, pure: the days a week or a month shows, where an entry sits on the workspace's clock (the
nights summer time starts and ends in Europe/Paris included) and the time a dropped post takes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from federe.publishing import calendar
from federe.publishing.calendar import Entry

PARIS = ZoneInfo("Europe/Paris")
# 2026: summer time starts on Sunday 29 March (02:00 → 03:00) and ends on Sunday 25 October (03:00 → 02:00).
MARCH_CHANGE, OCTOBER_CHANGE = date(2026, 3, 29), date(2026, 10, 25)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_week_starts_on_monday_and_a_month_shows_whole_weeks():
    week = calendar.shown_days(calendar.WEEK, date(2026, 12, 10))  # a Thursday
    assert [d for d, _ in week] == [date(2026, 12, 7) + timedelta(days=i) for i in range(7)]
    month = calendar.shown_days(calendar.MONTH, date(2026, 3, 15))
    assert month[0] == (date(2026, 2, 23), False) and month[-1] == (date(2026, 4, 5), False)
    assert len(month) % 7 == 0 and sum(in_month for _, in_month in month) == 31


def test_the_window_runs_from_local_midnight_to_local_midnight():
    start, end = calendar.window(calendar.WEEK, date(2026, 3, 25), PARIS)
    assert start == utc(2026, 3, 22, 23)  # Monday 23 March 00:00 in winter (+01:00)
    assert end == utc(2026, 3, 29, 22)  # Monday 30 March 00:00 in summer (+02:00): the week is 167 hours long


def test_a_post_at_0230_on_the_march_change_sits_at_0330_that_day():
    # 02:30 does not exist that night: typed on the workspace's clock it is 01:30 UTC, 03:30 summer time.
    typed = datetime.combine(MARCH_CHANGE, time(2, 30), tzinfo=PARIS).astimezone(UTC)
    assert typed == utc(2026, 3, 29, 1, 30)
    grid = calendar.build(calendar.WEEK, MARCH_CHANGE, PARIS, [Entry(1, typed)])
    sunday = grid.days[6]
    assert sunday.day == MARCH_CHANGE and [p.entry.post_id for p in sunday.at_hour(3)] == [1]
    assert all(not day.entries for day in grid.days[:6])


def test_both_0230s_of_the_october_night_sit_in_the_0200_row_of_that_sunday_in_order():
    first, second = utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)  # 02:30 summer time, then 02:30 winter time
    grid = calendar.build(calendar.MONTH, OCTOBER_CHANGE, PARIS, [Entry(2, second), Entry(1, first)])
    sunday = next(day for day in grid.days if day.day == OCTOBER_CHANGE)
    assert [(p.entry.post_id, p.local.strftime("%H:%M")) for p in sunday.entries] == [(1, "02:30"), (2, "02:30")]
    assert [p.entry.post_id for p in sunday.at_hour(2)] == [1, 2]


def test_a_post_near_midnight_sits_on_its_local_day_not_its_utc_day():
    late = utc(2026, 12, 8, 23, 30)  # Wednesday 00:30 in Paris, still Tuesday in UTC
    grid = calendar.build(calendar.WEEK, date(2026, 12, 8), PARIS, [Entry(1, late)])
    assert [day.day for day in grid.days if day.entries] == [date(2026, 12, 9)]
    grid = calendar.build(calendar.WEEK, date(2026, 12, 8), ZoneInfo("America/New_York"), [Entry(1, late)])
    assert [day.day for day in grid.days if day.entries] == [date(2026, 12, 8)]


def test_entries_outside_the_window_are_left_out():
    grid = calendar.build(calendar.WEEK, date(2026, 12, 8), PARIS, [Entry(1, utc(2026, 12, 6, 22, 59))])
    assert grid.count == 0
    grid = calendar.build(calendar.WEEK, date(2026, 12, 8), PARIS, [Entry(1, utc(2026, 12, 6, 23, 0))])
    assert grid.count == 1 and grid.days[0].entries[0].local.hour == 0


def test_dropping_on_a_day_keeps_the_wall_clock_time_across_both_changes():
    friday_nine = datetime(2026, 3, 27, 9, 0, tzinfo=PARIS).astimezone(UTC)  # 08:00 UTC in winter
    moved = calendar.moved_to(friday_nine, date(2026, 3, 30), None, PARIS)
    assert moved == utc(2026, 3, 30, 7) and moved.astimezone(PARIS).strftime("%H:%M") == "09:00"
    october_nine = datetime(2026, 10, 23, 9, 0, tzinfo=PARIS).astimezone(UTC)  # 07:00 UTC in summer
    moved = calendar.moved_to(october_nine, date(2026, 10, 26), None, PARIS)
    assert moved == utc(2026, 10, 26, 8) and moved.astimezone(PARIS).strftime("%H:%M") == "09:00"


def test_dropping_on_a_slot_takes_its_time_and_the_skipped_hour_moves_forward():
    start = utc(2026, 3, 27, 8)
    assert calendar.moved_to(start, date(2026, 3, 31), time(14, 0), PARIS) == utc(2026, 3, 31, 12)
    # 02:00 does not exist on 29 March: it becomes 03:00 summer time.
    assert calendar.moved_to(start, MARCH_CHANGE, time(2, 0), PARIS).astimezone(PARIS).hour == 3


def test_previous_and_next_step_by_a_week_or_a_month():
    assert calendar.step(calendar.WEEK, date(2026, 12, 30), 1) == date(2027, 1, 6)
    assert calendar.step(calendar.MONTH, date(2026, 12, 30), 1) == date(2027, 1, 1)
    assert calendar.step(calendar.MONTH, date(2026, 1, 31), -1) == date(2025, 12, 1)


def test_today_is_marked():
    grid = calendar.build(calendar.MONTH, date(2026, 12, 6), PARIS, [], today=date(2026, 12, 6))
    assert [day.day for day in grid.days if day.today] == [date(2026, 12, 6)]
