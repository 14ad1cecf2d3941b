"""A period's response figures summed from each day's stored figures (``sla/daily.py``) equal the definitions over
every clock of the period, whatever was stored before: after writes (each bumps its day), after a due time passes
with no write, after a policy is deleted, and when a write commits while a read is counting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.sla import daily, services, tracking
from federe.sla.models import ClockDay, DayFigures, ThreadClock
from tests.sla.conftest import T0, customer, new_thread, policy
from tests.sla.test_figures_property import reference

pytestmark = pytest.mark.django_db
DAY0 = T0.date()


MINUTE = timedelta(minutes=1)  # the dashboards keep first response times to the minute


def shown(found) -> dict:
    return {
        "threads": found.threads,
        "answered": found.answered,
        "median": found.first_response_median,
        "p90": found.first_response_p90,
        "met": found.met,
        "counted": found.counted,
    }


def utc_day(n: int) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=n), datetime.min.time(), tzinfo=UTC)


MINUTES = st.sampled_from([None, 0, 1, 30, 61, 90, 240, 600, 1500, 3000])  # after the start; None: not set
CLOCK = st.tuples(st.integers(0, 4 * 1440), st.lists(MINUTES, min_size=7, max_size=7), st.integers(0, 1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    clocks=st.lists(CLOCK, max_size=14),
    first=st.integers(0, 3),
    length=st.integers(1, 4),
    reads=st.lists(st.integers(0, 8 * 1440), min_size=1, max_size=3),
    seconds=st.integers(0, 59),
)
def test_the_figures_summed_by_day_equal_the_definitions(workspace, owner, conn, clocks, first, length, reads, seconds):
    from tests.factories import ConnectionFactory

    for model in (ThreadClock, DayFigures, ClockDay):
        model.objects.filter(workspace=workspace).delete()
    chosen = policy(workspace, owner, name="P")
    channels = [conn, ConnectionFactory(workspace=workspace)]
    made = []
    for start, times, channel in clocks:
        started = T0 + timedelta(minutes=start, seconds=seconds)
        moments = [None if m is None else started + timedelta(minutes=m) for m in times]
        fr_due, fr_at, nr_due, nr_at, res_due, res_at, closed = moments
        made.append(
            ThreadClock(
                conversation=new_thread(channels[channel]),
                workspace=workspace,
                policy=chosen,
                channel=channels[channel].pk,
                started_at=started,
                first_response_due=fr_due,
                first_response_at=fr_at,
                next_response_due=nr_due,
                next_response_at=nr_at,
                resolution_due=res_due,
                resolution_at=res_at,
                closed_at=closed,
            )
        )
    tracking._save(made, [])  # as tracking writes them: their days are bumped
    since, until = DAY0 + timedelta(days=first), DAY0 + timedelta(days=first + length)
    for minutes in sorted(reads):  # later and later reads: stored days are used, or counted again once due
        now = T0 + timedelta(minutes=minutes)
        for channel in (None, channels[1].pk):
            window = [
                c
                for c in made
                if utc_day(first) <= c.started_at < utc_day(first + length) and channel in (None, c.channel)
            ]
            found = daily.period_figures(workspace.pk, since, until, now=now, channel=channel)
            assert shown(found) == reference(window, now, unit=MINUTE), (now, channel)
    services.remove(chosen, by=owner)


def test_a_reply_after_a_read_moves_the_stored_day(workspace, owner, conn):
    policy(workspace, owner)
    thread = new_thread(conn)
    customer(thread, T0)
    now = T0 + timedelta(minutes=30)
    assert daily.period_figures(workspace.pk, DAY0, DAY0 + timedelta(days=1), now=now).answered == 0
    assert DayFigures.objects.filter(workspace=workspace, day=DAY0).count() == 1  # stored

    tracking.replied(thread, T0 + timedelta(minutes=20))

    found = daily.period_figures(workspace.pk, DAY0, DAY0 + timedelta(days=1), now=now)
    assert (found.answered, found.first_response_median) == (1, timedelta(minutes=20))
    assert found.met["first_response"] == 1


def test_a_target_falling_due_with_no_write_is_breached_at_the_next_read(workspace, owner, conn):
    policy(workspace, owner, first_response_minutes=60)
    customer(new_thread(conn), T0)
    day = (DAY0, DAY0 + timedelta(days=1))
    before = daily.period_figures(workspace.pk, *day, now=T0 + timedelta(minutes=59))
    assert (before.met["first_response"], before.counted["first_response"]) == (0, 0)  # still running

    after = daily.period_figures(workspace.pk, *day, now=T0 + timedelta(minutes=61))

    assert (after.met["first_response"], after.counted["first_response"]) == (0, 1)


def test_deleting_a_policy_takes_its_closed_threads_out_of_the_stored_days(workspace, owner, conn):
    chosen = policy(workspace, owner)
    thread = new_thread(conn)
    customer(thread, T0)
    tracking.status_changed(thread, "closed", T0 + timedelta(minutes=5))
    day = (DAY0, DAY0 + timedelta(days=1))
    assert daily.period_figures(workspace.pk, *day, now=T0 + timedelta(hours=2)).threads == 1

    services.remove(chosen, by=owner)

    assert daily.period_figures(workspace.pk, *day, now=T0 + timedelta(hours=2)).threads == 0


def test_a_write_committed_while_a_read_counts_is_seen_by_the_next_read(workspace, owner, conn, monkeypatch):
    """The read counts the day, then a reply is written before it stores what it counted: what it stored is one
    generation behind, so the next read counts the day again."""
    policy(workspace, owner)
    thread = new_thread(conn)
    customer(thread, T0)
    store = daily._store

    def reply_then_store(rows):
        tracking.replied(thread, T0 + timedelta(minutes=10))
        store(rows)

    monkeypatch.setattr(daily, "_store", reply_then_store)
    now = T0 + timedelta(minutes=30)
    day = (DAY0, DAY0 + timedelta(days=1))
    assert daily.period_figures(workspace.pk, *day, now=now).answered == 0  # counted before the reply
    monkeypatch.setattr(daily, "_store", store)

    assert daily.period_figures(workspace.pk, *day, now=now).answered == 1


def test_an_earlier_read_than_the_stored_count_counts_again(workspace, owner, conn):
    """Figures counted at a later instant are not used for an earlier one (a target breached then was running)."""
    policy(workspace, owner, first_response_minutes=60)
    customer(new_thread(conn), T0)
    day = (DAY0, DAY0 + timedelta(days=1))
    assert daily.period_figures(workspace.pk, *day, now=T0 + timedelta(hours=3)).counted["first_response"] == 1

    assert daily.period_figures(workspace.pk, *day, now=T0 + timedelta(minutes=30)).counted["first_response"] == 0


def test_days_without_clocks_are_stored_as_nothing(workspace, owner, conn):
    policy(workspace, owner)
    period = (date(2026, 1, 1), date(2026, 1, 8))
    found = daily.period_figures(workspace.pk, *period, now=T0)
    assert (found.threads, found.answered, found.first_response_median) == (0, 0, None)
    assert DayFigures.objects.filter(workspace=workspace).count() == 7


def test_a_busy_database_leaves_the_figures_counted_but_not_stored(workspace, owner, conn, monkeypatch):
    """SQLite refuses a second writer after its timeout: the page still gets its figures (no error), and the days
    are stored at a later read."""
    from django.db import OperationalError

    policy(workspace, owner)
    customer(new_thread(conn), T0)

    def busy(rows):
        raise OperationalError("database is locked")

    monkeypatch.setattr(daily, "_store", busy)
    found = daily.period_figures(workspace.pk, DAY0, DAY0 + timedelta(days=1), now=T0 + timedelta(minutes=5))
    assert found.threads == 1
    assert not DayFigures.objects.filter(workspace=workspace).exists()
