"""The base of every command about one workspace: ``--workspace SLUG`` found once, with the same translated error
in every command, and a service's refusal (ValidationError, PermissionDenied) turned into the command's error."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.core.refusals import error_text


def add_workspace_argument(parser: Any, *, required: bool = True, help: str = "The workspace's short name.") -> None:
    """``--workspace SLUG`` on a command's parser or on one of its sub-commands."""
    parser.add_argument("--workspace", required=required, help=help)


def workspace_named(slug: str) -> Workspace:
    """The workspace of this short name, or the command stops with a message that says so."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise CommandError(_("No workspace named %(slug)s.") % {"slug": slug})
    return workspace


class WorkspaceCommand(BaseCommand):
    """A command whose actions (``do_<action>`` methods) act on one workspace.

    Its parser takes ``add_workspace_argument``. The default ``handle`` finds the workspace and runs the action
    named by the ``action_argument`` positional argument with ``(workspace, options)``; a command of another shape
    calls ``workspace_from`` and ``run`` itself.
    """

    action_argument = "what"

    def workspace_from(self, options: dict[str, Any]) -> Workspace:
        return workspace_named(options["workspace"])

    def run(self, action: str, *args: Any) -> None:
        """``do_<action>(*args)``; a service's refusal becomes a CommandError with its own words."""
        try:
            getattr(self, "do_" + action.replace("-", "_"))(*args)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(error_text(exc)) from exc

    def handle(self, *args: Any, **options: Any) -> None:
        self.run(options[self.action_argument], self.workspace_from(options), options)
