"""federe createuser: a user who can log in."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from federe.accounts.services import create_user


class Command(BaseCommand):
    help = "Create a user who can log in. The password is asked for, never passed on the command line."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--language", choices=["en", "fr"], default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = getpass.getpass("Password: ")
        try:
            validate_password(password)
            user = create_user(options["username"], password, email=options["email"], language=options["language"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"User {user.username} created.")
