"""Alert latency: from a spike's first message to the alert delivered (a signed webhook received on 127.0.0.1).

    FEDERE_ENV=test .venv/bin/python bench/listening_alerts.py [--rate 5] [--runs 5]

A fresh SQLite database under var/ gets a workspace, a brand query and a quiet baseline (a mention every 2 hours).
Then a spike arrives through the real ingest path (one page per message, each in its own transaction, as a sync
stores it), at --rate messages per second, with the default alert settings (60-minute window, at least 10
mentions, 3× the baseline rate). Delivery goes through the worker's code (the task runs immediately here).

Printed per run: when the threshold was crossed (message number), the time from the spike's first message to
the webhook, and the processing time from the crossing message's arrival to the webhook. With a polling channel,
add the channel's sync delay (bench/reaction.py: WordPress p50 9.9 s polling, 1.7 s with the notify plugin).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class Hook(BaseHTTPRequestHandler):
    arrived: list[float] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        Hook.arrived.append(time.perf_counter())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=5.0, help="spike messages per second")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-alerts-", dir=REPO / "var" if (REPO / "var").exists() else None))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federe.config.test_settings")
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO))  # tests.factories
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from tests.factories import ConnectionFactory, MembershipFactory, WorkspaceFactory

    from federe.connectors.types import Author, Item
    from federe.inbox.ingest import ingest_items
    from federe.listening import services
    from federe.listening.models import Alert

    call_command("migrate", verbosity=0, interactive=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"

    totals, processing, crossing = [], [], []
    for run in range(args.runs):
        ws = WorkspaceFactory(slug=f"bench{run}", name=f"Bench {run}")
        owner = MembershipFactory(workspace=ws, role="owner").user
        conn = ConnectionFactory(workspace=ws, name="Blog")
        config = services.alert_settings(ws.pk)
        config.webhook_url, config.webhook_secret = hook, "bench"
        config.save()
        query = services.save_query(workspace=ws, by=owner, name="Lumière", kind="brand", text="lumière OR lumiere")
        now = timezone.now()
        baseline = [
            Item(f"b{i}", f"t{i}", Author(f"base{i}"), "<p>Un café chez Lumière</p>", now - timedelta(hours=2 * i + 2))
            for i in range(5)
        ]
        ingest_items(conn, baseline)
        Hook.arrived.clear()
        first = None
        for n in range(200):
            arrival = time.perf_counter()
            first = first or arrival
            spike = Item(f"s{n}", f"s{n}", Author(f"fan{n}"), f"<p>Lumière en panne ? message {n}</p>", timezone.now())
            with transaction.atomic():
                ingest_items(conn, [spike])
            deadline = time.perf_counter() + 2
            while Alert.objects.filter(query=query).exists() and not Hook.arrived and time.perf_counter() < deadline:
                time.sleep(0.001)
            if Hook.arrived:
                totals.append(Hook.arrived[0] - first)
                processing.append(Hook.arrived[0] - arrival)
                crossing.append(n + 1)
                break
            time.sleep(max(0.0, 1 / args.rate - (time.perf_counter() - arrival)))
        print(
            f"run {run + 1}: alert after message {crossing[-1]}, {totals[-1]:.2f} s after the first spike message, "
            f"{processing[-1] * 1000:.0f} ms after the crossing message arrived"
        )
    server.shutdown()
    print(
        f"\n{args.runs} runs at {args.rate:g} messages/s: first message → webhook median "
        f"{statistics.median(totals):.2f} s; crossing message → webhook median "
        f"{statistics.median(processing) * 1000:.0f} ms (max {max(processing) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
