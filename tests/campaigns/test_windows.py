"""The campaign's window and its baseline of the same length just before it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from federe.campaigns.windows import campaign_window, measured


def test_days_on_the_workspace_clock_summer_time_included():
    whole = campaign_window(date(2026, 3, 28), date(2026, 3, 29), "Europe/Paris")
    assert whole.start == datetime(2026, 3, 27, 23, 0, tzinfo=UTC)
    assert whole.end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # the night of the change: 47 hours


def test_nothing_before_it_starts():
    assert measured(date(2026, 5, 1), date(2026, 5, 3), "UTC", datetime(2026, 4, 30, tzinfo=UTC)) is None


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(0, 90),
    st.integers(1, 200 * 24),
)
def test_the_baseline_has_the_same_length_and_ends_where_the_campaign_starts(start, days, hours_in):
    end = start + timedelta(days=days)
    now = campaign_window(start, end, "Europe/Paris").start + timedelta(hours=hours_in)
    baseline, during = measured(start, end, "Europe/Paris", now)
    assert baseline.end == during.start
    assert baseline.end - baseline.start == during.end - during.start
    assert during.end <= now and during.end <= campaign_window(start, end, "Europe/Paris").end
