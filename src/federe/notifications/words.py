"""A notification in words, made in the language active when it is shown or e-mailed (never stored as text)."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from federe.notifications.models import Kind, Notification


def describe(notification: Notification) -> str:
    actor = notification.actor.get_username() if notification.actor else _("someone")
    thread = str(notification.conversation) if notification.conversation else _("(a deleted thread)")
    params = notification.params if isinstance(notification.params, dict) else {}
    if notification.kind == Kind.NOTE_MENTION:
        return _("%(actor)s mentioned you in a note on “%(thread)s”") % {"actor": actor, "thread": thread}
    if notification.kind == Kind.ASSIGNED and notification.actor is None and params.get("rule"):
        words = {"rule": str(params["rule"]), "thread": thread}
        return _("The rule “%(rule)s” assigned “%(thread)s” to you") % words
    if notification.kind == Kind.ASSIGNED:
        return _("%(actor)s assigned “%(thread)s” to you") % {"actor": actor, "thread": thread}
    if notification.kind == Kind.SLA_BREACH:
        return _sla_breach(thread, params)
    if notification.kind == Kind.TICKET_UPDATED:
        return _ticket_updated(thread, params)
    if notification.kind == Kind.ALERT_FIRED:
        return _alert_fired(params)
    return _("Something happened on “%(thread)s”") % {"thread": thread}


def _when(value: Any) -> str:
    """An ISO datetime in the active timezone and language, or "" when it is none."""
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _sla_breach(thread: str, params: dict[str, Any]) -> str:
    due = _when(params.get("due_at"))
    words = {"thread": thread, "due": due}
    target = params.get("target")
    if due and target == "first_response":
        return _("The first response to “%(thread)s” is due by %(due)s") % words
    if due and target == "next_response":
        return _("The next response to “%(thread)s” is due by %(due)s") % words
    if due and target == "resolution":
        return _("“%(thread)s” must be resolved by %(due)s") % words
    return _("“%(thread)s” is about to miss its response or resolution target") % words


def _ticket_status(code: Any) -> str:
    return {
        "open": pgettext("escalation", "open"),
        "in_progress": pgettext("escalation", "in progress"),
        "resolved": pgettext("escalation", "resolved"),
    }.get(code if isinstance(code, str) else "", "")


def _ticket_updated(thread: str, params: dict[str, Any]) -> str:
    team = str(params.get("team") or "")
    status = _ticket_status(params.get("status"))
    words = {"thread": thread, "team": team, "status": status}
    if team and status:
        return _("The escalation of “%(thread)s” to %(team)s is now %(status)s") % words
    if status:
        return _("The escalation of “%(thread)s” is now %(status)s") % words
    if team:
        return _("The escalation of “%(thread)s” to %(team)s was updated") % words
    return _("The escalation of “%(thread)s” was updated") % words


def _alert_fired(params: dict[str, Any]) -> str:
    query = str(params.get("query_name") or "")
    if not query:
        return _("A listening alert fired")
    window, minutes = params.get("window"), params.get("window_minutes")
    if params.get("alert_kind") == "negative":
        return _("Listening alert: negative mentions of “%(query)s” are rising") % {"query": query}
    if isinstance(window, int) and isinstance(minutes, int):
        words = {
            "mentions": ngettext("%(n)d mention of “%(query)s”", "%(n)d mentions of “%(query)s”", window)
            % {"n": window, "query": query},
            "window": ngettext("in the last %(w)d minute", "in the last %(w)d minutes", minutes) % {"w": minutes},
        }
        return _("Listening alert: %(mentions)s %(window)s, far more than usual") % words
    return _("Listening alert: a spike of mentions of “%(query)s”") % {"query": query}


def excerpt(notification: Notification) -> str:
    params = notification.params if isinstance(notification.params, dict) else {}
    return str(params.get("excerpt", ""))
