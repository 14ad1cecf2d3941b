from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from federe.campaigns import services
from federe.inbox.models import Message
from federe.listening import services as listening
from federe.listening.models import Mention

FIRST = date(2026, 3, 2)  # a Monday; the campaign runs a week, its baseline is the week before
LAST = FIRST + timedelta(days=6)


def _at(day: date, minute: int, tz: str) -> datetime:
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(tz)) + timedelta(minutes=minute)


@pytest.fixture
def campaign(workspace, owner, synced):
    """A finished week-long campaign grouping a brand query that matches every message: of the channel's 50
    messages, 10 are moved into the baseline week, 30 into the campaign's week and 10 after it."""
    query = listening.save_query(workspace=workspace, by=owner, name="Acme", kind="brand", text="lang:fr OR lang:en")
    messages = list(Message.objects.filter(workspace=workspace).order_by("pk"))
    assert len(messages) == 50
    tz = workspace.timezone
    for index, message in enumerate(messages):
        if index < 10:
            when = _at(FIRST - timedelta(days=7 - index % 7), index, tz)
        elif index < 40:
            when = _at(FIRST + timedelta(days=index % 7), index, tz)
        else:
            when = _at(LAST + timedelta(days=3), index, tz)
        Message.objects.filter(pk=message.pk).update(posted_at=when)
        Mention.objects.filter(message=message).update(posted_at=when)
    assert Mention.objects.filter(query=query).count() >= 40
    fields = services.Fields(name="Spring launch", starts_on=FIRST, ends_on=LAST, query_ids=[query.pk])
    return services.create_campaign(workspace, by=owner, fields=fields)
