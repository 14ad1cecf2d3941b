"""The publisher thread of ``federe worker``: claims due deliveries and sends them, round after round.

Rows hold the schedule, so any number of workers may run it: claims are atomic (``ledger.claim_due``). While
deliveries are due it goes on at once; otherwise it looks again every FEDERE_PUBLISH_POLL_SECONDS (0.5 s by
default), so that a post goes out within about a second of its time.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from federe.publishing.sending import publish_due

logger = logging.getLogger("federe.worker")


def run_publisher(stop: threading.Event, batch: int = 50) -> None:
    while not stop.is_set():
        counts: dict[str, int] = {}
        try:
            counts = publish_due(limit=batch)
            if counts.get("sent") or counts.get("failed") or counts.get("unknown"):
                logger.info("publishing: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v))
        except Exception:
            logger.exception("publishing round failed; retrying")
        finally:
            close_old_connections()
        if not counts.get("claimed"):
            stop.wait(settings.FEDERE_PUBLISH_POLL_SECONDS)
