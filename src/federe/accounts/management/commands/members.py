"""federe members: the team of a workspace from the command line (the operator acts, or --as an owner)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from federe.accounts import team
from federe.accounts.models import Invitation, Membership, Role, User, Workspace
from federe.accounts.queries import members_of
from federe.core.management.workspace import WorkspaceCommand, add_workspace_argument


class Command(WorkspaceCommand):
    help = "Team: list members and invitations, add or invite, change a role, remove."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["list", "add", "role", "remove"])
        parser.add_argument("who", nargs="?", default="", help="User name (role, remove) or user name/e-mail (add).")
        add_workspace_argument(parser)
        parser.add_argument("--role", choices=Role.values, help="The role (add, role).")
        parser.add_argument("--as", dest="username", help="Act as this member (an owner); the operator otherwise.")
        parser.add_argument("--base-url", default="", help="Address of Fédère in the invitation link.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace_from(options)
        by = None
        if options["username"]:
            by = User.objects.filter(username=options["username"]).first()
            if by is None:
                raise CommandError(f"No user {options['username']!r}.")
        self.run(options["what"], workspace, by, options)

    def _needs(self, options: dict[str, Any], *names: str) -> None:
        missing = [name for name in names if not options[name]]
        if missing:
            raise CommandError(f"Give {', '.join(missing)} (federe members --help).")

    def _membership(self, workspace: Workspace, username: str) -> Membership:
        membership = members_of(workspace).filter(user__username=username).first()
        if membership is None:
            raise CommandError(f"{username!r} is not a member of {workspace.slug}.")
        return membership

    def do_list(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        for m in members_of(workspace):
            self.stdout.write(f"{m.user.get_username():<24} {m.role:<10} {m.user.email}")
        for i in team.pending(workspace):
            self.stdout.write(f"{i.email:<24} {i.role:<10} invited, expires {i.expires_at:%Y-%m-%d %H:%M}")

    def do_add(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        self._needs(options, "who", "role")
        base_url = options["base_url"] or settings.FEDERE_BASE_URL
        added = team.add_or_invite(
            workspace=workspace, who=options["who"], role=options["role"], by=by, base_url=base_url
        )
        if isinstance(added, Invitation):
            self.stdout.write(f"Invitation sent to {added.email}: {team.invitation_link(added, base_url)}")
        else:
            self.stdout.write(f"{added.user.get_username()} joined {workspace.slug} as {added.role}.")

    def do_role(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        self._needs(options, "who", "role")
        membership = team.change_role(
            membership=self._membership(workspace, options["who"]), role=options["role"], by=by
        )
        self.stdout.write(f"{options['who']} is now {membership.role} in {workspace.slug}.")

    def do_remove(self, workspace: Workspace, by: Any, options: dict[str, Any]) -> None:
        self._needs(options, "who")
        team.remove(membership=self._membership(workspace, options["who"]), by=by)
        self.stdout.write(f"{options['who']} removed from {workspace.slug}.")
