"""Escalation tickets: list (filters), make one from a message (safe to retry with an ``Idempotency-Key``), read
one, move its status; the workspace's teams (never their secrets: the page shows those once)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Header, Query, Router, Schema

from federe.accounts.permissions import Perm, require
from federe.api.v1.schemas import Id, Offset
from federe.core.requests import ApiRequest
from federe.inbox.models import Message
from federe.listening.models import Mention
from federe.tickets import queries, services
from federe.tickets.models import Team, Ticket

router = Router()

Status = Literal["open", "in_progress", "resolved"]
Priority = Literal["low", "normal", "high", "urgent"]


class TeamOut(Schema):
    id: int
    kind: str
    name: str
    email: str
    webhook_url: str | None
    language: str


class PersonOut(Schema):
    id: int
    name: str
    engagement_score: float | None = Field(description="When the ticket was made.")
    engagement_level: str


class TicketOut(Schema):
    id: int
    team: TeamOut
    conversation_id: int
    message_id: int
    status: str
    priority: str
    note: str
    external_reference: str
    created_by: str | None
    person: PersonOut | None
    mention_id: int | None
    created_at: datetime
    updated_at: datetime


class TicketIn(Schema):
    message_id: Id
    team_id: Id
    priority: Priority = "normal"
    note: str = Field("", max_length=services.MAX_NOTE)
    mention_id: Id | None = None


class TicketPatch(Schema):
    status: Status
    note: str = Field("", max_length=services.MAX_NOTE)
    external_reference: str | None = Field(None, max_length=services.MAX_REFERENCE)


class TicketsQuery(Schema):
    status: Status | None = None
    team: Id | None = None
    conversation: Id | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


def team_out(team: Team) -> TeamOut:
    return TeamOut(
        id=team.pk,
        kind=team.kind,
        name=team.name,
        email=team.email,
        webhook_url=team.endpoint.url if team.endpoint else None,
        language=team.language,
    )


def ticket_out(t: Ticket) -> TicketOut:
    return TicketOut(
        id=t.pk,
        team=team_out(t.team),
        conversation_id=t.conversation_id,
        message_id=t.message_id,
        status=t.status,
        priority=t.priority,
        note=t.note,
        external_reference=t.external_reference,
        created_by=t.created_by.get_username() if t.created_by else None,
        person=(
            PersonOut(
                id=t.person.pk,
                name=t.person.display_name,
                engagement_score=t.engagement_score,
                engagement_level=t.engagement_level,
            )
            if t.person
            else None
        ),
        mention_id=t.mention_id,
        created_at=t.created_at,
        updated_at=t.updated_at,
    )


def _ticket(request: ApiRequest, pk: int) -> Ticket:
    try:
        return queries.ticket(request.workspace, pk)
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc


@router.get("/teams", response=list[TeamOut])
def list_teams(request: ApiRequest) -> list[TeamOut]:
    """The workspace's escalation teams (their secrets are shown once, on the page that makes them)."""
    return [team_out(t) for t in queries.teams_of(request.workspace)]


@router.get("", response=list[TicketOut])
def list_tickets(request: ApiRequest, q: Query[TicketsQuery]) -> list[TicketOut]:
    """Newest first; filter by ``status``, ``team`` (id) and ``conversation`` (id)."""
    rows = queries.tickets_of(request.workspace, status=q.status or "", team_id=q.team, conversation_id=q.conversation)[
        q.offset : q.offset + q.limit
    ]
    return [ticket_out(t) for t in rows]


@router.post("", response={201: TicketOut})
def create_ticket(
    request: ApiRequest, payload: TicketIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> tuple[int, TicketOut]:
    """Escalate a message to a team: the team is e-mailed and/or sent a signed webhook. Sales tickets carry the
    message's author and their engagement; marketing tickets may carry a listening mention of the thread.

    Send an ``Idempotency-Key`` header to make a repeat safe: the same key and ticket answer with the first one."""
    require(request.user, request.workspace, Perm.ASSIGN)
    # Another workspace's message, team or mention does not exist here: 404, as for any object of the API.
    message = Message.objects.filter(workspace=request.workspace, pk=payload.message_id).first()
    team = Team.objects.filter(workspace=request.workspace, pk=payload.team_id).first()
    mention = None
    if payload.mention_id is not None:
        mention = Mention.objects.filter(workspace=request.workspace, pk=payload.mention_id).first()
    if message is None or team is None or (payload.mention_id is not None and mention is None):
        raise Http404
    ticket = services.create_ticket(
        message=message,
        team=team,
        by=request.user,
        priority=payload.priority,
        note=payload.note,
        mention=mention,
        client_key=idempotency_key,
    )
    return 201, ticket_out(queries.ticket(request.workspace, ticket.pk))


@router.get("/{ticket_id}", response=TicketOut)
def get_ticket(request: ApiRequest, ticket_id: Id) -> TicketOut:
    return ticket_out(_ticket(request, ticket_id))


@router.patch("/{ticket_id}", response=TicketOut)
def update_ticket(request: ApiRequest, ticket_id: Id, payload: TicketPatch) -> TicketOut:
    """Move the ticket's status (with a note, and the team's reference); the team is told."""
    ticket = _ticket(request, ticket_id)
    services.set_status(
        ticket=ticket,
        status=payload.status,
        by=request.user,
        note=payload.note,
        external_reference=payload.external_reference,
    )
    return ticket_out(_ticket(request, ticket_id))
