"""The publisher thread of ``federe worker``: claims due deliveries and sends them, round after round.

Rows hold the schedule, so any number of workers may run it: claims are atomic (``ledger.claim_due``). The pace
adapts to the work: after a full batch it goes on at once; after a part of one it waits ``GATHER_SECONDS`` (a
tenth of a second), so that a steady trickle of due deliveries is sent a few at a time rather than one round
(a dozen queries) each; with nothing due it looks again every FEDERE_PUBLISH_POLL_SECONDS (0.5 s by default), so
that a post goes out within about a second of its time.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from federe.publishing.sending import publish_due

logger = logging.getLogger("federe.worker")

BATCH = 100
GATHER_SECONDS = 0.1


def pause_after(counts: dict[str, int], batch: int = BATCH) -> float:
    """How long to wait before the next round, from what this one claimed."""
    claimed = counts.get("claimed", 0)
    if claimed >= batch:
        return 0.0
    if claimed:
        return min(GATHER_SECONDS, settings.FEDERE_PUBLISH_POLL_SECONDS)
    return settings.FEDERE_PUBLISH_POLL_SECONDS


def run_publisher(stop: threading.Event, batch: int = BATCH) -> None:
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
        pause = pause_after(counts, batch)
        if pause:
            stop.wait(pause)
