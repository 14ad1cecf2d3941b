"""Queue slots as instants (publishing/slots.py): wall-clock times across the changes of the clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from federe.publishing.slots import instant, parse_days, parse_times, upcoming

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
MON, TUE, SUN = 0, 1, 6


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_nine_o_clock_stays_nine_o_clock_across_both_changes_in_paris():
    after = utc(2026, 3, 20)
    tuesdays = list(islice(upcoming([(TUE, time(9))], PARIS, after), 2))
    assert tuesdays == [utc(2026, 3, 24, 8), utc(2026, 3, 31, 7)]  # winter +1, then summer +2
    autumn = list(islice(upcoming([(TUE, time(9))], PARIS, utc(2026, 10, 20)), 2))
    assert autumn == [utc(2026, 10, 20, 7), utc(2026, 10, 27, 8)]


def test_a_slot_in_the_hour_skipped_in_march_moves_to_three_o_clock():
    # 29 March 2026: 02:00 in Paris becomes 03:00; 02:30 does not exist and goes out at 03:00 (01:00 UTC)
    assert instant(date(2026, 3, 29), time(2, 30), PARIS) == utc(2026, 3, 29, 1)
    assert instant(date(2026, 3, 29), time(2, 0), PARIS) == utc(2026, 3, 29, 1)
    assert instant(date(2026, 3, 29), time(3, 0), PARIS) == utc(2026, 3, 29, 1)
    assert instant(date(2026, 3, 29), time(1, 59), PARIS) == utc(2026, 3, 29, 0, 59)
    # 28 March 2027 as well
    assert instant(date(2027, 3, 28), time(2, 30), PARIS) == utc(2027, 3, 28, 1)


def test_two_slots_in_the_gap_give_one_instant_not_two():
    found = list(islice(upcoming([(SUN, time(2, 15)), (SUN, time(2, 45))], PARIS, utc(2026, 3, 28)), 3))
    assert found == [utc(2026, 3, 29, 1), utc(2026, 4, 5, 0, 15), utc(2026, 4, 5, 0, 45)]


def test_a_slot_in_the_hour_repeated_in_october_is_taken_once_at_its_first_occurrence():
    # 25 October 2026: 03:00 summer time becomes 02:00 again; 02:30 happens at 00:30 and 01:30 UTC
    found = list(islice(upcoming([(SUN, time(2, 30))], PARIS, utc(2026, 10, 24)), 2))
    assert found == [utc(2026, 10, 25, 0, 30), utc(2026, 11, 1, 1, 30)]
    # asked from between the two occurrences: the next one is the next week, never the second 02:30
    between = utc(2026, 10, 25, 1)
    assert next(upcoming([(SUN, time(2, 30))], PARIS, between)) == utc(2026, 11, 1, 1, 30)
    # 31 October 2027
    assert instant(date(2027, 10, 31), time(2, 30), PARIS) == utc(2027, 10, 31, 0, 30)


def test_new_york_changes_on_other_dates():
    # 8 March 2026 (second Sunday of March): 02:30 does not exist, moves to 03:00 EDT (07:00 UTC)
    assert instant(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7)
    # 1 November 2026: 01:30 happens twice; the first is 05:30 UTC (EDT)
    assert instant(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    # Paris has not changed yet on 8 March: 09:00 is still 08:00 UTC there, 13:00 UTC in New York
    assert instant(date(2026, 3, 9), time(9), NEW_YORK) == utc(2026, 3, 9, 13)
    assert instant(date(2026, 3, 9), time(9), PARIS) == utc(2026, 3, 9, 8)


def test_upcoming_is_strictly_after_and_in_order_over_several_days():
    slots = [(MON, time(17)), (MON, time(9)), (TUE, time(9))]
    found = list(islice(upcoming(slots, PARIS, utc(2026, 12, 7, 8)), 4))  # Monday 7 Dec, 09:00 Paris exactly
    assert found == [utc(2026, 12, 7, 16), utc(2026, 12, 8, 8), utc(2026, 12, 14, 8), utc(2026, 12, 14, 16)]


def test_no_slot_gives_nothing():
    assert list(upcoming([], PARIS, utc(2026, 12, 7))) == []


def test_days_and_times_are_read_in_words():
    assert parse_days("mon-fri") == [0, 1, 2, 3, 4]
    assert parse_days("Tue, thu") == [1, 3]
    assert parse_days("lun–ven") == [0, 1, 2, 3, 4]
    assert parse_days("sat-mon") == [0, 5, 6]
    assert parse_days("6 7") == [5, 6]
    assert parse_times("9:00, 17h30 9h") == [time(9), time(17, 30)]
    for bad in ("", "someday", "mon-tue-wed", "8"):
        with pytest.raises(ValidationError):
            parse_days(bad)
    for bad in ("", "25:00", "9:61", "noon", "9:00:00"):
        with pytest.raises(ValidationError):
            parse_times(bad)
