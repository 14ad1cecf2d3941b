"""The demo's service levels: answer within an hour on weekdays from 9:00 to 18:00, urgent threads around the clock,
so that the inbox shows due times, overdue threads and the dashboard's "SLA met" from the first minute."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.inbox.models import Priority
from federe.sla import services
from federe.sla.models import HoursKind

WEEKDAYS_9_TO_18 = [(day, 9 * 60, 18 * 60) for day in range(5)]


def load(workspace: Workspace, owner: Any, *, language: str) -> None:
    """Two policies, named in the workspace's language: urgent threads first, then every other thread."""
    with translation.override(language):
        _add(workspace, owner)


def _add(workspace: Workspace, owner: Any) -> None:
    services.add(
        workspace=workspace,
        by=owner,
        fields=services.Fields(
            name=_("Urgent: around the clock"),
            first_response_minutes=30,
            next_response_minutes=60,
            priorities=[Priority.URGENT],
        ),
    )
    services.add(
        workspace=workspace,
        by=owner,
        fields=services.Fields(
            name=_("Weekdays, 9:00 to 18:00"),
            first_response_minutes=60,
            next_response_minutes=4 * 60,
            resolution_minutes=2 * 9 * 60,
            hours=HoursKind.BUSINESS,
            business_hours=WEEKDAYS_9_TO_18,
        ),
    )
