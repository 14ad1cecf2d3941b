"""``federe analytics rebuild``: the summary tables of a workspace counted again from every message and decision,
oldest first, through the very code ingest runs (``rollup``), in batches with progress. For a workspace whose
history was imported out of order, whose persons were merged since, or that existed before the dashboards."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from django.db import transaction

from federe.analytics import rollup

BATCH = 5000
FIELDS = (
    "pk", "connection_id", "conversation_id", "author__person_id", "direction", "parent_external_id",
    "sentiment", "reach", "engagement", "posted_at",
)  # fmt: skip
Progress = Callable[[str, int, int], None]  # (what, done, total)


def rebuild(workspace_id: int, progress: Progress | None = None) -> tuple[int, int]:
    """In one transaction: readers see the old figures until the new ones are complete. (messages, decisions)."""
    from federe.inbox.models import Message
    from federe.moderation.models import Decision, Verdict

    tell = progress or (lambda _what, _done, _total: None)
    with transaction.atomic():
        rollup.forget_workspace(workspace_id)
        messages = Message.objects.filter(workspace_id=workspace_id)
        total, done = messages.count(), 0
        fields = FIELDS
        last = None
        while True:
            page = messages.order_by("posted_at", "pk")
            if last is not None:
                page = page.filter(posted_at__gte=last[0]).exclude(posted_at=last[0], pk__lte=last[1])
            rows = list(page.values_list(*fields)[:BATCH])
            if not rows:
                break
            rollup.count_messages([_row(workspace_id, r) for r in rows])
            last = (rows[-1][-1], rows[-1][0])
            done += len(rows)
            tell("messages", done, total)
        decisions = Decision.objects.filter(workspace_id=workspace_id, action__in=Verdict.values)
        total, done = decisions.count(), 0
        for start in range(0, total, BATCH):
            chunk = decisions.order_by("pk").values_list(
                "workspace_id", "action", "reasons", "actor_id", "created_at", "message__connection_id"
            )[start : start + BATCH]
            rollup.count_decisions([_decision(*values) for values in chunk])
            done += BATCH
            tell("decisions", min(done, total), total)
    return messages.count(), total


def _row(workspace_id: int, values: tuple) -> rollup.Row:
    _pk, channel, conversation, person, direction, parent, sentiment, reach, engagement, posted_at = values
    return rollup.Row(
        workspace_id, channel, conversation, person, direction == "in", bool(parent), sentiment or "", reach,
        engagement, posted_at,
    )  # fmt: skip


def _decision(workspace_id: int, action: str, reasons: list, actor_id: int | None, created_at, channel: int):
    """What ``rollup.count_decisions`` reads of a decision, without loading the row."""
    return SimpleNamespace(
        workspace_id=workspace_id,
        action=action,
        reasons=reasons,
        actor_id=actor_id,
        created_at=created_at,
        message=SimpleNamespace(connection_id=channel),
    )
