"""Business-hours arithmetic (sla/hours.py): examples, then properties over random calendars with hypothesis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.sla.hours import Calendar, add, add_minutes, between, minutes_between, open_spans

OFFICE = ((540, 720), (780, 1080))  # 09:00–12:00, 13:00–18:00
WEEKDAYS = (OFFICE,) * 5 + ((), ())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_calendar_hours_are_plain_time():
    cal = Calendar()
    assert add_minutes(cal, utc(2026, 3, 1, 23, 50), 20) == utc(2026, 3, 2, 0, 10)
    assert minutes_between(cal, utc(2026, 3, 1), utc(2026, 3, 2)) == 1440


def test_business_hours_skip_the_lunch_break_the_night_and_the_weekend():
    cal = Calendar("Europe/Paris", WEEKDAYS)
    friday_1130 = utc(2026, 1, 9, 10, 30)  # 11:30 in Paris (UTC+1)
    # 30 min before lunch, 5 h in the afternoon, then Monday 09:00 + 25 min.
    assert add_minutes(cal, friday_1130, 30 + 300 + 25) == utc(2026, 1, 12, 8, 25)
    assert minutes_between(cal, friday_1130, utc(2026, 1, 12, 8, 25)) == 355


def test_a_holiday_is_skipped_whole():
    cal = Calendar("Europe/Paris", WEEKDAYS, frozenset({date(2026, 5, 1)}))  # a Friday
    thursday_evening = utc(2026, 4, 30, 15, 50)  # 17:50 in Paris (UTC+2)
    assert add_minutes(cal, thursday_evening, 20) == utc(2026, 5, 4, 7, 10)  # Monday 09:10


def test_a_night_interval_on_the_spring_forward_night_in_paris_is_one_hour_shorter():
    night = (((0, 360),),) * 7  # 00:00–06:00 every day
    cal = Calendar("Europe/Paris", night)
    assert minutes_between(cal, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)) == 300  # clocks go 02:00 → 03:00
    assert minutes_between(cal, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == 420  # 03:00 → 02:00


def test_new_york_office_hours_keep_their_local_time_across_the_change():
    cal = Calendar("America/New_York", WEEKDAYS)
    # Friday 6 March 2026 at 17:30 EST (22:30 UTC); the clocks go forward on Sunday 8 March.
    due = add_minutes(cal, utc(2026, 3, 6, 22, 30), 60)
    assert due == utc(2026, 3, 9, 13, 30)  # Monday 09:30 EDT


def test_pauses_take_out_exactly_their_time():
    cal = Calendar()
    pause = (utc(2026, 1, 1, 10), utc(2026, 1, 1, 11))
    assert add_minutes(cal, utc(2026, 1, 1, 9), 120, [pause]) == utc(2026, 1, 1, 12)
    assert minutes_between(cal, utc(2026, 1, 1, 9), utc(2026, 1, 1, 12), [pause]) == 120


def test_a_calendar_without_hours_never_reaches_a_target():
    cal = Calendar("UTC", ((),) * 7)
    assert add_minutes(cal, utc(2026, 1, 1), 1) is None


# ------------------------------------------------------------------------------------------------ properties

ZONES = ["Europe/Paris", "America/New_York", "UTC", "Australia/Sydney"]


@st.composite
def day_intervals(draw) -> tuple[tuple[int, int], ...]:
    cuts = sorted(draw(st.sets(st.integers(0, 1440), max_size=6)))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    return tuple((a, b) for a, b in pairs if b > a)


@st.composite
def calendars(draw) -> Calendar:
    zone = draw(st.sampled_from(ZONES))
    week = tuple(draw(day_intervals()) for _ in range(7))
    if sum(b - a for day in week for a, b in day) < 120:  # at least two hours a week: targets are reached
        week = (((540, 1020),), *week[1:])
    holidays = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=20))
    return Calendar(zone, week, holidays)


instants = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)).map(lambda d: d.replace(tzinfo=UTC))
durations = st.integers(1, 5 * 1440).map(lambda m: timedelta(minutes=m))
# The DST nights of 2026: Paris 29 March and 25 October, New York 8 March and 1 November, Sydney 5 April and 4 October.
dst_nights = st.sampled_from(
    [
        utc(2026, 3, 29),
        utc(2026, 10, 25),
        utc(2026, 3, 8, 5),
        utc(2026, 11, 1, 5),
        utc(2026, 4, 4, 15),
        utc(2026, 10, 3, 15),
    ]
).flatmap(lambda t: st.integers(-600, 600).map(lambda m: t + timedelta(minutes=m)))
anywhen = st.one_of(instants, dst_nights)

fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(calendars(), anywhen, durations)
def test_add_then_measure_gives_the_duration_back(cal, start, duration):
    end = add(cal, start, duration)
    assert end is not None
    assert between(cal, start, end) == duration


@fast
@given(calendars(), anywhen, durations, durations)
def test_add_is_monotonic_in_the_duration(cal, start, d1, d2):
    short, long = sorted([d1, d2])
    assert add(cal, start, short) <= add(cal, start, long)


@fast
@given(calendars(), anywhen, anywhen, durations)
def test_add_is_monotonic_in_the_start(cal, t1, t2, duration):
    early, late = sorted([t1, t2])
    assert add(cal, early, duration) <= add(cal, late, duration)


@fast
@given(calendars(), anywhen, durations)
def test_the_result_is_inside_or_at_the_end_of_an_interval(cal, start, duration):
    end = add(cal, start, duration)
    spans = list(open_spans(cal, end - timedelta(days=3)))
    assert any(a < end <= b for a, b in spans)


@fast
@given(calendars(), anywhen, durations)
def test_a_holiday_never_counts(cal, start, duration):
    end = add(cal, start, duration)
    zone = cal.zone
    for a, b in open_spans(cal, start):
        if a >= end:
            break
        for point in (a + (b - a) / 4, a + (b - a) / 2, b - timedelta(microseconds=1)):
            assert point.astimezone(zone).date() not in cal.holidays


@fast
@given(calendars(), anywhen, anywhen, anywhen)
def test_measure_is_additive(cal, t1, t2, t3):
    a, b, c = sorted([t1, t2, t3])
    assert between(cal, a, c) == between(cal, a, b) + between(cal, b, c)


@fast
@given(calendars(), anywhen, durations, st.lists(st.tuples(anywhen, durations), max_size=4))
def test_pauses_subtract_exactly(cal, start, duration, raw_pauses):
    pauses = [(a, a + d) for a, d in raw_pauses]
    end = add(cal, start, duration, pauses)
    assert end is not None
    assert between(cal, start, end, pauses) == duration
    paused = sum((between(cal, max(a, start), min(b, end)) for a, b in _merged(pauses)), timedelta(0))
    assert between(cal, start, end) == duration + paused


def _merged(pauses):
    out: list[list[datetime]] = []
    for a, b in sorted(pauses):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


@fast
@given(st.sampled_from(["Europe/Paris", "America/New_York"]), dst_nights, st.integers(1, 600))
def test_calendar_hours_count_real_minutes_across_dst(zone, start, minutes):
    cal = Calendar(zone)
    assert add_minutes(cal, start, minutes) == start + timedelta(minutes=minutes)
