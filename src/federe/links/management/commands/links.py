"""federe links list: the workspace's short links with their clicks (``--post`` for one post's)."""

from __future__ import annotations

from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument
from federe.links import addresses, queries


class Command(WorkspaceCommand):
    help = "Short links: list them with their clicks (--post ID for one post's)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["list"])
        add_workspace_argument(parser)
        parser.add_argument("--post", type=int, default=None, help="Only this post's links.")

    def do_list(self, workspace: Workspace, options: dict[str, Any]) -> None:
        rows = list(queries.links(workspace, options["post"])[: queries.MAX_ROWS])
        if not rows:
            self.stdout.write(_("No short link yet. They are made when a post that shortens its links is sent."))
        for link in rows:
            clicks = ngettext("%(shown)s click", "%(shown)s clicks", link.total) % {"shown": intcomma(link.total)}
            channel = link.connection.name if link.connection else ""
            self.stdout.write(f"{addresses.short_url(link.code)} → {link.target} · {channel} · {clicks}")
