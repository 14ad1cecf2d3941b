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
``clocks.outcome``, written as SQL conditions) and, on PostgreSQL, the median and p90 in the same pass, from an
index that holds every column read; on SQLite, one ordered read of one or two rows for each of them.
``tests/sla/test_figures_property.py`` checks them against the same arithmetic in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
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


def nearest_rank(count: int, fraction: float) -> int:
    """The index, in ``count`` sorted values, of the smallest that at least ``fraction`` of them do not exceed."""
    return max(0, math.ceil(fraction * count) - 1)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value that at least ``fraction`` of the values do not exceed."""
    return sorted(values)[nearest_rank(len(values), fraction)]


def response_figures(
    workspace_id: int, since: datetime, until: datetime, now: datetime | None = None, channel: int | None = None
) -> Figures:
    """The window's figures; ``channel`` keeps the threads of one channel (the dashboards' channel view)."""
    now = now or timezone.now()
    clocks = ThreadClock.objects.filter(
        workspace_id=workspace_id, started_at__gte=since, started_at__lt=until, policy__isnull=False
    )
    if channel is not None:
        clocks = clocks.filter(channel=channel)
    counts = outcome_counts(now)
    if connection.vendor == "postgresql":  # the median and the p90 in the same pass
        counts["median"] = Percentile("cont", 0.5, WAITED)
        counts["p90"] = Percentile("disc", 0.9, WAITED)
    with transaction.atomic():  # one snapshot: the count and the ordered reads below see the same clocks
        found = clocks.aggregate(**counts)
        ranks = None if "median" in found or not found["answered"] else _ordered_reads(clocks, found["answered"])
    met = {target: found[f"met_{target}"] for target in Target.values}
    counted = {target: found[f"met_{target}"] + found[f"breached_{target}"] for target in Target.values}
    answered = found["answered"]
    if not answered:
        return Figures(since=since, until=until, threads=found["threads"], met=met, counted=counted)
    median, p90 = ranks or (found["median"], found["p90"])
    return Figures(
        since=since,
        until=until,
        threads=found["threads"],
        answered=answered,
        first_response_median=median,
        first_response_p90=p90,
        met=met,
        counted=counted,
    )


def outcome_counts(now: datetime) -> dict[str, Any]:
    """The aggregates of a set of clocks: threads, answered, and per target how many met and breached at ``now``."""
    counts: dict[str, Any] = {"threads": Count("workspace"), "answered": Count("first_response_at")}
    for target in Target.values:
        counts[f"met_{target}"] = Count("workspace", filter=_met(target))
        counts[f"breached_{target}"] = Count("workspace", filter=_breached(target, now))
    return counts


#: From the customer's first message to our first reply (NULL while unanswered: aggregates leave it out).
WAITED = ExpressionWrapper(F("first_response_at") - F("started_at"), output_field=DurationField())


class Percentile(Aggregate):
    """PostgreSQL's ordered-set aggregates: ``cont`` interpolates (the median of an even count is the mean of the
    two middle values), ``disc`` is the nearest rank (the smallest value at least ``fraction`` do not exceed)."""

    template = "PERCENTILE_%(kind)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, kind: str, fraction: float, expression: Any) -> None:
        assert kind in ("cont", "disc")
        super().__init__(expression, kind=kind.upper(), fraction=float(fraction))


def _ordered_reads(clocks: Any, answered: int) -> tuple[timedelta, timedelta]:
    """The median and p90 where the database has no percentile (SQLite): one or two rows read at each rank."""
    waited = clocks.filter(first_response_at__isnull=False).annotate(waited=WAITED).order_by("waited")
    values = waited.values_list("waited", flat=True)
    middle = list(values[(answered - 1) // 2 : answered // 2 + 1])  # one value for an odd count, two for an even
    return sum(middle, timedelta()) / len(middle), values[nearest_rank(answered, 0.9)]


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
