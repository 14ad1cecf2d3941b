"""The thread's part: its tickets with their history, and the "Escalate…" form's choices (the thread's received
messages, the workspace's teams, the listening mentions of the thread)."""

from __future__ import annotations

from typing import Any

from django.utils.text import Truncator

from federe.inbox.models import Direction, Message
from federe.listening.models import Mention
from federe.tickets.models import Team, Ticket

MESSAGES_OFFERED = 50


def escalate_choices(workspace: Any, conversation: Any) -> dict[str, list[tuple[int, str]]]:
    messages = (
        Message.objects.filter(workspace=workspace, conversation=conversation, direction=Direction.INBOUND)
        .select_related("author")
        .order_by("-posted_at", "-pk")[:MESSAGES_OFFERED]
    )
    mentions = (
        Mention.objects.filter(workspace=workspace, message__conversation=conversation)
        .select_related("query")
        .order_by("-posted_at", "-pk")[:MESSAGES_OFFERED]
    )
    return {
        "messages": [(m.pk, f"{m.author or '?'}: {Truncator(m.body_text).chars(60)}") for m in messages],
        "teams": [
            (t.pk, f"{t.name} ({t.get_kind_display()})")
            for t in Team.objects.filter(workspace=workspace).order_by("kind", "name", "pk")
        ],
        "mentions": [(m.pk, f"{m.query.name} · {m.posted_at:%Y-%m-%d}") for m in mentions],
    }


def tickets_of_thread(workspace: Any, conversation: Any) -> list[Ticket]:
    return list(
        Ticket.objects.filter(workspace=workspace, conversation=conversation)
        .select_related("team", "person", "mention__query", "created_by")
        .prefetch_related("changes__by")
        .order_by("created_at", "pk")
    )
