"""The events a workspace can subscribe to: their stable names (sent as ``type``) and their names in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGE_RECEIVED = "message.received"
THREAD_ASSIGNED = "thread.assigned"
THREAD_UNASSIGNED = "thread.unassigned"
THREAD_CLOSED = "thread.closed"
DECISION_MADE = "moderation.decision"
ALERT_FIRED = "listening.alert"
POST_PUBLISHED = "post.published"
TICKET_CHANGED = "ticket.changed"
#: Sent by the "Send a test" button only; no endpoint subscribes to it.
TEST = "webhook.test"

EVENT_TYPES = {
    MESSAGE_RECEIVED: _("Message received"),
    THREAD_ASSIGNED: _("Thread assigned"),
    THREAD_UNASSIGNED: _("Thread unassigned"),
    THREAD_CLOSED: _("Thread closed"),
    DECISION_MADE: _("Moderation decision made"),
    ALERT_FIRED: _("Listening alert fired"),
    POST_PUBLISHED: _("Post published"),
    TICKET_CHANGED: _("Escalation ticket made or changed"),
}


def label(event_type: str) -> str:
    if event_type == TEST:
        return str(_("Test event"))
    return str(EVENT_TYPES.get(event_type, event_type))
