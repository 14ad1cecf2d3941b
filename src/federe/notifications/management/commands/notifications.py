"""`federe notifications digest`: e-mail each user the notifications they chose to receive in a daily digest."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from federe.notifications.services import send_digests


class Command(BaseCommand):
    help = "Notifications: `digest` e-mails the daily digests (run it once a day, e.g. from cron)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["digest"])

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(ngettext("%(n)d digest sent.", "%(n)d digests sent.", sent) % {"n": sent})
