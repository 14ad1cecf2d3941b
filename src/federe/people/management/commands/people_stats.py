"""federe people-stats --workspace SLUG: active members per month, retention by cohort, score vs reputation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.people import analytics
from federe.people.models import Person


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _rho(correlation: analytics.Correlation) -> str:
    if correlation.rho is None:
        n = correlation.members
        return ngettext("not computable (%(n)s member)", "not computable (%(n)s members)", n) % {"n": n}
    return ngettext("rho = %(rho)s over %(n)s member", "rho = %(rho)s over %(n)s members", correlation.members) % {
        "rho": f"{correlation.rho:.3f}",
        "n": f"{correlation.members:,}",
    }


class Command(WorkspaceCommand):
    help = (
        "Print the monthly active members, the 90-day retention by cohort and, for imported channels (a Stack "
        "Exchange dump), how the engagement score ranks members against the reputation their network gives them."
    )

    def add_arguments(self, parser: Any) -> None:
        add_workspace_argument(parser)
        parser.add_argument("--connection", type=int, help="Only this channel (id).")
        parser.add_argument(
            "--cohort-period", choices=analytics.PERIODS, default="month", help="Group cohorts by month (default)."
        )
        parser.add_argument(
            "--recompute", action="store_true", help="Recompute the engagement scores first (people.engagement)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace_from(options)
        connection = None
        if options["connection"] is not None:
            connection = Connection.objects.filter(workspace=workspace, pk=options["connection"]).first()
            if connection is None:
                raise CommandError(_("No channel %(id)s in this workspace.") % {"id": options["connection"]})
        self._monthly_active(workspace, connection)
        self._retention(workspace, connection, options["cohort_period"])
        if analytics.imported_channels(workspace, connection):
            self._reputation(workspace, connection, recompute=options["recompute"])

    def _monthly_active(self, workspace: Workspace, connection: Connection | None) -> None:
        out = self.stdout.write
        out(_("Monthly active members (distinct authors per month, UTC)"))
        series = analytics.monthly_active(workspace, connection)
        if not series:
            out("  " + _("No messages yet."))
        for month, count in series:
            out(f"  {month:%Y-%m}  {count:>6,}")

    def _retention(self, workspace: Workspace, connection: Connection | None, period: str) -> None:
        out = self.stdout.write
        cohorts = analytics.retention_curve(workspace, connection, period=period)
        out("")
        out(
            _("Retention by cohort (cohort: %(period)s of the first post; share posting again)")
            % {"period": {"month": _("month"), "quarter": _("quarter"), "year": _("year")}[period]}
        )
        headers = [_("days %(a)s–%(b)s") % {"a": a, "b": b} for a, b in analytics.WINDOWS]
        out("  " + _("cohort").ljust(10) + _("members").rjust(8) + "".join(h.rjust(14) for h in headers))
        for row in cohorts:
            label = row.cohort.strftime("%Y-%m") if period != "year" else str(row.cohort.year)
            out("  " + label.ljust(10) + f"{row.size:>8,}" + "".join(_share(s).rjust(14) for s in row.shares))
        overall = analytics.retention_overall(cohorts)
        if not overall:
            return
        out(
            "  "
            + _("all").ljust(10)
            + f"{sum(c.size for c in cohorts):>8,}"
            + "".join(_share(share).rjust(14) for _w, _n, share in overall)
        )
        out(
            "  "
            + _(
                "(a member counts in a window once it has fully elapsed after their first post; "
                "—: no member of the cohort yet)"
            )
        )

    def _reputation(self, workspace: Workspace, connection: Connection | None, *, recompute: bool) -> None:
        """How the posts and the engagement score rank members against the reputation their network gives them."""
        out = self.stdout.write
        out("")
        out(
            _(
                "Spearman's rank correlation with the network's reputation (imported channels, members with at "
                "least one post)"
            )
        )
        out(
            "  "
            + _("number of posts (baseline): %(result)s")
            % {"result": _rho(analytics.posts_baseline(workspace, connection))}
        )
        if recompute:
            from federe.people.engagement import scoring

            result = scoring.recompute(workspace)
            out(
                "  "
                + ngettext(
                    "engagement score recomputed for %(n)s person in %(s)s s.",
                    "engagement score recomputed for %(n)s persons in %(s)s s.",
                    result.persons,
                )
                % {"n": f"{result.persons:,}", "s": f"{result.seconds:.2f}"}
            )
        if not Person.objects.filter(workspace=workspace, computed_at__isnull=False).exists():
            out("  " + _("engagement score: not computed yet (add --recompute)."))
            return
        correlation = analytics.reputation_correlation(workspace, analytics.engagement_scores(workspace), connection)
        out("  " + _("engagement score: %(result)s") % {"result": _rho(correlation)})
