"""federe posts: list, show, create, cancel and retry posts from the command line (the operator acts, or --as);
``queue`` lists the channels' queues and adds times to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import User, Workspace
from federe.connections.models import Connection
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.core.params import whole_number
from federe.publishing import importing, queries, queueing, services
from federe.publishing.besttime import AUTO, DEFAULT_WEEKS, MEASURES, WINDOWS, best_time
from federe.publishing.besttime.words import as_text
from federe.publishing.channels import publishing_channels
from federe.publishing.checks import PostInput, VariantInput, workspace_zone
from federe.publishing.csvread import MAX_BYTES
from federe.publishing.models import Post
from federe.publishing.slots import parse_days, parse_times


class Command(WorkspaceCommand):
    help = (
        "Posts: list, show one with its deliveries, create (scheduled with --at, or --queue), cancel, retry what "
        "failed; queue: the channels' times of the week and their next free times (add with --days and --times); "
        "best-time: the heat map of when to post (--channel, --weeks, --measure)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "what", choices=["list", "show", "create", "cancel", "retry", "queue", "best-time", "import"]
        )
        parser.add_argument(
            "post", nargs="?", default=None, help="The post's id (show, cancel, retry), or the CSV file (import)."
        )
        add_workspace_argument(parser)
        parser.add_argument("--status", default="", help="Only posts in this status (list).")
        parser.add_argument(
            "--channel", type=int, action="append", default=[], help="A channel id (create, best-time)."
        )
        parser.add_argument("--text", default="", help="The post's text (create).")
        parser.add_argument("--title", default="", help="Its title, for networks that take one (create).")
        parser.add_argument(
            "--at", default="", help="When to publish: ISO 8601, on the workspace's clock without an offset (create)."
        )
        parser.add_argument(
            "--queue", action="store_true", help="Publish at the next free time of the channels' queues (create)."
        )
        parser.add_argument("--days", default="", help="Days for new queue times: mon-fri, tue,thu… (queue).")
        parser.add_argument("--times", default="", help="Times for new queue times: 9:00,17:30 (queue).")
        parser.add_argument("--weeks", type=int, choices=WINDOWS, default=DEFAULT_WEEKS, help="Window (best-time).")
        parser.add_argument("--measure", choices=MEASURES, default=AUTO, help="What to learn from (best-time).")
        parser.add_argument("--dry-run", action="store_true", help="Print the report, create nothing (import).")
        parser.add_argument("--as", dest="username", help="Act as this member; the operator otherwise.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace_from(options)
        by = None
        if options["username"]:
            by = User.objects.filter(username=options["username"]).first()
            if by is None:
                raise CommandError(_("No user named %(name)s.") % {"name": options["username"]})
        self.run(options["what"], workspace, by, options)

    def _post(self, workspace: Workspace, options: dict[str, Any]) -> Post:
        post_id = whole_number(options["post"] or "")
        if post_id is None:
            raise CommandError(_("Give the post's id."))
        try:
            return queries.post(workspace, post_id)
        except Post.DoesNotExist as exc:
            raise CommandError(_("No post %(id)s in this workspace.") % {"id": options["post"]}) from exc

    def _line(self, post: Post, workspace: Workspace) -> str:
        when = (
            post.scheduled_at.astimezone(workspace_zone(workspace)).strftime("%Y-%m-%d %H:%M")
            if post.scheduled_at
            else "-"
        )
        return f"{post.pk:>6}  {when:<16}  {post.get_status_display():<22}  {str(post)[:60]}"

    def do_list(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        for post in queries.posts(workspace, options["status"])[:500]:
            self.stdout.write(self._line(post, workspace))

    def do_show(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        post = self._post(workspace, options)
        self.stdout.write(self._line(post, workspace))
        for d in queries.deliveries(post):
            sent = f" {d.url or d.external_id}" if d.external_id else ""
            error = f" — {d.last_error}" if d.last_error else ""
            self.stdout.write(f"  {d.connection.name:<24} {d.get_state_display():<18} {d.attempts}×{sent}{error}")

    def do_create(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        when = None
        if options["at"]:
            try:
                when = datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(_("--at takes a date and time such as 2026-12-24 09:30.")) from exc
        data = PostInput(
            body=options["text"],
            title=options["title"],
            scheduled_at=when,
            variants=[VariantInput(connection_id=channel) for channel in options["channel"]],
            queue=options["queue"],
        )
        post = services.create_post(workspace, by, data)
        self.stdout.write(self._line(post, workspace))

    def do_cancel(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        post = services.cancel_post(self._post(workspace, options), by)
        self.stdout.write(self._line(post, workspace))

    def do_retry(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        count = services.retry_failed(self._post(workspace, options), by)
        self.stdout.write(_("Channels sent again: %(count)d") % {"count": count})

    def do_queue(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        """Without --days/--times: each channel's queue. With them: add those times to the --channel ones first."""
        if options["days"] or options["times"]:
            if not options["channel"]:
                raise CommandError(_("Give the channel's id with --channel."))
            days, times = parse_days(options["days"]), parse_times(options["times"])
            slots = [(day, at) for day in days for at in times]
            added = queueing.add_to_channels(workspace, options["channel"], slots, by=by)
            self.stdout.write(ngettext("%(count)d time added.", "%(count)d times added.", added) % {"count": added})
        zone = workspace_zone(workspace)
        channels = [c.connection for c in publishing_channels(workspace)]
        if options["channel"]:
            channels = [c for c in channels if c.pk in options["channel"]]
        for queue in queueing.overview(workspace, channels):
            self.stdout.write(f"{queue.connection.pk:>6}  {queue.connection.name}")
            if not queue.slots:
                self.stdout.write("        " + _("No time in this channel's queue yet."))
                continue
            self.stdout.write("        " + ", ".join(f"{s.get_weekday_display()} {s.at:%H:%M}" for s in queue.slots))
            for moment in queue.upcoming:
                self.stdout.write(f"        → {moment.astimezone(zone):%Y-%m-%d %H:%M %Z}")

    def do_best_time(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        channel = None
        if options["channel"]:
            channel = Connection.objects.filter(workspace=workspace, pk=options["channel"][0]).first()
            if channel is None:
                raise CommandError(_("No channel %(id)s in this workspace.") % {"id": options["channel"][0]})
        result = best_time(workspace, channel=channel, weeks=options["weeks"], measure=options["measure"])
        for line in as_text(result, channel.name if channel else _("Every channel")):
            self.stdout.write(line)

    def do_import(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        """The same report as the import page; without --dry-run, the accepted rows are created (all or nothing)."""
        if not options["post"]:
            raise CommandError(_("Give the CSV file."))
        try:
            with open(options["post"], "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(_("The file could not be opened: %(error)s") % {"error": exc.strerror}) from exc
        if options["dry_run"]:
            report = importing.check_file(workspace, by, data)
        else:
            report = importing.import_posts(workspace, by, data)
        if report.problems:
            raise CommandError(" ".join(report.problems))
        zone = workspace_zone(workspace)
        for note in report.notes:
            self.stdout.write(note)
        for row in report.rows:
            self.stdout.write(importing.row_line(row, zone))
        self.stdout.write(importing.summary(report))
        if not options["dry_run"]:
            count = len(report.created)
            self.stdout.write(ngettext("%(count)d post created.", "%(count)d posts created.", count) % {"count": count})
