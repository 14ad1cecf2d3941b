"""Attendance on people's timelines: a check-in of a registration linked to the person is an ``attendance`` item
(``people/timelines.py``'s extension point, registered when the app is ready), shown by ``people/_timeline.html``."""

from __future__ import annotations

from django.db.models import QuerySet

from federe.accounts.models import Workspace
from federe.events.models import Registration
from federe.people.models import Person
from federe.people.timelines import TimelineSource, register_timeline_source

RANK = 35


def attended(workspace: Workspace, person: Person, identity_ids: list[int]) -> QuerySet[Registration]:
    return Registration.objects.filter(
        event__workspace=workspace, person=person, checked_in_at__isnull=False
    ).select_related("event")


def register() -> None:
    register_timeline_source(TimelineSource("attendance", RANK, "checked_in_at", "id", attended))
