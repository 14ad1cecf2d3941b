"""Conversation windows: a new thread after a silence, the same thread otherwise (windows.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federe.connectors.windows import channel_of, thread_for, window_start

T0 = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
SILENCE = timedelta(minutes=30)


def test_a_silence_longer_than_the_window_opens_a_new_thread():
    state: dict = {}
    first = thread_for(state, "#c", T0, SILENCE)
    assert thread_for(state, "#c", T0 + timedelta(minutes=29), SILENCE) == first
    assert thread_for(state, "#c", T0 + timedelta(minutes=58), SILENCE) == first  # 29 min after the last one
    later = thread_for(state, "#c", T0 + timedelta(minutes=89), SILENCE)
    assert later != first and window_start(later) == T0 + timedelta(minutes=89)
    assert channel_of(later) == "#c" and first == "#c 2026-12-06T21:00:00Z"


def test_channels_have_their_own_windows():
    state: dict = {}
    assert thread_for(state, "#a", T0, SILENCE) != thread_for(state, "#b", T0, SILENCE)
    assert thread_for(state, "#a", T0 + timedelta(minutes=1), SILENCE) == "#a 2026-12-06T21:00:00Z"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 120), min_size=1, max_size=40))
def test_a_thread_changes_exactly_after_each_silence(pauses):
    state: dict = {}
    at, threads = T0, []
    for pause in pauses:
        at += timedelta(minutes=pause)
        threads.append(thread_for(state, "#c", at, SILENCE))
    changes = [threads[i] != threads[i - 1] for i in range(1, len(threads))]
    assert changes == [pause > 30 for pause in pauses[1:]]


def test_the_state_survives_a_restart_as_json():
    import json

    state: dict = {}
    first = thread_for(state, "#c", T0, SILENCE)
    state = json.loads(json.dumps(state))
    assert thread_for(state, "#c", T0 + timedelta(minutes=10), SILENCE) == first
