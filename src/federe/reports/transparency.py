"""The moderation transparency report (in the manner of the EU Digital Services Act's): for a period, the
decisions (verdicts: approve, hold, spam, remove, ban…; not labels or notices) counted by reason, by action and by
who made them (a rule: automatic; a person: human), the median time to act, and appeals.

The counts are the dashboards' (``analytics.figures.moderation``, from the summary table ``DailyDecision``).
**Time to act** is from the moment a message reached Fédère (``Message.created_at``) to the decision on it
(``Decision.created_at``), over the verdicts made in the period; its median is read in the database (one count
and one ordered row per group), never by loading the decisions. **Appeals**: Fédère records none (a network's
own appeal process is not reported to it); the report says so, and counts the reversals (restore, unban) that a
moderator or rule made in the period, which is how an appeal that succeeded shows here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F

from federe.analytics import figures
from federe.analytics.period import Period
from federe.analytics.tables import REASONS

REVERSALS = ("restore", "unban")


@dataclass(frozen=True)
class Transparency:
    period: Period
    total: int
    by_reason: list[tuple[str, int]]
    by_action: list[tuple[str, int]]
    automatic: int
    human: int
    median_all: timedelta | None
    median_automatic: timedelta | None
    median_human: timedelta | None
    reversals: int
    rows: list[figures.Moderated]


def _median(workspace_id: int, period: Period, automatic: bool | None) -> timedelta | None:
    from federe.moderation.models import Decision, Verdict

    since, until = period.instants()
    found = Decision.objects.filter(
        workspace_id=workspace_id, created_at__gte=since, created_at__lt=until, action__in=Verdict.values
    )
    if automatic is not None:
        found = found.filter(actor__isnull=automatic)
    n = found.count()
    if not n:
        return None
    delays = found.annotate(
        delay=ExpressionWrapper(F("created_at") - F("message__created_at"), output_field=DurationField())
    ).order_by("delay")
    middle = list(delays.values_list("delay", flat=True)[(n - 1) // 2 : n // 2 + 1])
    values = [d if isinstance(d, timedelta) else timedelta(microseconds=int(d)) for d in middle]
    return max(sum(values, timedelta()) / len(values), timedelta())


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))


def action_label(code: str) -> str:
    from federe.moderation.models import Verdict

    return str(Verdict(code).label) if code in Verdict.values else code


def build(workspace_id: int, period: Period) -> Transparency:
    rows = figures.moderation(workspace_id, period)
    reasons: dict[str, int] = defaultdict(int)
    actions: dict[str, int] = defaultdict(int)
    for m in rows:
        reasons[m.reason] += m.count
        actions[m.action] += m.count
    ordered = lambda counts: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # noqa: E731
    return Transparency(
        period=period,
        total=sum(m.count for m in rows),
        by_reason=ordered(reasons),
        by_action=ordered(actions),
        automatic=sum(m.count for m in rows if m.automatic),
        human=sum(m.count for m in rows if not m.automatic),
        median_all=_median(workspace_id, period, None),
        median_automatic=_median(workspace_id, period, True),
        median_human=_median(workspace_id, period, False),
        reversals=sum(m.count for m in rows if m.action in REVERSALS),
        rows=rows,
    )


def minutes(span: timedelta | None) -> float | None:
    return None if span is None else round(span.total_seconds() / 60, 1)


def csv_rows(report: Transparency) -> tuple[list[str], list[list[Any]]]:
    """One row per (action, reason, decided by) with its count; the language is the reader's."""
    from django.utils.translation import gettext as _

    header = [_("Action"), _("Reason"), _("Decided by"), _("Decisions")]
    rows: list[list[Any]] = [
        [action_label(m.action), reason_label(m.reason), _("a rule") if m.automatic else _("a moderator"), m.count]
        for m in report.rows
    ]
    return header, rows
