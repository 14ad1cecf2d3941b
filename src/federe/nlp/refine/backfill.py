"""Backfills of the deep tier: every stored message not yet refined by the current model, queued behind new ones.

Asked for (``federe nlp backfill-deep``), or started by the worker when the model's version changes; one per
workspace, so that each workspace's page shows its own progress and nothing of another's. The messages
wait in the same durable queue as new ones, so a backfill survives a restart and resumes where it stopped; its
progress (batches, "n of N") moves in the transactions that store the scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from federe.core import audit
from federe.inbox.models import Message
from federe.nlp.models import DeepBackfill, DeepPending
from federe.nlp.refine import queue

DEFAULT_ENCODER = "use"


def not_refined(version: str, workspace_id: int | None = None) -> Any:
    """Messages the deep tier scores that this model version has not refined yet, and that are not queued."""
    rows = Message.objects.filter(language__in=queue.LANGUAGES)
    if workspace_id is not None:
        rows = rows.filter(workspace_id=workspace_id)
    stale = Q(nlp__deep__version__isnull=True) | ~Q(nlp__deep__version=version)
    return rows.filter(stale).exclude(pk__in=DeepPending.objects.values("message_id"))


@transaction.atomic
def start(
    version: str,
    workspace: Any,
    *,
    reason: str = DeepBackfill.Reason.ASKED,
    by: Any = None,
    newest: int | None = None,
) -> DeepBackfill:
    """Queue the workspace's messages to refine (or give back its unfinished backfill for this model: resumed);
    ``newest``: only that many of the most recent."""
    unfinished = DeepBackfill.objects.filter(workspace=workspace, model_version=version, finished_at__isnull=True)
    if (found := unfinished.first()) is not None:
        return found
    stale = not_refined(version, workspace.pk).order_by("-pk")
    ids = list(stale.values_list("pk", flat=True)[:newest] if newest else stale.values_list("pk", flat=True))
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


#: How many of a workspace's newest messages are re-scored when it changes encoder (older ones keep their scores).
RECENT_ON_CHANGE = 2000


def after_encoder_change(workspace: Any, *, by: Any = None) -> DeepBackfill | None:
    """Queue the workspace's recent messages (its newest :data:`RECENT_ON_CHANGE` not yet refined by it) to be
    re-scored with its newly chosen encoder, behind new messages; None where the deep tier does not run. Safe in
    the web process: the version is read from the packages' metadata and the heads' cards, no encoder is loaded."""
    if not queue.enabled():
        return None
    from federe.nlp.refine.deep import shipped

    version = shipped(workspace.deep_encoder).version
    return start(version, workspace, reason=DeepBackfill.Reason.ENCODER, by=by, newest=RECENT_ON_CHANGE)


def start_everywhere(
    versions: Mapping[str, str] | str, *, reason: str = DeepBackfill.Reason.ASKED, by: Any = None
) -> list[DeepBackfill]:
    """A backfill for each workspace that has messages its model version (``version_for``) has not refined."""
    from federe.accounts.models import Workspace

    out = []
    for version in sorted(set(versions.values()) if not isinstance(versions, str) else {versions}):
        stale = set(not_refined(version).values_list("workspace_id", flat=True).distinct())
        for ws in Workspace.objects.filter(pk__in=stale).order_by("pk"):
            if version_for(versions, ws) == version:
                out.append(start(version, ws, reason=reason, by=by))
    return sorted(out, key=lambda run: run.workspace_id)


def version_for(versions: Mapping[str, str] | str, workspace: Any) -> str:
    """The model version that refines this workspace's messages: its chosen encoder's (the default encoder's where
    the chosen one is not installed), or the one version of a scorer that serves every workspace alike."""
    if isinstance(versions, str):
        return versions
    return versions.get(workspace.deep_encoder) or versions[DEFAULT_ENCODER]


def for_new_model(versions: Mapping[str, str] | str) -> list[DeepBackfill]:
    """The worker's check at start: each workspace with messages its model version (its encoder's, ``versions``
    by encoder name) never refined, and no backfill for it yet, gets one (a new model, or a newly chosen encoder,
    refines what the old one scored)."""
    from federe.accounts.models import Workspace

    out = []
    for version in sorted(set(versions.values()) if not isinstance(versions, str) else {versions}):
        stale = set(not_refined(version).values_list("workspace_id", flat=True).distinct())
        started = set(DeepBackfill.objects.filter(model_version=version).values_list("workspace_id", flat=True))
        for ws in Workspace.objects.filter(pk__in=stale - started).order_by("pk"):
            if version_for(versions, ws) == version:
                out.append(start(version, ws, reason=DeepBackfill.Reason.NEW_MODEL))
    return out


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
