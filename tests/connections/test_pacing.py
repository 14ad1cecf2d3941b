"""Adaptive polling (connections.pacing): floor, ceiling, budget and error backoff, over any sequence of outcomes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federe.connections.pacing import GRACE, Pace, PaceState, after_sync, wanted_delay

PAST = datetime(2020, 1, 1, tzinfo=UTC)

paces = st.builds(
    Pace,
    floor=st.floats(min_value=1, max_value=120),
    ceiling=st.floats(min_value=1, max_value=3600),
    budget_per_hour=st.integers(min_value=1, max_value=5000),
)
# One sync's outcome: new items (0 = quiet) or an error with its backoff, and how late the sync came after the
# time it was given (the worker was busy, the dispatcher's round).
outcomes = st.tuples(
    st.one_of(st.integers(min_value=0, max_value=3), st.floats(min_value=1, max_value=7200).map(lambda s: -s)),
    st.floats(min_value=0, max_value=30),
)


def run(pace: Pace, steps: list[tuple[float, float]], start: float = 1_000_000.0) -> list[tuple[float, float, bool]]:
    """Sync times, the delay each sync gave, and whether it failed; each sync at or after its given time."""
    state, now, seen = PaceState(), start, []
    for outcome, late in steps:
        error = -outcome if outcome < 0 else None
        delay, state = after_sync(pace, state, now=now, new_items=max(0, int(outcome)), error_delay=error)
        seen.append((now, delay, error is not None))
        now += delay + late
    return seen


@settings(max_examples=300, deadline=None)
@given(pace=paces, steps=st.lists(outcomes, min_size=1, max_size=400))
def test_the_budget_holds_in_every_hour_and_successes_stay_between_floor_and_ceiling(pace, steps):
    seen = run(pace, steps)
    times = [t for t, _, _ in seen]
    for i, first in enumerate(times):  # every window of one hour that starts at a sync
        assert sum(1 for t in times[i:] if t < first + 3600) <= pace.budget
    for _, delay, failed in seen:
        if not failed:
            assert min(pace.floor, pace.ceiling) <= delay <= pace.ceiling
    assert pace.budget >= pace.budget_per_hour


@settings(max_examples=200, deadline=None)
@given(pace=paces, steps=st.lists(outcomes, min_size=1, max_size=100), error=st.floats(min_value=1, max_value=7200))
def test_an_error_keeps_its_backoff_and_its_quiet_count(pace, steps, error):
    state, now = PaceState(), 0.0
    for outcome, late in steps:
        _, state = after_sync(
            pace, state, now=now, new_items=max(0, int(outcome)), error_delay=-outcome if outcome < 0 else None
        )
        now += late + 1
    delay, after = after_sync(pace, state, now=now, new_items=5, error_delay=error)
    assert delay >= error
    assert after.quiet_syncs == state.quiet_syncs


@settings(max_examples=200, deadline=None)
@given(
    pace=paces,
    tokens=st.floats(min_value=-1000, max_value=1000),
    quiet=st.integers(min_value=0, max_value=2000),
    elapsed=st.floats(min_value=0, max_value=10**6),
    new=st.integers(min_value=0, max_value=3),
)
def test_from_any_stored_state_a_success_stays_between_floor_and_ceiling(pace, tokens, quiet, elapsed, new):
    """Syncs a hook asked for may have emptied the bucket: the ceiling still wins (the channel's own interval)."""
    state = PaceState(quiet_syncs=quiet, tokens=tokens, counted_at=0.0)
    delay, _ = after_sync(pace, state, now=elapsed, new_items=new)
    assert min(pace.floor, pace.ceiling) <= delay <= pace.ceiling


def test_activity_brings_the_floor_and_quiet_backs_off_to_the_ceiling():
    pace = Pace(floor=4, ceiling=15, budget_per_hour=720)
    state, now, delays = PaceState(), 0.0, []
    for new in [3, 0, 0, 0, 0, 0, 0, 1]:
        delay, state = after_sync(pace, state, now=now, new_items=new)
        delays.append(delay)
        now += delay
    assert delays == [4, 4, 4, 8, 15, 15, 15, 4]
    assert wanted_delay(pace, GRACE + 1) == 8


def test_a_long_active_spell_slows_to_the_budget_not_to_the_floor():
    """720 an hour, 120 at once: about 24 minutes at 4 s, then one sync every 6 s on average."""
    pace = Pace(floor=4, ceiling=15, budget_per_hour=720)
    seen = run(pace, [(1, 0.0)] * 2000)
    times = [t for t, _, _ in seen]
    assert seen[100][1] == 4
    late = [b - a for a, b in zip(times[-101:-1], times[-100:], strict=True)]
    assert abs(sum(late) / len(late) - 6) < 0.01
    assert sum(1 for t in times if t < times[0] + 3600) <= 720


def test_the_ceiling_raises_a_budget_too_small_for_it():
    pace = Pace(floor=1, ceiling=5, budget_per_hour=10)
    assert pace.budget >= 3600 / 5
    assert pace.refill_per_second >= 1 / 5


# The service: a channel whose network opts in (Connector.active_sync_interval_seconds) is paced and its state stored.


def _due_in(connection) -> float:
    from django.utils import timezone

    connection.refresh_from_db()
    return (connection.next_sync_at - timezone.now()).total_seconds()


@pytest.mark.django_db
def test_a_paced_channel_syncs_at_the_floor_while_new_messages_come_then_backs_off(workspace, monkeypatch):
    from federe.connections.models import Connection
    from federe.connections.services import sync_connection
    from federe.connectors.dummy.connector import DummyConnector
    from tests.factories import ConnectionFactory

    monkeypatch.setattr(DummyConnector, "active_sync_interval_seconds", 4)
    connection = ConnectionFactory(workspace=workspace, sync_interval_seconds=60, config={"total": 3})
    waits, quiet = [], []
    for _ in range(5):
        Connection.objects.filter(pk=connection.pk).update(next_sync_at=PAST)
        sync_connection(connection.pk)
        waits.append(_due_in(connection))
        quiet.append(connection.quiet_syncs)
    assert quiet == [0, 1, 2, 3, 4]  # 3 new messages, then nothing new
    assert [round(w) for w in waits] == [4, 4, 4, 8, 16]
    assert connection.pace_tokens == pytest.approx(Pace(4, 60, 720).burst - 5, abs=0.1)


@pytest.mark.django_db
def test_a_paced_channel_keeps_its_error_backoff(workspace, monkeypatch):
    from federe.connections.services import sync_connection
    from federe.connectors.dummy.connector import DummyConnector
    from tests.factories import ConnectionFactory

    monkeypatch.setattr(DummyConnector, "active_sync_interval_seconds", 4)
    connection = ConnectionFactory(workspace=workspace, sync_interval_seconds=60, config={"fail": "server_error"})
    sync_connection(connection.pk)
    assert _due_in(connection) >= 29  # 30 s after a first failure, as for any channel
    assert connection.quiet_syncs == 0 and connection.pace_tokens is not None


@pytest.mark.django_db
def test_a_network_that_does_not_opt_in_polls_at_its_interval(workspace):
    from federe.connections.schedule import channel_pace
    from federe.connections.services import sync_connection
    from tests.factories import ConnectionFactory

    connection = ConnectionFactory(workspace=workspace, sync_interval_seconds=60, config={"total": 3})
    assert channel_pace(connection) is None
    sync_connection(connection.pk)
    assert 55 <= _due_in(connection) <= 60
    assert connection.pace_tokens is None


@pytest.mark.django_db
def test_the_channel_page_states_the_pace_and_budget_in_english_and_french(client, owner, workspace, monkeypatch):
    from django.urls import reverse

    from federe.connectors.dummy.connector import DummyConnector
    from tests.factories import ConnectionFactory

    paced = ConnectionFactory(workspace=workspace, sync_interval_seconds=15)
    client.force_login(owner)
    page = f"/w/{workspace.slug}/channels/{paced.pk}/"
    assert "syncs per hour" not in client.get(page).content.decode()  # the dummy network does not opt in
    monkeypatch.setattr(DummyConnector, "active_sync_interval_seconds", 4)
    html = client.get(page).content.decode()
    assert "Every 4 s while new messages arrive" in html and "every 15 s when" in html
    assert "at most 720 syncs per hour" in html
    client.post(reverse("accounts:set-language"), {"language": "fr"})
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Toutes les 4 s tant que de nouveaux messages arrivent" in html
    assert "au plus 720 synchronisations par heure" in html
