"""Response-time figures over a window, for the SLA page and the dashboards (``analytics``).

The window holds the threads whose customer first wrote in ``[since, until)`` (``ThreadClock.started_at``).

- **first response time**: from the customer's first message to our first reply, in wall-clock time (what the
  customer lived, whatever the policy's hours); threads not answered yet are left out. The **median** is the
  middle value (the mean of the two middle ones for an even count), **p90** the nearest-rank 90th percentile:
  the smallest time that at least 90 % of the answered threads did not exceed.
- **share of targets met**, per target (first response, next response, resolution): met ÷ (met + breached), each
  judged as the thread shows it (``clocks.outcome``) at ``now``. Targets still running, paused, or stopped by a
  closing are not counted; None when nothing was counted.

Counted in the database, whatever the window's size: one aggregate for the counts and the shares (the rules of
``clocks.outcome``, written as SQL conditions), and one ordered read of one or two rows for each of the median and
the p90 (``tests/sla/test_figures_property.py`` checks them against the same arithmetic in Python).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from federe.sla.models import Target, ThreadClock


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
    counts: dict[str, Any] = {"threads": Count("pk"), "answered": Count("first_response_at")}
    for target in Target.values:
        counts[f"met_{target}"] = Count("pk", filter=_met(target))
        counts[f"breached_{target}"] = Count("pk", filter=_breached(target, now))
    found = clocks.aggregate(**counts)
    met = {target: found[f"met_{target}"] for target in Target.values}
    counted = {target: found[f"met_{target}"] + found[f"breached_{target}"] for target in Target.values}
    answered = found["answered"]
    if not answered:
        return Figures(since=since, until=until, threads=found["threads"], met=met, counted=counted)
    waited = (
        clocks.filter(first_response_at__isnull=False)
        .annotate(waited=ExpressionWrapper(F("first_response_at") - F("started_at"), output_field=DurationField()))
        .order_by("waited")
        .values_list("waited", flat=True)
    )
    middle = list(waited[(answered - 1) // 2 : answered // 2 + 1])  # one value for an odd count, two for an even
    nearest = max(0, math.ceil(0.9 * answered) - 1)
    return Figures(
        since=since,
        until=until,
        threads=found["threads"],
        answered=answered,
        first_response_median=sum(middle, timedelta()) / len(middle),
        first_response_p90=waited[nearest],
        met=met,
        counted=counted,
    )


def _met(target: str) -> Q:
    """``clocks.outcome`` is MET: met, in time."""
    return Q(**{f"{target}_due__isnull": False, f"{target}_at__isnull": False, f"{target}_at__lte": F(f"{target}_due")})


def _breached(target: str, now: datetime) -> Q:
    """``clocks.outcome`` is BREACHED: met late, or not met and due before the closing (or before ``now``)."""
    due, at = f"{target}_due", f"{target}_at"
    late = Q(**{f"{at}__isnull": False, f"{at}__gt": F(due)})
    missed = Q(**{f"{at}__isnull": True}) & (
        Q(closed_at__isnull=True, **{f"{due}__lt": now}) | Q(closed_at__isnull=False, **{f"{due}__lt": F("closed_at")})
    )
    return Q(**{f"{due}__isnull": False}) & (late | missed)
