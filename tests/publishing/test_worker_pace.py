"""The publisher's pace: straight on after a full batch, a short wait after a part of one (so that a trickle of
due deliveries is sent several at a time), the poll interval when nothing was due."""

from __future__ import annotations

from federe.publishing.worker import GATHER_SECONDS, pause_after


def test_the_pause_follows_what_the_round_claimed(settings):
    settings.FEDERE_PUBLISH_POLL_SECONDS = 0.5
    assert pause_after({"claimed": 50}, batch=50) == 0
    assert pause_after({"claimed": 3}, batch=50) == GATHER_SECONDS < 0.5
    assert pause_after({"claimed": 0}, batch=50) == 0.5
    assert pause_after({}, batch=50) == 0.5  # a round that failed
    settings.FEDERE_PUBLISH_POLL_SECONDS = 0.05
    assert pause_after({"claimed": 3}, batch=50) == 0.05  # never longer than the poll interval
