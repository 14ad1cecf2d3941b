"""A notification in words, made in the language active when it is shown or e-mailed (never stored as text)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from federe.notifications.models import Kind, Notification


def describe(notification: Notification) -> str:
    actor = notification.actor.get_username() if notification.actor else _("someone")
    thread = str(notification.conversation) if notification.conversation else _("(a deleted thread)")
    if notification.kind == Kind.NOTE_MENTION:
        return _("%(actor)s mentioned you in a note on “%(thread)s”") % {"actor": actor, "thread": thread}
    if notification.kind == Kind.ASSIGNED:
        return _("%(actor)s assigned “%(thread)s” to you") % {"actor": actor, "thread": thread}
    return _("Something happened on “%(thread)s”") % {"thread": thread}


def excerpt(notification: Notification) -> str:
    return str(notification.params.get("excerpt", ""))
