"""federe serve: the web server and a worker together, for local use. Ctrl-C stops both."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def start_processes(address: str) -> list[subprocess.Popen[bytes]]:
    federe = [sys.executable, "-m", "federe.config.cli"]
    return [
        subprocess.Popen([*federe, "runserver", address, "--noreload"]),
        subprocess.Popen([*federe, "worker", "--worker-id", "local"]),
    ]


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def host_and_port(address: str) -> tuple[str, int]:
    host, _colon, port = address.rpartition(":")
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(_("%(address)s is not an address to listen on: write HOST:PORT.") % {"address": address})
    return host.strip("[]") or "127.0.0.1", int(port)


def port_is_free(host: str, port: int) -> bool:
    """Whether the web server could listen there (SO_REUSEADDR, as it does: a port in TIME_WAIT is free)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def require_free_port(address: str) -> None:
    host, port = host_and_port(address)
    if not port_is_free(host, port):
        raise CommandError(
            _(
                "The port %(port)s on %(host)s is taken: another program (perhaps another Fédère) listens there. "
                "Stop it, or choose another port: federe serve --address %(host)s:8011, or make demo PORT=8011."
            )
            % {"port": port, "host": host}
        )


def wait_for(address: str, seconds: float = 20) -> bool:
    host, port = host_and_port(address)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Start the web server and a background worker together (local use). Ctrl-C stops both."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--address", default="127.0.0.1:8000", help="Where to listen (default 127.0.0.1:8000).")

    def serve(self, address: str, banner: str = "") -> None:
        """Run until Ctrl-C; a server or worker that stops by itself stops both and fails the command."""
        require_free_port(address)
        processes = start_processes(address)
        try:
            if not wait_for(address) or processes[0].poll() is not None:
                raise CommandError(_("The web server did not start on %(address)s.") % {"address": address})
            self.stdout.write(banner or f"\n  Fédère runs on http://{address}/ — Ctrl-C stops it.\n")
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            web, worker = processes
            if web.poll() is not None:
                raise CommandError(
                    _("The web server stopped by itself (exit code %(code)s).") % {"code": web.returncode}
                )
            raise CommandError(_("The worker stopped by itself (exit code %(code)s).") % {"code": worker.returncode})
        except KeyboardInterrupt:
            self.stdout.write("Stopping the web server and the worker…")
        finally:
            stop_processes(processes)

    def handle(self, *args: Any, **options: Any) -> None:
        self.serve(options["address"])
