"""SLA reads, always scoped to one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from federe.accounts.models import Workspace
from federe.sla.models import Policy, ThreadClock


def policies(workspace: Workspace) -> QuerySet[Policy]:
    return Policy.objects.filter(workspace=workspace).prefetch_related("channels").order_by("position", "id")


def policy(workspace: Workspace, pk: int) -> Policy:
    """Raises Policy.DoesNotExist for another workspace's policy."""
    return Policy.objects.prefetch_related("channels").get(workspace=workspace, pk=pk)


def clock_of(conversation) -> ThreadClock | None:  # type: ignore[no-untyped-def]
    return (
        ThreadClock.objects.select_related("policy")
        .filter(workspace_id=conversation.workspace_id, conversation_id=conversation.pk)
        .first()
    )
