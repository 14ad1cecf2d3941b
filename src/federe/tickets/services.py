"""Tickets: made from a message for a team, their status moved by a member, the API or the team's own signed
webhook. Every change is a line of history, tells the team (unless it came from them), announces "ticket.changed"
to the workspace's webhooks and notifies the ticket's creator and the thread's assignee. Permission checks here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.inbox.models import Message
from federe.notifications.models import Kind
from federe.notifications.services import notify
from federe.people.models import Person
from federe.tickets import outbound
from federe.tickets.models import Priority, Team, TeamKind, Ticket, TicketChange, TicketStatus
from federe.webhooks import announce

MAX_NOTE = 2000
MAX_REFERENCE = 200
MAX_CLIENT_KEY = 255


def _too_long(limit: int) -> str:
    return ngettext(
        "This text is too long (at most %(n)d character).", "This text is too long (at most %(n)d characters).", limit
    ) % {"n": limit}


def _person_of(message: Message) -> Person | None:
    """The person behind the message's author, following merges to the one that is shown."""
    person = message.author.person if message.author_id and message.author else None
    seen = 0
    while person is not None and person.merged_into_id and seen < 10:
        person, seen = person.merged_into, seen + 1
    return person


def _earlier(workspace: Any, by: Any, client_key: str, same: tuple[Any, ...]) -> Ticket | None:
    """The ticket this member already made with this key; refused if the key now comes with another ticket."""
    earlier = Ticket.objects.filter(workspace=workspace, created_by=by, client_key=client_key).first()
    if earlier is not None and (earlier.message_id, earlier.team_id, earlier.priority, earlier.note) != same:
        raise ValidationError(
            {"idempotency_key": _("This idempotency key was already used for another ticket; use a new key.")}
        )
    return earlier


def create_ticket(
    *,
    message: Message,
    team: Team,
    by: Any,
    priority: str = Priority.NORMAL,
    note: str = "",
    mention: Any = None,
    client_key: str = "",
) -> Ticket:
    """Make the ticket and tell the team. With a ``client_key`` (the API's Idempotency-Key), the same key and the
    same ticket give back the ticket made the first time, and nothing is sent again."""
    workspace = message.workspace
    require(by, workspace, Perm.ASSIGN)
    note = (note or "").strip()
    if len(client_key) > MAX_CLIENT_KEY or not client_key.isprintable():
        raise ValidationError({"idempotency_key": _("An idempotency key is at most 255 printable characters.")})
    same = (message.pk, team.pk, priority, note)
    if client_key and (earlier := _earlier(workspace, by, client_key, same)) is not None:
        return earlier
    try:
        with transaction.atomic():
            return _create(message, team, by, priority, note, mention, client_key)
    except IntegrityError:  # the same key at the same moment: the other request made it
        if client_key and (earlier := _earlier(workspace, by, client_key, same)) is not None:
            return earlier
        raise


def _create(message: Message, team: Team, by: Any, priority: str, note: str, mention: Any, client_key: str) -> Ticket:
    workspace = message.workspace
    problems: dict[str, str] = {}
    if team.workspace_id != message.workspace_id:
        problems["team"] = _("Choose one of this workspace's escalation teams.")
    if priority not in Priority.values:
        problems["priority"] = _("Choose a priority: low, normal, high or urgent.")
    if len(note) > MAX_NOTE:
        problems["note"] = _too_long(MAX_NOTE)
    if mention is not None and team.kind != TeamKind.MARKETING:
        problems["mention"] = _("Only a marketing ticket carries a listening mention.")
    elif mention is not None and (
        mention.workspace_id != workspace.pk or mention.message.conversation_id != message.conversation_id
    ):
        problems["mention"] = _("This mention is not one of this thread's.")
    person = _person_of(message) if team.kind == TeamKind.SALES else None
    if team.kind == TeamKind.SALES and person is None:
        problems["message"] = _("A sales ticket needs a person: this message has no known author.")
    if problems:
        raise ValidationError(problems)
    ticket = Ticket.objects.create(
        workspace=workspace,
        team=team,
        conversation_id=message.conversation_id,
        message=message,
        priority=priority,
        note=note,
        created_by=by,
        person=person,
        engagement_score=person.score if person else None,
        engagement_level=person.level if person else "",
        mention=mention,
        client_key=client_key,
    )
    change = TicketChange.objects.create(ticket=ticket, at=ticket.created_at, status_to=ticket.status, by=by)
    audit.record(
        "ticket.created",
        workspace=workspace,
        actor=by,
        target=ticket,
        details={"to": team.name, "note": note[:500]},
    )
    _announce(ticket, change, tell_team=True)
    return ticket


def set_status(
    *,
    ticket: Ticket,
    status: str,
    by: Any = None,
    by_team: bool = False,
    note: str = "",
    external_reference: str | None = None,
) -> TicketChange | None:
    """Move the ticket to ``status`` (with a note, and the team's reference when given). ``by`` is the member or
    API user (their role is checked); ``by_team`` marks a change that came through the team's signed webhook.
    None when nothing changed."""
    if not by_team:
        require(by, ticket.workspace, Perm.ASSIGN)
    note = (note or "").strip()
    problems: dict[str, str] = {}
    if status not in TicketStatus.values:
        problems["status"] = _("Choose a status: open, in progress or resolved.")
    if len(note) > MAX_NOTE:
        problems["note"] = _too_long(MAX_NOTE)
    if external_reference is not None and len(external_reference) > MAX_REFERENCE:
        problems["external_reference"] = _too_long(MAX_REFERENCE)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("team", "workspace", "conversation__assignee", "created_by")
            .get(pk=ticket.pk)
        )
        reference = ticket.external_reference if external_reference is None else external_reference.strip()
        if status == ticket.status and not note and reference == ticket.external_reference:
            return None
        now = timezone.now()
        change = TicketChange.objects.create(
            ticket=ticket, at=now, status_from=ticket.status, status_to=status, by=by, by_team=by_team, note=note
        )
        ticket.status, ticket.external_reference = status, reference
        ticket.save(update_fields=["status", "external_reference", "updated_at"])
        audit.record(
            "ticket.status_changed",
            workspace=ticket.workspace,
            actor=by,
            actor_label=ticket.team.name if by_team else "",
            target=ticket,
            details={"note": note[:500]},
        )
        _announce(ticket, change, tell_team=not by_team)
    return change


def _announce(ticket: Ticket, change: TicketChange, *, tell_team: bool) -> None:
    if tell_team:
        outbound.tell_team(ticket, change)
    announce.ticket_changed(ticket, change)
    if change.status_from:  # an update: the member who escalated it and the thread's assignee hear of it
        conversation = ticket.conversation
        notify(
            [ticket.created_by, conversation.assignee],
            Kind.TICKET_UPDATED,
            workspace=ticket.workspace,
            actor=change.by,
            conversation=conversation,
            params={"ticket": ticket.pk, "team": ticket.team.name, "status": ticket.status},
        )
