"""An event's announcement and reminder: two ordinary posts of the publishing app (``publishing/services.py``), so
they go through its checks, approvals, ledger and scheduler, and show in its calendar. The event keeps a link to
each; the texts are written from the event in the workspace's language of the moment (the organiser edits the posts
like any other before they leave)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.events.models import Event
from federe.publishing import services as publishing
from federe.publishing.checks import PostInput, VariantInput, workspace_zone


def _where(event: Event) -> str:
    return event.link if event.online else event.place


def announcement_text(event: Event, page_url: str) -> str:
    when = date_format(localtime(event.starts_at, workspace_zone(event.workspace)), "DATETIME_FORMAT")
    text = _("%(title)s, %(when)s, %(where)s.") % {"title": event.title, "when": when, "where": _where(event)}
    return f"{text} {_('Register:')} {page_url}" if page_url else text


def reminder_text(event: Event, page_url: str) -> str:
    return f"{_('Reminder:')} {announcement_text(event, page_url)}"


def schedule(
    *, event: Event, by: Any, channel_ids: list[int], announce_at: datetime, remind_before: timedelta, page_url: str
) -> Event:
    """The announcement at ``announce_at`` and the reminder ``remind_before`` the start, on the channels given."""
    require(by, event.workspace, Perm.PUBLISH)
    if not channel_ids:
        raise ValidationError({"channels": _("Choose at least one channel for the announcement and the reminder.")})
    remind_at = event.starts_at - remind_before
    if remind_at <= announce_at:
        raise ValidationError({"remind_hours": _("The reminder must come after the announcement.")})

    def post(text: str, when: datetime) -> PostInput:
        variants = [VariantInput(connection_id=pk, body_text=text) for pk in channel_ids]
        return PostInput(body=text, variants=variants, title=event.title, scheduled_at=when)

    event.announcement = publishing.create_post(
        event.workspace, by, post(announcement_text(event, page_url), announce_at)
    )
    event.reminder = publishing.create_post(event.workspace, by, post(reminder_text(event, page_url), remind_at))
    event.save(update_fields=["announcement", "reminder", "updated_at"])
    return event
