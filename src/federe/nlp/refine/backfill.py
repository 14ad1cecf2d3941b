"""Backfills of the deep tier: every stored message not yet refined by the current model, queued behind new ones.

Asked for (``federe nlp backfill-deep``), or started by the worker when the model's version changes; one per
workspace, so that each workspace's page shows its own progress and nothing of another's. The messages
wait in the same durable queue as new ones, so a backfill survives a restart and resumes where it stopped; its
progress (batches, "n of N") moves in the transactions that store the scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from federe.core import audit
from federe.inbox.models import Message
from federe.nlp.models import DeepBackfill, DeepPending
from federe.nlp.refine import queue


def not_refined(version: str, workspace_id: int | None = None) -> Any:
    """Messages the deep tier scores that this model version has not refined yet, and that are not queued."""
    rows = Message.objects.filter(language__in=queue.LANGUAGES)
    if workspace_id is not None:
        rows = rows.filter(workspace_id=workspace_id)
    stale = Q(nlp__deep__version__isnull=True) | ~Q(nlp__deep__version=version)
    return rows.filter(stale).exclude(pk__in=DeepPending.objects.values("message_id"))


@transaction.atomic
def start(version: str, workspace: Any, *, reason: str = DeepBackfill.Reason.ASKED, by: Any = None) -> DeepBackfill:
    """Queue the workspace's messages to refine (or give back its unfinished backfill for this model: resumed)."""
    unfinished = DeepBackfill.objects.filter(workspace=workspace, model_version=version, finished_at__isnull=True)
    if (found := unfinished.first()) is not None:
        return found
    ids = list(not_refined(version, workspace.pk).values_list("pk", flat=True))
    backfill = DeepBackfill.objects.create(workspace=workspace, reason=reason, model_version=version, total=len(ids))
    queue.enqueue(workspace.pk, ids, priority=queue.BACKFILL, backfill_id=backfill.pk)
    if not ids:
        DeepBackfill.objects.filter(pk=backfill.pk).update(finished_at=backfill.created_at)
        backfill.refresh_from_db()
    audit.record(
        "nlp.backfill_started",
        workspace=workspace,
        actor=by,
        actor_label="" if by else "worker",
        details={"messages": len(ids), "backfill_reason": reason, "deep_model": version},
    )
    return backfill


def start_everywhere(version: str, *, reason: str = DeepBackfill.Reason.ASKED, by: Any = None) -> list[DeepBackfill]:
    """A backfill for each workspace that has messages this model has not refined."""
    from federe.accounts.models import Workspace

    stale = set(not_refined(version).values_list("workspace_id", flat=True).distinct())
    return [start(version, ws, reason=reason, by=by) for ws in Workspace.objects.filter(pk__in=stale).order_by("pk")]


def for_new_model(version: str) -> list[DeepBackfill]:
    """The worker's check at start: each workspace with messages this model version never refined, and no backfill
    for it yet, gets one (a new model refines what the old one scored)."""
    from federe.accounts.models import Workspace

    stale = set(not_refined(version).values_list("workspace_id", flat=True).distinct())
    started = set(DeepBackfill.objects.filter(model_version=version).values_list("workspace_id", flat=True))
    return [
        start(version, ws, reason=DeepBackfill.Reason.NEW_MODEL)
        for ws in Workspace.objects.filter(pk__in=stale - started).order_by("pk")
    ]


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    batches: int
    waiting: int
    finished: bool
    reason: str


def progress(backfill: DeepBackfill) -> Progress:
    waiting = DeepPending.objects.filter(backfill=backfill).count()
    return Progress(
        backfill.total, backfill.done, backfill.batches, waiting, backfill.finished_at is not None, backfill.reason
    )


def latest(workspace_id: int) -> DeepBackfill | None:
    """The workspace's newest backfill."""
    return DeepBackfill.objects.filter(workspace_id=workspace_id).first()
