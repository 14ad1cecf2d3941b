"""What the pages, the API and the CLI read: a workspace's teams and tickets, a thread's tickets."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from federe.tickets.models import Team, Ticket

TICKET_RELATED = ("team", "message", "person", "mention__query", "created_by")


def teams_of(workspace: Any) -> QuerySet[Team]:
    return Team.objects.filter(workspace=workspace).select_related("endpoint").order_by("kind", "name", "pk")


def tickets_of(
    workspace: Any, *, status: str = "", team_id: int | None = None, conversation_id: int | None = None
) -> QuerySet[Ticket]:
    rows = Ticket.objects.filter(workspace=workspace).select_related(*TICKET_RELATED)
    if status:
        rows = rows.filter(status=status)
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    if conversation_id is not None:
        rows = rows.filter(conversation_id=conversation_id)
    return rows.order_by("-created_at", "-pk")


def ticket(workspace: Any, pk: int) -> Ticket:
    """Raises Ticket.DoesNotExist for an id of another workspace, as for one that does not exist."""
    return Ticket.objects.select_related(*TICKET_RELATED).get(workspace=workspace, pk=pk)
