"""federe import NETWORK SOURCE --workspace SLUG: a community's history from an export (a data dump).

The networks offered are the connectors that declare ``Capability.IMPORT``; each says what its SOURCE is.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.connectors.errors import ConnectorError
from federe.connectors.types import ProgressFactory
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.people.importers.history import BATCH, ImportFailed, ImportReport, import_history, importers
from federe.people.importers.progress import Progress


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


def _add_network(sources: Any, cls: Any) -> None:
    """One sub-command per network that imports, with the options every import shares."""
    network = sources.add_parser(cls.key, help=str(cls.history_help))
    network.add_argument("source", metavar="SOURCE", help=str(cls.history_source_help))
    add_workspace_argument(network)
    network.add_argument(
        "--name", default="", help="The channel's name (default: the site's host name, else the folder's)."
    )
    network.add_argument(
        "--site-url",
        default="",
        help="The site's address (https://…), for links to profiles and posts.",
    )
    network.add_argument("--batch-size", type=int, default=BATCH, help="Rows stored per transaction.")
    network.add_argument("--no-progress", action="store_true", help="Do not show progress bars.")
    network.add_argument(
        "--no-scores", action="store_true", help="Do not recompute the workspace's engagement scores afterwards."
    )


class Command(WorkspaceCommand):
    help = "Import a community's history from an export (a data dump): federe import NETWORK --help."

    def add_arguments(self, parser: Any) -> None:
        sources = parser.add_subparsers(dest="network", required=True, metavar="NETWORK")
        for cls in importers():
            _add_network(sources, cls)

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace_from(options)
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        try:
            report = import_history(
                workspace,
                options["source"],
                network=options["network"],
                name=options["name"],
                site_url=options["site_url"],
                batch_size=options["batch_size"],
                progress=self._progress(options),
            )
        except (ConnectorError, ImportFailed) as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] > 0:
            self.stdout.write(summary(report))
        if not options["no_scores"]:
            self._rescore(workspace, options["verbosity"])

    def _progress(self, options: dict[str, Any]) -> ProgressFactory:
        show = options["verbosity"] > 0 and not options["no_progress"]
        stream = _Raw(self.stderr)

        def progress(label: str, total: int | None, **kwargs: Any) -> Progress:
            return Progress(label, total, stream=stream, enabled=show, **kwargs)  # type: ignore[arg-type]

        return progress

    def _rescore(self, workspace: Workspace, verbosity: int) -> None:
        """A sync scores new messages page by page; an import rescoring the whole workspace once is cheaper."""
        from federe.people.engagement import scoring

        result = scoring.recompute(workspace)
        if verbosity > 0:
            self.stdout.write(
                ngettext(
                    "Engagement scores recomputed for %(n)s person in %(seconds)s s.",
                    "Engagement scores recomputed for %(n)s persons in %(seconds)s s.",
                    result.persons,
                )
                % {"n": f"{result.persons:,}", "seconds": f"{result.seconds:.2f}"}
            )


def _messages(report: ImportReport) -> str:
    counts = ", ".join(f"{word} {report.kinds[kind]:,}" for kind, word in report.kind_words.items())
    return _("Messages: %(counts)s; new %(new)s, updated %(changed)s.") % {
        "counts": counts,
        "new": f"{report.stored:,}",
        "changed": f"{report.updated:,}",
    }


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
            "total": f"{report.export.members:,}",
            "new": f"{report.members_created:,}",
            "changed": f"{report.members_updated:,}",
        },
        _messages(report),
        *report.export.notes,
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
