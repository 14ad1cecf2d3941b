"""Community analytics on stored messages: active members, retention by cohort, rank correlations.

Definitions (the same in the CLI, the dashboard and the tests):

- **Member**: a person (all their identities together). Only messages received from the community count
  (``direction = in`` with a known author); replies sent by the team from Fédère do not.
- **Post**: any such message: a question, an answer or a comment on Stack Exchange; a comment, a post or a
  reply elsewhere.
- **Monthly active members**: distinct members who posted at least once in the calendar month (UTC).
- **Retention by cohort**: a member's cohort is the period (month by default, UTC) of their first post.
  Day 0 is the 24 hours after that first post; day *n* covers [n, n+1) days after it. A member is retained in
  the window "days a–b" when they posted again on some day a ≤ n ≤ b (a second post on day 0 does not count).
  The default windows are days 1–30, 31–60 and 61–90. A member counts in a window's denominator only once the
  whole window has passed for them (``first post + (b + 1) days <= as_of``; ``as_of`` defaults to the latest
  post in scope), so recent members do not lower the curve; the share is None when no member of the cohort
  can be observed yet.
- **Spearman's rank correlation** between a score and the reputation a network gives its members (Stack
  Exchange's), for members with at least one post on the imported channel(s) in scope and a known reputation:
  Pearson's correlation of the ranks, ties sharing their average rank. Reputation is read from the channel's
  ``config["members"]`` (written by the import; see ``people.importers.history``), on the channels of networks
  whose connector declares ``Capability.IMPORT``; a person with several such identities in scope counts the
  sum of their reputations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncMonth

from federe.accounts.models import Workspace
from federe.connections.imports import importers
from federe.connections.models import Connection
from federe.inbox.models import Direction, Message
from federe.people.models import Identity, Level, Person

WINDOWS: tuple[tuple[int, int], ...] = ((1, 30), (31, 60), (61, 90))
PERIODS = ("month", "quarter", "year")


def _posts(workspace: Workspace, connection: Connection | None = None) -> QuerySet[Message]:
    qs = Message.objects.filter(workspace=workspace, direction=Direction.INBOUND, author__isnull=False)
    if connection is not None:
        qs = qs.filter(connection=connection)
    return qs


# --------------------------------------------------------------------------- monthly active members


def _month(value: date) -> date:
    return date(value.year, value.month, 1)


def _next_month(value: date) -> date:
    return date(value.year + value.month // 12, value.month % 12 + 1, 1)


def monthly_active(workspace: Workspace, connection: Connection | None = None) -> list[tuple[date, int]]:
    """Distinct members who posted, per calendar month (UTC), oldest first, months without posts as 0.

    Each point is (first day of the month, count): the shape ``core.charts.bar_chart`` takes.
    """
    rows = (
        _posts(workspace, connection)
        .annotate(month=TruncMonth("posted_at", tzinfo=UTC))
        .values("month")
        .annotate(members=Count("author__person", distinct=True))
        .order_by("month")
    )
    counts: dict[date, int] = {}
    for row in rows:
        month = row["month"]
        counts[_month(month.date() if isinstance(month, datetime) else month)] = row["members"]
    if not counts:
        return []
    series = []
    month, last = min(counts), max(counts)
    while month <= last:
        series.append((month, counts.get(month, 0)))
        month = _next_month(month)
    return series


# --------------------------------------------------------------------------- retention


def period_start(moment: datetime, period: str = "month") -> date:
    """The first day (UTC) of the month, quarter or year that holds ``moment``."""
    day = moment.astimezone(UTC).date()
    if period == "month":
        return date(day.year, day.month, 1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"period must be one of {PERIODS}")


def period_end(start: date, period: str = "month") -> date:
    """The first day of the next period."""
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class CohortRetention:
    """One cohort: members whose first post fell in the period starting ``cohort``.

    For each of ``windows``: ``observed[i]`` members could be followed for the whole window, and
    ``returned[i]`` of them posted again in it.
    """

    cohort: date
    size: int
    windows: tuple[tuple[int, int], ...]
    observed: tuple[int, ...]
    returned: tuple[int, ...]

    @property
    def shares(self) -> tuple[float | None, ...]:
        """Share retained in each window (0.0 to 1.0), None when no member could be observed for it yet."""
        return tuple(r / o if o else None for r, o in zip(self.returned, self.observed, strict=True))

    @property
    def points(self) -> list[tuple[int, float | None]]:
        """Chart-ready: (last day of the window, share), e.g. [(30, 0.25), (60, 0.1), (90, None)]."""
        return [(end, share) for (_start, end), share in zip(self.windows, self.shares, strict=True)]


def retention_curve(
    workspace: Workspace,
    connection: Connection | None = None,
    *,
    windows: Sequence[tuple[int, int]] = WINDOWS,
    period: str = "month",
    as_of: datetime | None = None,
) -> list[CohortRetention]:
    """The 90-day retention of each cohort, oldest cohort first (see the module's definitions).

    Reads each member's posts once, ordered, without holding them in memory. For a weekly curve to 90 days,
    pass ``windows=[(7 * k - 6, 7 * k) for k in range(1, 14)]``.
    """
    windows = tuple((int(a), int(b)) for a, b in windows)
    if any(a < 0 or b < a for a, b in windows):
        raise ValueError("each window is (first day, last day) with 0 <= first <= last")
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    qs = _posts(workspace, connection)
    horizon = as_of or qs.aggregate(latest=Max("posted_at"))["latest"]
    if horizon is None:
        return []
    cohorts = _Cohorts(windows, period, horizon)
    rows = qs.order_by("author__person_id", "posted_at").values_list("author__person_id", "posted_at")
    current: int | None = None
    first: datetime | None = None
    hit = [False] * len(windows)
    for person, posted in rows.iterator(chunk_size=5000):
        if first is None or person != current:
            if first is not None:
                cohorts.add(first, hit)
            current, first, hit = person, posted, [False] * len(windows)
            continue
        day = (posted - first).days  # whole days after the first post, floored
        for i, (a, b) in enumerate(windows):
            if a <= day <= b:
                hit[i] = True
    if first is not None:
        cohorts.add(first, hit)
    return cohorts.retention()


class _Cohorts:
    """Members counted per cohort as ``retention_curve`` meets them: who could be observed, who came back."""

    def __init__(self, windows: tuple[tuple[int, int], ...], period: str, horizon: datetime) -> None:
        self.windows = windows
        self.period = period
        self.horizon = horizon
        self.sizes: dict[date, int] = {}
        self.observed: dict[date, list[int]] = {}
        self.returned: dict[date, list[int]] = {}

    def add(self, first: datetime, hit: list[bool]) -> None:
        """A member whose first post is ``first``, and whether they posted again in each window."""
        cohort = period_start(first, self.period)
        self.sizes[cohort] = self.sizes.get(cohort, 0) + 1
        seen = self.observed.setdefault(cohort, [0] * len(self.windows))
        kept = self.returned.setdefault(cohort, [0] * len(self.windows))
        for i, (_a, b) in enumerate(self.windows):
            if first + timedelta(days=b + 1) <= self.horizon:
                seen[i] += 1
                kept[i] += hit[i]

    def retention(self) -> list[CohortRetention]:
        return [
            CohortRetention(
                cohort=cohort,
                size=self.sizes[cohort],
                windows=self.windows,
                observed=tuple(self.observed[cohort]),
                returned=tuple(self.returned[cohort]),
            )
            for cohort in sorted(self.sizes)
        ]


def retention_overall(cohorts: Sequence[CohortRetention]) -> list[tuple[tuple[int, int], int, float | None]]:
    """All cohorts together, per window: (window, members observed, share retained among them).

    Chart-ready as the workspace's single retention curve; the share is None when no member is observable.
    """
    if not cohorts:
        return []
    out = []
    for i, window in enumerate(cohorts[0].windows):
        seen = sum(c.observed[i] for c in cohorts)
        kept = sum(c.returned[i] for c in cohorts)
        out.append((window, seen, kept / seen if seen else None))
    return out


# --------------------------------------------------------------------------- levels


def level_distribution(workspace: Workspace) -> list[tuple[str, str, int]]:
    """How many persons are at each level, in level order: [(level, translated label, count)], zeros included.

    Persons absorbed by a merge are not counted (their identities moved to the person that absorbed them).
    """
    counts = dict(
        Person.objects.filter(workspace=workspace, merged_into__isnull=True)
        .values("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return [(str(level.value), str(level.label), counts.get(level.value, 0)) for level in Level]


# --------------------------------------------------------------------------- rank correlation


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1 (smallest) to n; tied values share the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        rank = (start + end) / 2 + 1
        for k in range(start, end + 1):
            ranks[order[k]] = rank
        start = end + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho (Pearson on average ranks). None with fewer than 2 pairs or when one side is constant."""
    if len(x) != len(y):
        raise ValueError("x and y must have the same length")
    if len(x) < 2:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    mean = (len(x) + 1) / 2  # the mean of ranks 1..n, ties or not
    sxy = sum((a - mean) * (b - mean) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mean) ** 2 for a in rx)
    syy = sum((b - mean) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


@dataclass(frozen=True)
class Correlation:
    rho: float | None
    members: int  # pairs used: members with a post, a reputation and a score
    without_score: int  # members with a post and a reputation but missing from the score mapping


def imported_channels(workspace: Workspace, connection: Connection | None) -> list[Connection]:
    """The channels in scope whose members' facts (reputation among them) come from an imported history.

    Those are the channels of networks whose connector declares ``Capability.IMPORT``: only an import brings
    what a network knows about its members (``config["members"]``, see ``people.importers.history``).
    """
    networks = [cls.key for cls in importers()]
    if connection is not None:
        return [connection] if connection.network in networks else []
    return list(Connection.objects.filter(workspace=workspace, network__in=networks))


def network_reputation(workspace: Workspace, connection: Connection | None = None) -> dict[int, int]:
    """The network's reputation per person id, from the import's ``config["members"]``."""
    reputation: dict[int, int] = {}
    for channel in imported_channels(workspace, connection):
        members = channel.config.get("members") or {}
        for external_id, person_id in Identity.objects.filter(connection=channel).values_list(
            "external_id", "person_id"
        ):
            facts = members.get(external_id)
            if facts is not None and facts.get("reputation") is not None:
                reputation[person_id] = reputation.get(person_id, 0) + int(facts["reputation"])
    return reputation


def posts_per_member(workspace: Workspace, connection: Connection | None = None) -> dict[int, int]:
    """Number of posts per person id (the baseline score); with no connection, every channel of the workspace."""
    return dict(
        _posts(workspace, connection)
        .values("author__person_id")
        .annotate(n=Count("id"))
        .values_list("author__person_id", "n")
    )


def engagement_scores(workspace: Workspace) -> dict[int, float]:
    """The engagement score per person id, as last computed by ``people.engagement.scoring``."""
    return dict(Person.objects.filter(workspace=workspace, merged_into__isnull=True).values_list("id", "score"))


def reputation_correlation(
    workspace: Workspace, scores: Mapping[int, float], connection: Connection | None = None
) -> Correlation:
    """Spearman's rho between ``scores`` (person id → score) and the network's reputation.

    Members: persons with at least one post on the imported channel(s) in scope and a known reputation.
    """
    channels = imported_channels(workspace, connection)
    reputation = network_reputation(workspace, connection)
    posted: set[int] = set()
    for channel in channels:
        posted.update(posts_per_member(workspace, channel))
    members = sorted(p for p in posted if p in reputation)
    scored = [p for p in members if p in scores]
    rho = spearman([float(scores[p]) for p in scored], [float(reputation[p]) for p in scored])
    return Correlation(rho=rho, members=len(scored), without_score=len(members) - len(scored))


def posts_baseline(workspace: Workspace, connection: Connection | None = None) -> Correlation:
    """Spearman's rho between the number of posts on the imported channels in scope and reputation."""
    counts: dict[int, int] = {}
    for channel in imported_channels(workspace, connection):
        for person, n in posts_per_member(workspace, channel).items():
            counts[person] = counts.get(person, 0) + n
    return reputation_correlation(workspace, counts, connection)
