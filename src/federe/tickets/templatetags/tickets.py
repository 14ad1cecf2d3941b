"""{% thread_tickets %}: the thread's tickets and its "Escalate…" form, in inbox/_thread.html."""

from __future__ import annotations

from typing import Any

from django import template

from federe.accounts.permissions import Perm, may
from federe.tickets.forms import EscalateForm, StatusForm
from federe.tickets.models import TicketStatus
from federe.tickets.thread import escalate_choices, tickets_of_thread

register = template.Library()


@register.inclusion_tag("tickets/_thread.html", takes_context=True)
def thread_tickets(context: Any) -> dict[str, Any]:
    request, workspace, conversation = context["request"], context["workspace"], context["conversation"]
    can_escalate = may(request, workspace, Perm.ASSIGN)
    choices = escalate_choices(workspace, conversation) if can_escalate else {}
    return {
        "request": request,
        "workspace": workspace,
        "conversation": conversation,
        "tickets": tickets_of_thread(workspace, conversation),
        "can_escalate": can_escalate,
        "form": EscalateForm(**choices) if can_escalate and choices["teams"] and choices["messages"] else None,
        "no_team": can_escalate and not choices["teams"],
        "may_manage_teams": may(request, workspace, Perm.MANAGE_WEBHOOKS),
        "statuses": TicketStatus.choices,
        "status_form": StatusForm(),
    }
