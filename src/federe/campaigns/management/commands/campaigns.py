"""federe campaigns list|create|show|import-spend: the workspace's campaigns; a new one (the operator acts, or
--as); one campaign's goals, budget and impact in words; spending imported from a CSV file (every row or none)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.campaigns import impact, queries, services, spending, words
from federe.campaigns.models import Campaign
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.core.money import format_amount
from federe.core.params import whole_number
from federe.publishing.csvread import MAX_BYTES, max_size


def _ids(text: str) -> list[int]:
    found = [whole_number(part.strip()) for part in text.split(",") if part.strip()]
    if any(pk is None for pk in found):
        raise CommandError(_("Give ids separated by commas, such as 3,4,5."))
    return [pk for pk in found if pk is not None]


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(what)s: give a date such as 2026-12-01.") % {"what": what}) from None


class Command(WorkspaceCommand):
    help = "Campaigns: list, create, show one (goals, budget, impact), import spending from a CSV file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["list", "create", "show", "import-spend"])
        parser.add_argument("target", nargs="?", default="", help="The campaign's id (show, import-spend).")
        parser.add_argument("file", nargs="?", default="", help="The CSV file (import-spend).")
        add_workspace_argument(parser)
        parser.add_argument("--name", default="", help="The campaign's name (create).")
        parser.add_argument("--starts", default="", help="First day, 2026-12-01 (create).")
        parser.add_argument("--ends", default="", help="Last day, 2026-12-31 (create).")
        parser.add_argument("--description", default="")
        parser.add_argument("--posts", default="", help="Post ids, comma-separated (create).")
        parser.add_argument("--links", default="", help="Short link ids, comma-separated (create).")
        parser.add_argument("--queries", default="", help="Listening query ids, comma-separated (create).")
        parser.add_argument("--dry-run", action="store_true", help="Print the report, change nothing (import-spend).")
        parser.add_argument("--as", dest="username", help="Act as this member; the operator otherwise.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace_from(options)
        by = None
        if options["username"]:
            by = get_user_model().objects.filter(username=options["username"]).first()
            if by is None:
                raise CommandError(_("No user named %(name)s.") % {"name": options["username"]})
        self.run(options["what"], workspace, by, options)

    def _campaign(self, workspace: Workspace, options: dict[str, Any]) -> Campaign:
        pk = whole_number(options["target"])
        try:
            return queries.campaign(workspace, pk) if pk else Campaign.objects.none().get()
        except Campaign.DoesNotExist:
            raise CommandError(_("No campaign %(id)s in this workspace.") % {"id": options["target"][:20]}) from None

    def do_list(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        rows = list(queries.campaigns(workspace)[:500])
        if not rows:
            self.stdout.write(_("No campaign yet."))
        for c in rows:
            spent = format_amount(c.spent_total, workspace.currency)
            planned = format_amount(c.planned_total, workspace.currency)
            self.stdout.write(f"{c.pk:>5}  {c.starts_on} → {c.ends_on}  {c.name[:50]}  · {spent} / {planned}")

    def do_create(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        fields = services.Fields(
            name=options["name"],
            starts_on=_day(options["starts"], _("First day")),
            ends_on=_day(options["ends"], _("Last day")),
            description=options["description"],
            post_ids=_ids(options["posts"]),
            link_ids=_ids(options["links"]),
            query_ids=_ids(options["queries"]),
        )
        campaign = services.create_campaign(workspace, by=by, fields=fields)
        self.stdout.write(_("Campaign %(id)d created: %(name)s.") % {"id": campaign.pk, "name": campaign.name})

    def do_show(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        campaign = self._campaign(workspace, options)
        planned, spent = queries.totals(campaign)
        self.stdout.write(f"{campaign.name} · {campaign.starts_on} → {campaign.ends_on}")
        self.stdout.write(
            _("Budget: %(spent)s spent of %(planned)s planned.")
            % {"spent": format_amount(spent, workspace.currency), "planned": format_amount(planned, workspace.currency)}
        )
        found = impact.measure(campaign, timezone.now())
        if found is None:
            self.stdout.write(_("The campaign has not started: its figures are measured from its first day."))
        else:
            for key, figure in found.figures.items():
                cost = found.cost_per(key)
                extra = _(" · %(cost)s per result") % {"cost": format_amount(cost, workspace.currency)} if cost else ""
                self.stdout.write(f"  {capfirst(words.sentence(figure))}{extra}")
        for state in queries.goal_states(campaign, found):
            now = "-" if state.current is None else f"{state.current:g}"
            mark = _("reached") if state.reached else _("not reached")
            target = floatformat(state.goal.target, -2)
            self.stdout.write(f"  {capfirst(state.goal.get_metric_display())}: {now} / {target} ({mark})")

    def do_import_spend(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        campaign = self._campaign(workspace, options)
        path = Path(options["file"])
        if not options["file"] or not path.is_file():
            raise CommandError(_("Give the CSV file to import."))
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(_("The file is larger than %(size)s: split it in several files.") % {"size": max_size()})
        data = path.read_bytes()
        run = spending.check_file if options["dry_run"] else spending.import_spend
        report = run(campaign, by, data)
        for problem in report.problems:
            self.stderr.write(problem)
        for note in report.notes:
            self.stdout.write(note)
        for row in report.refused:
            self.stderr.write(_("Row %(row)d: %(problems)s") % {"row": row.number, "problems": " ".join(row.problems)})
        if report.problems or report.refused:
            raise CommandError(_("Nothing was imported: correct the file and run the command again."))
        count = len(report.rows)
        if report.imported:
            self.stdout.write(ngettext("%(count)d row imported.", "%(count)d rows imported.", count) % {"count": count})
        else:
            self.stdout.write(ngettext("%(count)d row ready.", "%(count)d rows ready.", count) % {"count": count})
