"""What a client report shows: the template's sections, each one of the dashboards' tables (``analytics.tables``,
which read ``analytics.figures``: nothing is counted again here), plus the campaigns running in the period.

A report covers a rolling window: the template's number of days up to yesterday (whole UTC days, like the
summary tables), compared with the same number of days just before. Everything is put in words in the template's
language, whoever asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federe.accounts.models import Workspace
from federe.analytics import tables
from federe.analytics.period import Period
from federe.core.charts import category_chart
from federe.core.money import format_amount
from federe.reports.models import ReportTemplate

#: Every section a template may show, in the order a report shows them.
SECTIONS: dict[str, object] = {
    "growth": gettext_lazy("Community growth"),
    "activity": gettext_lazy("Activity"),
    "engagement": gettext_lazy("Engagement"),
    "responses": gettext_lazy("Response times"),
    "sentiment": gettext_lazy("Sentiment"),
    "moderation": gettext_lazy("Moderation"),
    "top-posts": gettext_lazy("Top posts"),
    "top-members": gettext_lazy("Top members"),
    "voice": gettext_lazy("Share of voice"),
    "campaigns": gettext_lazy("Campaigns"),
}

#: How the dashboards count engagement (``analytics/rollup.py``: a message's reach and reactions go to the day the
#: message was written), said in every report that shows engagement.
ENGAGEMENT_BASIS = gettext_lazy(
    "Engagement is counted by post date: each message's reactions are counted on the day the message was written, "
    "not on the day they happened."
)


@dataclass(frozen=True)
class Report:
    template: ReportTemplate
    workspace: Workspace
    period: Period
    previous: Period
    tables: list[tables.Table]
    made_at: datetime
    engagement_basis: str


def window(days: int, today: date | None = None) -> Period:
    """The ``days`` whole days before ``today`` (today excluded: it is not over)."""
    today = today or timezone.now().date()
    return Period(today - timedelta(days=days), today)


def campaigns(workspace: Workspace, period: Period) -> tables.Table:
    """The campaigns running at some point of the period, with their budget (planned and spent)."""
    from federe.campaigns.queries import campaigns as listed

    running = listed(workspace).filter(starts_on__lt=period.until, ends_on__gte=period.since).order_by("starts_on")
    rows = [
        [
            c.name,
            c.starts_on.isoformat(),
            c.ends_on.isoformat(),
            format_amount(c.planned_total, workspace.currency),
            format_amount(c.spent_total, workspace.currency),
        ]
        for c in running
    ]
    points = [(c.name[:14], round(c.spent_total)) for c in running]
    chart = category_chart(points, title=_("Spent by campaign"), width=480) if any(v for _n, v in points) else None
    header = [_("Campaign"), _("First day"), _("Last day"), _("Planned"), _("Spent")]
    return tables.Table("campaigns", _("Campaigns"), header, rows, chart)


def build(template: ReportTemplate, period: Period | None = None) -> Report:
    """The report of ``template`` for ``period`` (its rolling window by default), in the template's language."""
    period = period or window(template.days)
    workspace = template.workspace
    with translation.override(template.language):
        scope = tables.Scope(workspace.pk, period)
        shown = []
        for key in SECTIONS:
            if key not in template.sections:
                continue
            shown.append(campaigns(workspace, period) if key == "campaigns" else tables.FAMILIES[key](scope))
        return Report(template, workspace, period, period.previous(), shown, timezone.now(), str(ENGAGEMENT_BASIS))
