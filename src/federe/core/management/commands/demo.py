"""federe demo: a local Fédère with demo data, the web server and a worker."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command

from federe.core.demo import DEMO_PASSWORD, load_demo
from federe.core.management.commands.serve import Command as ServeCommand
from federe.core.management.commands.serve import require_free_port

BANNER = """
  Fédère is running: http://{address}/
  Log in with user "demo", password "{password}" (local demo only).
  The worker syncs the demo channels in the background. Ctrl-C stops both.
"""


class Command(ServeCommand):
    help = "Create a local database with demo data, then start the web server and a worker."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-serve", action="store_true", help="Only load the demo data.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_serve"]:
            require_free_port(options["address"])  # before loading anything: say it at once
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading demo data…")
        load_demo(say=self.stdout.write)
        if not options["no_serve"]:
            self.serve(options["address"], BANNER.format(address=options["address"], password=DEMO_PASSWORD))
