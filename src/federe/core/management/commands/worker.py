"""federe worker: run background tasks and enqueue the syncs that are due."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from federe.connections import tasks
from federe.connections.live import run_live
from federe.connections.schedule import dispatch_wait, seconds_to_next_sync
from federe.connections.services import dispatch_due_syncs
from federe.contests import announce
from federe.events import followup
from federe.listening.delivery import dispatch_due_alerts
from federe.moderation.services import dispatch_due_decisions
from federe.nlp import wave_index
from federe.nlp.refine import queue as deep_queue
from federe.nlp.refine.runner import run_refiner
from federe.notifications.digests import send_digests
from federe.publishing.worker import run_publisher
from federe.reports.schedule import dispatch_due as dispatch_due_reports
from federe.sla.warnings import warn_due
from federe.webhooks.delivery import dispatch_due_deliveries

logger = logging.getLogger("federe.worker")
#: How often the dispatcher looks for users whose daily digest is due (their morning has come).
DIGEST_LOOK_SECONDS = 60.0
SLA_EVERY_SECONDS = 30
#: How often spam waves' old band rows are deleted (nlp.wave_index.prune).
PRUNE_EVERY_SECONDS = 3600


def run_dispatcher(stop: threading.Event, every: float) -> None:
    """Enqueue due rows every few seconds; rows, not memory, hold the schedule (the digests' too: a Digest row
    per user and day, so that a restart or a second worker sends none twice). SLA warnings every 30 s at most."""
    next_digests = next_prune = 0.0
    sla_checked = 0.0
    while not stop.is_set():
        try:
            ids = dispatch_due_syncs()
            if ids:
                logger.info("channels queued for a sync: %d", len(ids))
            decisions = dispatch_due_decisions()
            if decisions:
                logger.info("moderation actions queued for the networks: %d", len(decisions))
            alerts = dispatch_due_alerts()
            if alerts:
                logger.info("listening alerts queued for delivery: %d", len(alerts))
            hooks = dispatch_due_deliveries()
            if hooks:
                logger.info("webhook events queued for delivery: %d", len(hooks))
            runs = followup.dispatch_abandoned() + announce.dispatch_abandoned()
            if runs:
                logger.info("follow-ups and announcements whose worker stopped, queued again: %d", len(runs))
            if time.monotonic() >= next_digests:
                next_digests = time.monotonic() + DIGEST_LOOK_SECONDS
                digests = send_digests(morning_only=True)
                if digests:
                    logger.info("notification digests sent: %d", digests)
                reports = dispatch_due_reports()
                if reports:
                    logger.info("scheduled reports queued for e-mail: %d", len(reports))
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                pruned = wave_index.prune()
                if pruned:
                    logger.info("spam-wave band rows older than the window, deleted: %d", pruned)
            warnings = 0
            if time.monotonic() - sla_checked >= SLA_EVERY_SECONDS:
                warnings, sla_checked = warn_due(), time.monotonic()
            if warnings:
                logger.info("SLA targets about to breach, notified: %d", warnings)
        except Exception:
            logger.exception("dispatcher round failed; retrying")
        wait = every
        try:
            wait = dispatch_wait(every, seconds_to_next_sync())
        except Exception:
            logger.exception("dispatcher could not read the next sync's time; waiting a whole round")
        finally:
            close_old_connections()
        stop.wait(wait)


class Command(BaseCommand):
    help = "Run background work: sync channels when they are due, and run queued tasks. Ctrl-C stops it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks at the task queue.")
        parser.add_argument(
            "--dispatch-every",
            type=float,
            default=None,
            help="Seconds between looks for due channels (default FEDERE_DISPATCH_INTERVAL_SECONDS).",
        )
        parser.add_argument("--worker-id", default="", help="A name for this worker in logs and sync records.")
        parser.add_argument("--stop-after", type=float, default=None, help="Stop after this many seconds.")
        parser.add_argument("--no-dispatch", action="store_true", help="Only run tasks; do not enqueue due syncs.")
        parser.add_argument("--no-publish", action="store_true", help="Do not publish due posts in this worker.")
        parser.add_argument("--no-refine", action="store_true", help="Do not run the deep tier in this worker.")
        parser.add_argument(
            "--no-live", action="store_true", help="Do not keep live connections (IRC bots) in this worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        worker_id = options["worker_id"] or get_random_string(12)
        tasks.WORKER_NAME = worker_id
        stop = threading.Event()
        every = options["dispatch_every"] or settings.FEDERE_DISPATCH_INTERVAL_SECONDS
        if not options["no_dispatch"]:
            threading.Thread(target=run_dispatcher, args=(stop, every), daemon=True, name="dispatcher").start()
        if not options["no_publish"]:
            threading.Thread(target=run_publisher, args=(stop,), daemon=True, name="publisher").start()
        if not options["no_live"]:
            threading.Thread(target=run_live, args=(stop,), daemon=True, name="live").start()
        if not options["no_refine"] and deep_queue.enabled():
            threading.Thread(target=run_refiner, args=(stop,), daemon=True, name="deep-tier").start()
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if options["stop_after"]:
            timer = threading.Timer(options["stop_after"], lambda: setattr(worker, "running", False))
            timer.daemon = True
            timer.start()
        self.stdout.write(f"Fédère worker {worker_id} started (dispatch every {every}s).")
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            time.sleep(0.05)
            self.stdout.write(f"Fédère worker {worker_id} stopped.")
