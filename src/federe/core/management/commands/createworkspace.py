"""federe createworkspace: a workspace for a brand or a client, with its owner."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from federe.accounts.services import create_workspace


class Command(BaseCommand):
    help = "Create a workspace (a brand or an agency's client) owned by an existing user."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", help="Short name used in addresses, e.g. cafe-lumiere.")
        parser.add_argument("--name", default="", help="Display name (defaults to the short name).")
        parser.add_argument("--owner", required=True, help="User name of the owner.")
        parser.add_argument(
            "--timezone", default="", help="The team's clock for schedules, e.g. America/Montreal (Europe/Paris)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = get_user_model().objects.filter(username=options["owner"]).first()
        if owner is None:
            raise CommandError(f"No user named {options['owner']!r}; create one with 'federe createuser'.")
        try:
            workspace = create_workspace(
                name=options["name"] or options["slug"],
                slug=options["slug"],
                owner=owner,
                timezone_name=options["timezone"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Workspace {workspace.slug} created, owned by {owner.username}.")
