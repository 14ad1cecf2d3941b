"""What a ticket says to the outside (the team's webhook, the workspace's "ticket.changed" event, the API):
ids, plain values and words, never a secret."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from federe.tickets.models import Ticket, TicketChange

TEXT_CHARS = 2000


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def thread_url(ticket: Ticket) -> str:
    path = reverse("inbox:thread", args=[ticket.workspace.slug, ticket.conversation_id])
    return settings.FEDERE_BASE_URL.rstrip("/") + path


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    message, team = ticket.message, ticket.team
    author = message.author
    return {
        "id": ticket.pk,
        "status": ticket.status,
        "priority": ticket.priority,
        "note": ticket.note,
        "external_reference": ticket.external_reference,
        "created_at": _when(ticket.created_at),
        "updated_at": _when(ticket.updated_at),
        "created_by": ticket.created_by.get_username() if ticket.created_by else None,
        "team": {"public_id": team.public_id, "kind": team.kind, "name": team.name},
        "thread": {"id": ticket.conversation_id, "url": thread_url(ticket)},
        "message": {
            "id": message.pk,
            "author": str(author) if author else None,
            "channel": message.connection_id,
            "text": message.body_text[:TEXT_CHARS],
            "url": message.url,
            "posted_at": _when(message.posted_at),
        },
        "person": (
            {
                "id": ticket.person_id,
                "name": ticket.person.display_name,
                "engagement_score": ticket.engagement_score,
                "engagement_level": ticket.engagement_level,
            }
            if ticket.person_id and ticket.person
            else None
        ),
        "mention": (
            {"id": ticket.mention_id, "query": ticket.mention.query.name}
            if ticket.mention_id and ticket.mention
            else None
        ),
    }


def change_data(change: TicketChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "from": change.status_from or None,
        "to": change.status_to,
        "by": "team" if change.by_team else (change.by.get_username() if change.by else None),
        "note": change.note,
        "at": _when(change.at),
    }


def event_payload(ticket: Ticket, change: TicketChange | None) -> dict[str, Any]:
    return {"ticket": ticket_data(ticket), "change": change_data(change)}
