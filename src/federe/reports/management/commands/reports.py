"""federe reports list|create|pdf|html|share|send: the workspace's report templates; a new one; a template's report
written to a file (PDF or HTML) for its rolling window or given dates; a share link; the report e-mailed now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.analytics import period as periods
from federe.core.csvexport import csv_text
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.core.params import whole_number
from federe.reports import content, render, schedule, services, sharing, transparency
from federe.reports.content import SECTIONS
from federe.reports.models import ReportTemplate


class Command(WorkspaceCommand):
    help = "Client reports: list templates, create one, write a report as PDF or HTML, make a share link, send now."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["list", "create", "pdf", "html", "share", "send", "transparency"])
        parser.add_argument("target", nargs="?", default="", help="The template's id (pdf, html, share, send).")
        add_workspace_argument(parser)
        parser.add_argument("--name", default="", help="The template's name (create).")
        parser.add_argument("--language", default="en", help="fr or en (create).")
        parser.add_argument("--sections", default=",".join(SECTIONS), help="Sections, separated by commas (create).")
        parser.add_argument(
            "--days", type=int, default=30, help="Days covered: 7, 30 or 90 (create; share: valid for)."
        )
        parser.add_argument("--schedule", default="", help="weekly or monthly (create).")
        parser.add_argument("--to", default="", help="Addresses, separated by commas (create).")
        parser.add_argument("--since", default="", help="First day, YYYY-MM-DD (pdf, html).")
        parser.add_argument("--until", default="", help="Last day, YYYY-MM-DD, included (pdf, html).")
        parser.add_argument("--output", default="", help="The file to write (pdf, html).")
        parser.add_argument("--csv", action="store_true", help="The transparency report as CSV (transparency).")
        parser.add_argument("--as", dest="username", help="Act as this member; the operator otherwise.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace_from(options)
        by = None
        if options["username"]:
            by = get_user_model().objects.filter(username=options["username"]).first()
            if by is None:
                raise CommandError(_("No user named %(name)s.") % {"name": options["username"]})
        self.run(options["what"], workspace, by, options)

    def _template(self, workspace: Workspace, options: dict[str, Any]) -> ReportTemplate:
        pk = whole_number(options["target"])
        found = ReportTemplate.objects.filter(workspace=workspace, pk=pk).first() if pk else None
        if found is None:
            raise CommandError(_("No report template %(id)s in this workspace.") % {"id": options["target"][:20]})
        return found

    def do_list(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        rows = list(ReportTemplate.objects.filter(workspace=workspace)[:500])
        if not rows:
            self.stdout.write(_("No report template yet."))
        for t in rows:
            sent = t.get_schedule_display()
            self.stdout.write(f"{t.pk}\t{t.name}\t{t.language}\t{sent}\t{', '.join(t.addresses())}")

    def do_create(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        fields = services.Fields(
            name=options["name"],
            language=options["language"],
            sections=[s.strip() for s in options["sections"].split(",") if s.strip()],
            days=options["days"],
            schedule=options["schedule"],
            recipients=[a.strip() for a in options["to"].split(",") if a.strip()],
        )
        template = services.create_template(workspace, by=by, fields=fields)
        self.stdout.write(_("Report template %(id)s created.") % {"id": template.pk})

    def _report(self, workspace: Workspace, options: dict[str, Any]) -> content.Report:
        template = self._template(workspace, options)
        period = None
        if options["since"] or options["until"]:
            period = periods.parse(None, options["since"], options["until"])
        return content.build(template, period)

    def _write(self, report: content.Report, data: bytes, extension: str, options: dict[str, Any]) -> None:
        target = Path(options["output"] or render.file_name(report, extension))
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(why)s") % {"file": target, "why": exc.strerror}) from exc
        self.stdout.write(_("Written to %(file)s.") % {"file": target})

    def do_pdf(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        report = self._report(workspace, options)
        self._write(report, render.pdf(report), "pdf", options)

    def do_html(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        report = self._report(workspace, options)
        self._write(report, render.html(report).encode(), "html", options)

    def do_share(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        template = self._template(workspace, options)
        token, expires = sharing.make(template, by=by, days=options["days"])
        self.stdout.write(settings.FEDERE_BASE_URL.rstrip("/") + reverse("reports:shared", args=[token]))
        self.stdout.write(_("Valid until %(when)s (UTC).") % {"when": expires.strftime("%Y-%m-%d %H:%M")})

    def do_send(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        template = self._template(workspace, options)
        services.allowed(by, workspace)
        if not template.addresses():
            raise CommandError(_("This template has no address to e-mail the report to."))
        schedule.send(template)
        self.stdout.write(_("Report e-mailed to %(list)s.") % {"list": ", ".join(template.addresses())})

    def do_transparency(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        """The moderation transparency report of a period: in words, as CSV (--csv) or as a PDF (--output x.pdf)."""
        period = periods.parse(None if options["since"] else "30", options["since"] or None, options["until"] or None)
        found = transparency.build(workspace.pk, period)
        if options["csv"]:
            header, rows = transparency.csv_rows(found)
            self.stdout.write(csv_text(header, rows, bom=False), ending="")
            return
        if options["output"]:
            from django.template.loader import render_to_string
            from django.utils.translation import get_language

            from federe.reports.transparency_views import context_of

            context = {"workspace": workspace, "lang": get_language(), **context_of(found)}
            data = render.pdf_of(render_to_string("reports/transparency_doc.html", context))
            Path(options["output"]).write_bytes(data)
            self.stdout.write(_("Written to %(file)s.") % {"file": options["output"]})
            return
        never = "—"
        self.stdout.write(_("From %(since)s to %(last)s.") % {"since": period.since, "last": period.last})
        self.stdout.write(_("Moderation decisions: %(n)d") % {"n": found.total})
        self.stdout.write(_("By a rule: %(a)d; by a person: %(h)d") % {"a": found.automatic, "h": found.human})
        median = transparency.minutes(found.median_all)
        self.stdout.write(_("Median time to act (min): %(m)s") % {"m": never if median is None else median})
        for code, n in found.by_action:
            self.stdout.write(f"  {transparency.action_label(code)}: {n}")
        for code, n in found.by_reason:
            self.stdout.write(f"  {transparency.reason_label(code)}: {n}")
        self.stdout.write(_("Reversals (restored, unbanned): %(n)d") % {"n": found.reversals})
