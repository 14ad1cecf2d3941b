"""Events for the tests: one event a day from now by default, and the contests' hand-built town for messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federe.events import services
from tests.contests.conftest import Town


@pytest.fixture
def town(workspace, connection):
    return Town(workspace, connection)


def fields(**changes) -> services.Fields:
    start = timezone.now() + timedelta(days=1)
    values = {
        "title": "Meetup",
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "place": "Nantes",
        "capacity": 2,
    }
    values.update(changes)
    return services.Fields(**values)


@pytest.fixture
def event(workspace, owner):
    return services.add(workspace=workspace, fields=fields(), by=owner)
