from __future__ import annotations

from typing import Any

from django.db.models import Count

from federe.accounts.models import Workspace
from federe.nlp.backends import shipped
from federe.nlp.explain import LABEL_NAMES
from federe.nlp.learning import LEARNED_TASKS, labels_since_last_version
from federe.nlp.models import Label, WorkspaceModel
from federe.nlp.switch import comparison


def task_overview(workspace: Workspace) -> list[dict[str, Any]]:
    """Per learned task: the model in use, the labels, the stored versions with their checks (in plain words)."""
    counts = {
        (row["task"], row["value"]): row["n"]
        for row in Label.objects.filter(workspace=workspace).values("task", "value").annotate(n=Count("pk"))
    }
    versions = list(WorkspaceModel.objects.filter(workspace=workspace).defer("weights").order_by("-version"))
    for v in versions:
        v.comparison = comparison(v)  # type: ignore[attr-defined]
    out = []
    for task in LEARNED_TASKS:
        mine = [v for v in versions if v.task == task]
        active = next((v for v in mine if v.active), None)
        out.append(
            {
                "task": task,
                "shipped": shipped(task).model_id,
                "active": active,
                "versions": mine,
                "labels": [(LABEL_NAMES.get(value, value), n) for (t, value), n in sorted(counts.items()) if t == task],
                "labels_total": sum(n for (t, _), n in counts.items() if t == task),
                "pending": labels_since_last_version(workspace.pk, task),
            }
        )
    return out


def deep_tier(workspace: Workspace) -> dict[str, Any]:
    """The deep tier for the models page: installed or not, messages waiting, this workspace's latest backfill."""
    from federe.nlp.refine import backfill, queue

    latest = backfill.latest(workspace.pk)
    return {
        "installed": queue.enabled(),
        "waiting": queue.waiting(workspace.pk),
        "backfill": latest,
        "progress": backfill.progress(latest) if latest else None,
    }
