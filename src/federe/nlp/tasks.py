from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

from federe.accounts.models import Workspace
from federe.nlp import learning

log = logging.getLogger(__name__)


@task()
def retrain_task(workspace_id: int, task_name: str) -> dict[str, object]:
    """Train a new version of a workspace's model; idempotent enough: a duplicate run adds a version."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None or learning.labels_since_last_version(workspace_id, task_name) == 0:
        return {"trained": False}
    try:
        row = learning.train(workspace, task_name)
    except ValidationError as exc:
        log.info("not training %s for workspace %s: %s", task_name, workspace_id, exc)
        return {"trained": False}
    return {"trained": True, "version": row.version, "active": row.active}


@task()
def explain_refined_task(message_id: int) -> dict[str, object]:
    """Which words moved a message's refined scores (asked from the review queue); runs where the encoder is."""
    from federe.nlp.refine import why
    from federe.nlp.refine.deep import shipped

    return {"explained": why.explain(shipped(), message_id)}
