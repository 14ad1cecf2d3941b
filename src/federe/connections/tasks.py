"""Thin task entry points: they take ids and are safe to run twice."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from federe.connections import services

# Set by `federe worker` so that sync records say which worker ran them.
WORKER_NAME = ""


def worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}[{WORKER_NAME}]"


@task()
def sync_connection_task(connection_id: int) -> dict[str, int] | None:
    outcome = services.sync_connection(connection_id, worker_id=worker_label())
    if outcome is None:
        return None
    # A long-polling channel is due again at once; any other channel may have been asked for while it ran (a hook).
    services.queue_if_due(connection_id)
    return {"stored": outcome.stats.stored, "updated": outcome.stats.updated}
