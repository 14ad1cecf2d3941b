"""Response-time figures over a window, for the SLA page and the dashboards (``analytics``).

The window holds the threads whose customer first wrote in ``[since, until)`` (``ThreadClock.started_at``).

- **first response time**: from the customer's first message to our first reply, in wall-clock time (what the
  customer lived, whatever the policy's hours); threads not answered yet are left out. The **median** is the
  middle value (the mean of the two middle ones for an even count), **p90** the nearest-rank 90th percentile:
  the smallest time that at least 90 % of the answered threads did not exceed.
- **share of targets met**, per target (first response, next response, resolution): met ÷ (met + breached), each
  judged as the thread shows it (``clocks.outcome``) at ``now``. Targets still running, paused, or stopped by a
  closing are not counted; None when nothing was counted.

One query (the window's clocks); the arithmetic runs in Python.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from federe.sla.clocks import Outcome, outcome
from federe.sla.models import TARGET_TIMES, Target, ThreadClock


@dataclass(frozen=True)
class Figures:
    since: datetime
    until: datetime
    threads: int = 0  # threads started in the window, under a policy
    answered: int = 0  # of which answered (the first response times)
    first_response_median: timedelta | None = None
    first_response_p90: timedelta | None = None
    met: dict[str, int] = field(default_factory=dict)  # target → met
    counted: dict[str, int] = field(default_factory=dict)  # target → met + breached

    def share(self, target: str) -> float | None:
        counted = self.counted.get(target, 0)
        return self.met.get(target, 0) / counted if counted else None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value that at least ``fraction`` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def response_figures(
    workspace_id: int, since: datetime, until: datetime, now: datetime | None = None, channel: int | None = None
) -> Figures:
    """The window's figures; ``channel`` keeps the threads of one channel (the dashboards' channel view)."""
    now = now or timezone.now()
    clocks = ThreadClock.objects.filter(
        workspace_id=workspace_id, started_at__gte=since, started_at__lt=until, policy__isnull=False
    )
    if channel is not None:
        clocks = clocks.filter(conversation__connection_id=channel)
    rows = clocks.values_list("started_at", "closed_at", *TARGET_TIMES)
    seconds: list[float] = []
    met = dict.fromkeys(Target.values, 0)
    counted = dict.fromkeys(Target.values, 0)
    threads = 0
    for started, closed, *pairs in rows:
        threads += 1
        if pairs[1] is not None:
            seconds.append((pairs[1] - started).total_seconds())
        for target, due, at in zip(Target.values, pairs[0::2], pairs[1::2], strict=True):
            state = outcome(due, at, closed_at=closed, now=now)
            if state in (Outcome.MET, Outcome.BREACHED):
                counted[target] += 1
                met[target] += state == Outcome.MET
    return Figures(
        since=since,
        until=until,
        threads=threads,
        answered=len(seconds),
        first_response_median=timedelta(seconds=statistics.median(seconds)) if seconds else None,
        first_response_p90=timedelta(seconds=percentile(seconds, 0.9)) if seconds else None,
        met=met,
        counted=counted,
    )
