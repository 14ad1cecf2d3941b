"""federe apitoken: a personal API token, printed once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from federe.accounts.models import Workspace
from federe.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Create a personal API token for a user in one workspace; it is printed once and never stored."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True)
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if user is None or workspace is None:
            raise CommandError("Unknown user or workspace.")
        try:
            _token, raw = create_api_token(user=user, workspace=workspace, name=options["name"])
        except PermissionDenied as exc:
            raise CommandError(f"{user.username} is not a member of {workspace.slug}.") from exc
        self.stdout.write(raw)
