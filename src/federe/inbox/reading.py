"""Read state per member: a thread is unread for me until I open it or mark it read, and again when a newer
message arrives. One row per (member, thread), written set-based for any number of threads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from federe.accounts.models import Workspace
from federe.inbox.models import Conversation, ReadState


@transaction.atomic
def mark_read(workspace: Workspace, user: Any, conversation_ids: Iterable[int]) -> int:
    """Read up to each thread's last message, for ``user``; threads of other workspaces are left alone.
    Returns how many threads."""
    rows = Conversation.objects.filter(workspace=workspace, pk__in=list(conversation_ids))
    states = [
        ReadState(user=user, conversation_id=pk, seen_up_to=last)
        for pk, last in rows.values_list("pk", "last_message_at")
    ]
    ReadState.objects.bulk_create(
        states, update_conflicts=True, unique_fields=["user", "conversation"], update_fields=["seen_up_to"]
    )
    return len(states)


def mark_unread(workspace: Workspace, user: Any, conversation_ids: Iterable[int]) -> int:
    """Unread again for ``user``; returns how many threads were read."""
    deleted, _rows = ReadState.objects.filter(
        user=user, conversation__workspace=workspace, conversation_id__in=list(conversation_ids)
    ).delete()
    return deleted
