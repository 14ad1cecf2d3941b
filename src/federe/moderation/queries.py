"""Moderation reads, scoped to a workspace."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from federe.accounts.models import Workspace
from federe.inbox.models import Message, ReviewState
from federe.moderation.models import Decision, Rule


def queue(workspace: Workspace) -> QuerySet[Message]:
    """Held and flagged messages waiting for a human, newest first, with their decisions."""
    decisions = Decision.objects.select_related("rule_version__rule", "actor").order_by("-created_at")
    return (
        Message.objects.filter(workspace=workspace, review=ReviewState.PENDING)
        .select_related("author", "connection", "conversation", "wave")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
        .order_by("-posted_at", "-id")
    )


def decided(workspace: Workspace, ids: list[int]) -> QuerySet[Message]:
    decisions = Decision.objects.select_related("rule_version__rule", "actor").order_by("-created_at")
    return (
        Message.objects.filter(workspace=workspace, pk__in=ids)
        .select_related("author", "connection")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
    )


def rules_of(workspace: Workspace) -> QuerySet[Rule]:
    return Rule.objects.filter(workspace=workspace).prefetch_related("versions").order_by("position", "id")


def rule_of(workspace: Workspace, pk: int) -> Rule:
    return Rule.objects.get(workspace=workspace, pk=pk)
