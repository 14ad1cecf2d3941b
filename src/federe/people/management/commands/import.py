"""federe import stackexchange DIR --workspace SLUG: a community's history from a data dump."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.connectors.stackexchange.dump import DumpError
from federe.people.importers.progress import Progress
from federe.people.importers.stackexchange import ImportFailed, ImportReport, import_dump


class _Raw:
    """Django's output wrapper adds a line ending to every write; a progress bar redraws in place."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")

    def flush(self) -> None:
        self.wrapper.flush()

    def isatty(self) -> bool:
        return self.wrapper.isatty()


class Command(BaseCommand):
    help = "Import a community's history from a data dump (for now: a Stack Exchange data dump)."

    def add_arguments(self, parser: Any) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        stackexchange = sources.add_parser(
            "stackexchange",
            help="A Stack Exchange data dump: the folder that holds Users.xml, Posts.xml, Comments.xml, "
            "Votes.xml and Badges.xml.",
        )
        stackexchange.add_argument("directory", help="The folder of the dump (one site, unzipped).")
        stackexchange.add_argument("--workspace", required=True, help="The workspace's short name.")
        stackexchange.add_argument(
            "--name", default="", help="The channel's name (default: the site's host name, else the folder's)."
        )
        stackexchange.add_argument(
            "--site-url",
            default="",
            help="The site's address, e.g. https://french.meta.stackexchange.com, for links to profiles and posts.",
        )
        stackexchange.add_argument("--batch-size", type=int, default=1000, help="Rows stored per transaction.")
        stackexchange.add_argument("--no-progress", action="store_true", help="Do not show progress bars.")
        stackexchange.add_argument(
            "--no-scores", action="store_true", help="Do not recompute the workspace's engagement scores afterwards."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace named %(slug)s.") % {"slug": options["workspace"]})
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        show = options["verbosity"] > 0 and not options["no_progress"]
        stream = _Raw(self.stderr)

        def progress(label: str, total: int | None, **kwargs: Any) -> Progress:
            return Progress(label, total, stream=stream, enabled=show, **kwargs)  # type: ignore[arg-type]

        try:
            report = import_dump(
                workspace,
                options["directory"],
                name=options["name"],
                site_url=options["site_url"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except (DumpError, ImportFailed) as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] > 0:
            self.stdout.write(summary(report))
        if not options["no_scores"]:
            # A sync scores new messages page by page; an import rescoring the whole workspace once is cheaper.
            from federe.people import scoring

            result = scoring.recompute(workspace)
            if options["verbosity"] > 0:
                self.stdout.write(
                    ngettext(
                        "Engagement scores recomputed for %(n)s person in %(seconds)s s.",
                        "Engagement scores recomputed for %(n)s persons in %(seconds)s s.",
                        result.persons,
                    )
                    % {"n": f"{result.persons:,}", "seconds": f"{result.seconds:.2f}"}
                )


def summary(report: ImportReport) -> str:
    connection = report.connection
    lines = [
        (
            _("Channel “%(name)s” (id %(id)s) created in workspace %(workspace)s.")
            if report.created_channel
            else _("Channel “%(name)s” (id %(id)s) of workspace %(workspace)s updated.")
        )
        % {"name": connection.name, "id": connection.pk, "workspace": connection.workspace.slug},
        _("Members: %(total)s in the dump, %(new)s new, %(changed)s updated.")
        % {
            "total": f"{report.rows.get('Users.xml', 0):,}",
            "new": f"{report.members_created:,}",
            "changed": f"{report.members_updated:,}",
        },
        _(
            "Messages: questions %(questions)s, answers %(answers)s, comments %(comments)s; "
            "new %(new)s, updated %(changed)s."
        )
        % {
            "questions": f"{report.questions:,}",
            "answers": f"{report.answers:,}",
            "comments": f"{report.comments:,}",
            "new": f"{report.stored:,}",
            "changed": f"{report.updated:,}",
        },
        _("Votes read: %(votes)s; badges read: %(badges)s (kept per member in the channel's settings).")
        % {"votes": f"{report.rows.get('Votes.xml', 0):,}", "badges": f"{report.rows.get('Badges.xml', 0):,}"},
    ]
    for reason, count in sorted(report.skipped.items()):
        lines.append(_("Skipped: %(count)s %(reason)s.") % {"count": f"{count:,}", "reason": reason})
    if report.malformed:
        examples = ", ".join(f"{m.external_id or '?'} ({m.reason})" for m in report.malformed[:3])
        lines.append(
            _("Rows that could not be read, skipped: %(count)s, e.g. %(examples)s.")
            % {"count": f"{len(report.malformed):,}", "examples": examples}
        )
    lines.append(_("Done in %(seconds)s s.") % {"seconds": f"{report.seconds:.1f}"})
    return "\n".join(lines)
