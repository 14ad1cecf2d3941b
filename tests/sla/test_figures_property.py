"""The response-time figures counted in SQL (``sla/figures.py``) equal the same definitions computed in Python over
every clock of the window (``clocks.outcome`` for each target, a median and a nearest-rank p90), on random clocks:
answered or not, in time or late, closed or open, with targets missing."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.sla.clocks import Outcome, outcome
from federe.sla.figures import percentile, response_figures
from federe.sla.models import Target, ThreadClock
from tests.sla.conftest import T0, new_thread

pytestmark = pytest.mark.django_db
MINUTES = st.sampled_from([None, 0, 30, 60, 61, 90, 240, 320, 600])  # after the start (often equal); None: none
NOW = T0 + timedelta(minutes=300)


def shares(clocks: list[ThreadClock], now) -> tuple[dict[str, int], dict[str, int]]:
    """Per target, the clocks met and the clocks counted (met or breached), judged one at a time at ``now``."""
    met, counted = dict.fromkeys(Target.values, 0), dict.fromkeys(Target.values, 0)
    for c in clocks:
        for target in Target.values:
            state = outcome(getattr(c, f"{target}_due"), getattr(c, f"{target}_at"), closed_at=c.closed_at, now=now)
            if state in (Outcome.MET, Outcome.BREACHED):
                counted[target] += 1
                met[target] += state == Outcome.MET
    return met, counted


def reference(clocks: list[ThreadClock], now, unit: timedelta = timedelta(seconds=1)) -> dict:
    """The definitions in Python, one clock at a time; first response times rounded to the ``unit``."""
    waits = [round((c.first_response_at - c.started_at) / unit) for c in clocks if c.first_response_at]
    met, counted = shares(clocks, now)
    return {
        "threads": len(clocks),
        "answered": len(waits),
        "median": unit * statistics.median(waits) if waits else None,
        "p90": unit * percentile(waits, 0.9) if waits else None,
        "met": met,
        "counted": counted,
    }


CLOCK = st.tuples(st.integers(-30, 60), st.lists(MINUTES, min_size=7, max_size=7))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clocks=st.lists(CLOCK, max_size=12))
def test_the_figures_in_sql_equal_the_definitions_in_python(workspace, owner, connection, clocks):
    from federe.sla import services

    ThreadClock.objects.filter(workspace=workspace).delete()
    policy = services.add(workspace=workspace, fields=services.Fields(name="P", first_response_minutes=60), by=owner)
    made = []
    for start, times in clocks:
        started = T0 + timedelta(minutes=start)
        moments = [None if m is None else started + timedelta(minutes=m) for m in times]
        fr_due, fr_at, nr_due, nr_at, res_due, res_at, closed = moments
        made.append(
            ThreadClock.objects.create(
                conversation=new_thread(connection),
                workspace=workspace,
                policy=policy,
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
    since, until = T0 - timedelta(minutes=20), T0 + timedelta(minutes=50)
    window = [c for c in made if since <= c.started_at < until]

    found = response_figures(workspace.pk, since, until, now=NOW)

    expected = reference(window, NOW)
    assert (found.threads, found.answered) == (expected["threads"], expected["answered"])
    assert (found.first_response_median, found.first_response_p90) == (expected["median"], expected["p90"])
    assert (found.met, found.counted) == (expected["met"], expected["counted"])
    services.remove(policy, by=owner)


def test_a_clock_keeps_its_thread_s_channel_and_a_channel_s_figures_count_only_it(workspace, owner, connection):
    from federe.sla import services
    from tests.factories import ConnectionFactory
    from tests.sla.conftest import customer

    services.add(workspace=workspace, fields=services.Fields(name="P", first_response_minutes=60), by=owner)
    other = ConnectionFactory(workspace=workspace)
    here, there = new_thread(connection), new_thread(other)
    for thread in (here, there, new_thread(other)):
        customer(thread, T0)

    assert ThreadClock.objects.get(conversation=here).channel == connection.pk
    window = (T0 - timedelta(minutes=1), T0 + timedelta(minutes=1))
    assert response_figures(workspace.pk, *window, now=NOW, channel=connection.pk).threads == 1
    assert response_figures(workspace.pk, *window, now=NOW, channel=other.pk).threads == 2
    assert response_figures(workspace.pk, *window, now=NOW).threads == 3
