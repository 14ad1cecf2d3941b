"""federe serve: the web server and a worker together, for local use. Ctrl-C stops both."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


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


def wait_for(address: str, seconds: float = 20) -> bool:
    host, _, port = address.rpartition(":")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Start the web server and a background worker together (local use). Ctrl-C stops both."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--address", default="127.0.0.1:8000", help="Where to listen (default 127.0.0.1:8000).")

    def serve(self, address: str, banner: str = "") -> None:
        processes = start_processes(address)
        if wait_for(address):
            self.stdout.write(banner or f"\n  Fédère runs on http://{address}/ — Ctrl-C stops it.\n")
        else:
            self.stderr.write(f"The web server did not answer on {address}; is the port taken?")
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("Stopping the web server and the worker…")
        finally:
            stop_processes(processes)

    def handle(self, *args: Any, **options: Any) -> None:
        self.serve(options["address"])
