"""Telling the team: an e-mail in the team's language (after the commit) and/or a signed webhook delivered by the
webhooks app (same signing, retries with backoff, stable event id and delivery log as every other event)."""

from __future__ import annotations

from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from federe.tickets.models import Ticket, TicketChange
from federe.tickets.payload import event_payload, thread_url
from federe.webhooks import events
from federe.webhooks.services import emit_to


def tell_team(ticket: Ticket, change: TicketChange) -> None:
    team = ticket.team
    if team.endpoint is not None and team.endpoint.enabled:
        emit_to(team.endpoint, events.TICKET_CHANGED, event_payload(ticket, change))
    if team.email:
        transaction.on_commit(partial(email_team, ticket.pk, change.pk))


def email_team(ticket_id: int, change_id: int) -> None:
    ticket = Ticket.objects.select_related("team", "workspace", "message", "person", "created_by").get(pk=ticket_id)
    change = TicketChange.objects.get(pk=change_id)
    with translation.override(ticket.team.language):
        subject, body = words(ticket, change)
    send_mail(subject[:200], body, None, [ticket.team.email], fail_silently=True)


def words(ticket: Ticket, change: TicketChange) -> tuple[str, str]:
    """The e-mail's subject and text, in the active language."""
    values = {
        "ws": ticket.workspace.name,
        "n": ticket.pk,
        "team": ticket.team.name,
        "status": ticket.get_status_display(),
        "priority": ticket.get_priority_display(),
    }
    if change.status_from:
        subject = _("[%(ws)s] Ticket %(n)s for %(team)s is now %(status)s") % values
    else:
        subject = _("[%(ws)s] New ticket %(n)s for %(team)s (priority %(priority)s)") % values
    lines = [
        _("Status: %(status)s") % values,
        _("Priority: %(priority)s") % values,
    ]
    if ticket.created_by:
        lines.append(_("Escalated by: %(user)s") % {"user": ticket.created_by.get_username()})
    if ticket.note:
        lines.append(_("Note: %(note)s") % {"note": ticket.note})
    if change.note:
        lines.append(_("Update: %(note)s") % {"note": change.note})
    if ticket.external_reference:
        lines.append(_("Your reference: %(ref)s") % {"ref": ticket.external_reference})
    if ticket.person:
        lines.append(
            _("Person: %(name)s, engagement %(level)s (score %(score)s)")
            % {
                "name": ticket.person.display_name,
                "level": ticket.engagement_level_label,
                "score": f"{ticket.engagement_score or 0:.1f}",
            }
        )
    message = ticket.message
    lines += ["", _("The message:"), message.body_text[:2000]]
    if message.url:
        lines.append(message.url)
    lines += ["", _("The thread in Fédère: %(url)s") % {"url": thread_url(ticket)}]
    return subject, "\n".join(lines)
