"""Channel queues: each publishing channel's times of the week (wall-clock, in the workspace's timezone) and its
next free times; add times to channels, remove one. A post joins the queue through ``POST /posts`` with
``"queue": true``."""

from __future__ import annotations

from datetime import datetime, time

from ninja import Field, Router, Schema

from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.publishing import queries, queueing
from federe.publishing.channels import publishing_channels
from federe.publishing.models import QueueSlot

router = Router()


class SlotOut(Schema):
    id: int
    connection_id: int
    weekday: int = Field(description="0 is Monday, 6 is Sunday.")
    time: str = Field(description="HH:MM on the workspace's clock.")


class QueueOut(Schema):
    connection_id: int
    name: str
    slots: list[SlotOut]
    next_free: list[datetime] = Field(description="The next five free times, UTC.")


class SlotsIn(Schema):
    connection_ids: list[Id] = Field(..., min_length=1, max_length=50)
    weekdays: list[int] = Field(..., min_length=1, max_length=7, description="0 is Monday, 6 is Sunday.")
    times: list[time] = Field(..., min_length=1, max_length=48, description="Wall-clock times, such as 09:00.")


class AddedOut(Schema):
    added: int


def _slot_out(slot: QueueSlot) -> SlotOut:
    return SlotOut(id=slot.pk, connection_id=slot.connection_id, weekday=slot.weekday, time=f"{slot.at:%H:%M}")


@router.get("", response=list[QueueOut])
def list_queues(request: ApiRequest) -> list[QueueOut]:
    """Every channel that publishes, with its queue times and next free times."""
    channels = [c.connection for c in publishing_channels(request.workspace)]
    return [
        QueueOut(
            connection_id=q.connection.pk,
            name=q.connection.name,
            slots=[_slot_out(s) for s in q.slots],
            next_free=q.upcoming,
        )
        for q in queueing.overview(request.workspace, channels)
    ]


@router.post("/slots", response={201: AddedOut})
def add_slots(request: ApiRequest, payload: SlotsIn) -> tuple[int, AddedOut]:
    """Every weekday × time given, added to each channel given; times a channel already has are kept once."""
    slots = [(day, at) for day in payload.weekdays for at in payload.times]
    added = queueing.add_to_channels(request.workspace, payload.connection_ids, slots, by=request.user)
    return 201, AddedOut(added=added)


@router.delete("/slots/{slot_id}", response={204: None})
def remove_slot(request: ApiRequest, slot_id: Id) -> tuple[int, None]:
    """Take a time off its channel's queue (posts already placed there keep their time)."""
    queueing.remove_slot(queries.queue_slot(request.workspace, slot_id), by=request.user)
    return 204, None
