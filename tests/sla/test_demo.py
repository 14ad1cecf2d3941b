"""The demo comes with service levels, so that due times and overdue threads show from the first minute."""

from __future__ import annotations

import pytest

from federe.connections.services import sync_connection
from federe.inbox.models import Conversation
from federe.sla import demo
from federe.sla.models import HoursKind, Policy, ThreadClock

pytestmark = pytest.mark.django_db


def test_the_demo_policies_are_named_in_the_workspace_language_and_clock_the_open_threads(connection, owner):
    sync_connection(connection.pk)
    demo.load(connection.workspace, owner, language="fr")
    urgent, weekdays = Policy.objects.filter(workspace=connection.workspace).order_by("position")
    assert urgent.name == "Urgent : jour et nuit" and urgent.priorities == ["urgent"]
    assert weekdays.name == "En semaine, de 9 h à 18 h" and weekdays.hours == HoursKind.BUSINESS
    assert [tuple(i) for i in weekdays.business_hours] == [(d, 540, 1080) for d in range(5)]
    threads = Conversation.objects.filter(workspace=connection.workspace).count()
    assert threads > 0
    clocked = ThreadClock.objects.filter(workspace=connection.workspace, policy=weekdays)
    assert clocked.count() > 0 and clocked.exclude(first_response_due=None).exists()
