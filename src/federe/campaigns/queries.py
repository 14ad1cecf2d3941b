"""Reads of a workspace's campaigns: the list with their budget totals, one campaign, its budget, its figures
per day (the campaign page's picture)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from federe.accounts.models import Workspace
from federe.campaigns import membership
from federe.campaigns.impact import Impact
from federe.campaigns.models import BudgetLine, Campaign, Goal
from federe.core.money import CENT
from federe.listening.models import Mention

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


def campaigns(workspace: Workspace) -> Any:
    """Newest first, each with ``planned_total`` and ``spent_total``."""
    return Campaign.objects.filter(workspace=workspace).annotate(
        planned_total=Coalesce(Sum("budget_lines__planned"), ZERO),
        spent_total=Coalesce(Sum("budget_lines__spent"), ZERO),
    )


def choices(workspace: Workspace) -> list[tuple[int, str]]:
    """(id, name) of the workspace's campaigns, the latest first: the inbox's and people's filter."""
    return list(Campaign.objects.filter(workspace=workspace).values_list("pk", "name")[:200])


def campaign(workspace: Workspace, pk: int) -> Campaign:
    """The workspace's campaign (``Campaign.DoesNotExist`` for any other)."""
    return Campaign.objects.select_related("workspace").get(workspace=workspace, pk=pk)


def lines(found: Campaign) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(campaign=found)


def totals(found: Campaign) -> tuple[Decimal, Decimal]:
    """(planned, spent) of the whole budget, added up as Decimal here (SQLite would add them as floats)."""
    rows = list(lines(found).values_list("planned", "spent"))
    return sum((p for p, _s in rows), Decimal(0)).quantize(CENT), sum((s for _p, s in rows), Decimal(0)).quantize(CENT)


@dataclass(frozen=True)
class GoalState:
    goal: Goal
    current: float | None  # None before the campaign starts
    cost_target: Decimal | None  # planned budget / target: what a result may cost
    cost_now: Decimal | None  # spent / current

    @property
    def reached(self) -> bool:
        return self.current is not None and Decimal(str(self.current)) >= self.goal.target

    @property
    def progress(self) -> int:
        """Per cent of the target reached (0 to 100), for the meter."""
        if not self.current or not self.goal.target:
            return 100 if self.goal.target == 0 else 0
        return min(100, int(100 * Decimal(str(self.current)) / self.goal.target))


def goal_states(found: Campaign, impact: Impact | None) -> list[GoalState]:
    planned, spent = totals(found)
    states = []
    for goal in Goal.objects.filter(campaign=found):
        figure = impact.figures.get(goal.metric) if impact else None
        current = figure.total if figure else None
        counted = goal.metric != "share_of_voice"
        cost_target = (planned / goal.target).quantize(Decimal("0.01")) if counted and goal.target and planned else None
        cost_now = (spent / Decimal(str(current))).quantize(Decimal("0.01")) if counted and current and spent else None
        states.append(GoalState(goal, current, cost_target, cost_now))
    return states


def mentions_per_day(found: Campaign, impact: Impact) -> list[tuple[date, int]]:
    """Its queries' mentions per day (the workspace's days) from the baseline's start to now: the picture."""
    tz = found.workspace.timezone
    first, last = impact.baseline.first_day(tz), impact.during.last_day(tz)
    rows = (
        Mention.objects.filter(
            workspace_id=found.workspace_id,
            query_id__in=membership.queries(found).values("pk"),
            posted_at__gte=impact.baseline.start,
            posted_at__lt=impact.during.end,
        )
        .annotate(day=TruncDate("posted_at", tzinfo=ZoneInfo(tz)))
        .values("day")
        .annotate(n=Count("message_id", distinct=True))
    )
    counts: dict[Any, int] = {row["day"]: row["n"] for row in rows}
    days = (last - first).days + 1
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)]
