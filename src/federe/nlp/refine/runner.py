"""The worker's deep-tier thread: refine waiting messages batch after batch, and wait a moment when none wait."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from federe.nlp.models import DeepPending
from federe.nlp.refine import backfill, scoring
from federe.nlp.refine.deep import Scorer

log = logging.getLogger("federe.worker")
IDLE_SECONDS = 0.25


def run_refiner(stop: threading.Event, scorer: Scorer | None = None, idle: float = IDLE_SECONDS) -> None:
    """Until ``stop``: the encoder is loaded at the first message to refine; a new model version starts a backfill."""
    checked = False
    while not stop.is_set():
        try:
            if scorer is None:
                from federe.nlp.refine.deep import shipped

                scorer = shipped()
            if not checked:
                from federe.nlp.refine.deep import versions_of

                for started in backfill.for_new_model(versions_of(scorer)):
                    log.info(
                        "deep tier: model %s, backfill of %d messages queued", started.model_version, started.total
                    )
                checked = True
            if not DeepPending.objects.exists():
                stop.wait(idle)
                continue
            done = scoring.run_batch(scorer)
            if done.refined:
                log.info("deep tier: %d messages refined", done.refined)
            if not done.claimed:
                stop.wait(idle)
        except Exception:
            log.exception("deep tier round failed; retrying")
            stop.wait(5)
        finally:
            close_old_connections()
