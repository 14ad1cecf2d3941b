"""Tasks the code under test enqueued (rows of the database backend), run here as the worker would run them."""

from __future__ import annotations

from typing import Any

from django_tasks_db.models import DBTaskResult


def queued_args(task: Any) -> list[list[Any]]:
    """The arguments of each queued, not yet run, call of ``task``, oldest first."""
    rows = DBTaskResult.objects.filter(task_path=task.module_path, status="READY").order_by("enqueued_at")
    return [row.args_kwargs["args"] for row in rows]


def run_queued(task: Any) -> list[Any]:
    """Run every queued call of ``task`` (then taken off the queue), as ``federe worker`` does; their results."""
    rows = list(DBTaskResult.objects.filter(task_path=task.module_path, status="READY").order_by("enqueued_at"))
    DBTaskResult.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return [task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]) for row in rows]
