"""`federe notifications digest`: e-mail each user the notifications they chose to receive in a daily digest."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from federe.notifications.digests import send_digests


class Command(BaseCommand):
    help = (
        "Notifications: `digest` e-mails today's digests now (the worker sends them by itself each morning; "
        "one a day per user either way)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["digest"])

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(ngettext("%(n)d digest sent.", "%(n)d digests sent.", sent) % {"n": sent})
