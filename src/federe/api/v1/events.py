"""Events: list, create (safe to retry with an ``Idempotency-Key`` header), read, registrations (read, collect from
messages, check in or undo, cancel), counts. Changes need the publish permission."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Header, Router, Schema

from federe.api.v1.schemas import Id, Moment
from federe.core.requests import ApiRequest
from federe.events import queries, services
from federe.events.models import Event, Registration

router = Router()


class EventIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=10_000)
    starts_at: Moment
    ends_at: Moment
    online: bool = False
    place: str = Field("", max_length=300)
    link: str = Field("", max_length=500)
    capacity: int | None = Field(None, ge=1, le=services.MAX_CAPACITY, description="None: no limit.")
    status: Literal["draft", "open", "closed", "cancelled"] = "open"
    consent_text: str = Field("", max_length=2000)
    rule: Literal["", "hashtag", "keyword"] = ""
    term: str = Field("", max_length=100)

    def fields(self) -> services.Fields:
        return services.Fields(**self.dict())


class EventOut(Schema):
    id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    online: bool
    place: str
    link: str
    capacity: int | None
    status: str
    registration_path: str
    announcement_post_id: int | None
    reminder_post_id: int | None


class CountsOut(Schema):
    registered: int
    waiting: int
    checked_in: int
    no_shows: int
    seats_left: int | None


class RegistrationOut(Schema):
    id: int
    name: str
    source: str
    state: str
    person_id: int | None
    message_id: int | None
    checked_in_at: datetime | None
    follow_up_state: str


class CheckInIn(Schema):
    undo: bool = False


class CollectedOut(Schema):
    created: int


def event_out(e: Event) -> EventOut:
    return EventOut(
        id=e.pk,
        title=e.title,
        description=e.description,
        starts_at=e.starts_at,
        ends_at=e.ends_at,
        online=e.online,
        place=e.place,
        link=e.link,
        capacity=e.capacity,
        status=e.status,
        registration_path=f"/e/{e.public_id}/",
        announcement_post_id=e.announcement_id,
        reminder_post_id=e.reminder_id,
    )


def registration_out(r: Registration) -> RegistrationOut:
    return RegistrationOut(
        id=r.pk,
        name=r.name,
        source=r.source,
        state=r.state,
        person_id=r.person_id,
        message_id=r.message_id,
        checked_in_at=r.checked_in_at,
        follow_up_state=r.follow_up_state,
    )


@router.get("", response=list[EventOut])
def list_events(request: ApiRequest) -> list[EventOut]:
    return [event_out(e) for e in queries.events(request.workspace)]


@router.post("", response={201: EventOut})
def create_event(
    request: ApiRequest, payload: EventIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> tuple[int, EventOut]:
    event = services.add(
        workspace=request.workspace, fields=payload.fields(), by=request.user, client_key=idempotency_key
    )
    return 201, event_out(event)


@router.get("/{event_id}", response=EventOut)
def get_event(request: ApiRequest, event_id: Id) -> EventOut:
    return event_out(queries.event(request.workspace, event_id))


@router.put("/{event_id}", response=EventOut)
def change_event(request: ApiRequest, event_id: Id, payload: EventIn) -> EventOut:
    event = queries.event(request.workspace, event_id)
    return event_out(services.change(event=event, fields=payload.fields(), by=request.user))


@router.get("/{event_id}/counts", response=CountsOut)
def event_counts(request: ApiRequest, event_id: Id) -> CountsOut:
    c = queries.counts(queries.event(request.workspace, event_id))
    return CountsOut(
        registered=c.registered,
        waiting=c.waiting,
        checked_in=c.checked_in,
        no_shows=c.no_shows,
        seats_left=c.seats_left,
    )


@router.get("/{event_id}/registrations", response=list[RegistrationOut])
def list_registrations(
    request: ApiRequest, event_id: Id, show: Literal["", "registered", "waiting", "cancelled"] = ""
) -> list[RegistrationOut]:
    event = queries.event(request.workspace, event_id)
    return [registration_out(r) for r in queries.registrations(event, show)]


@router.post("/{event_id}/registrations/collect", response=CollectedOut)
def collect_registrations(request: ApiRequest, event_id: Id) -> CollectedOut:
    event = queries.event(request.workspace, event_id)
    return CollectedOut(created=services.collect_registrations(event=event, by=request.user))


@router.post("/{event_id}/registrations/{registration_id}/check-in", response=RegistrationOut)
def check_in(request: ApiRequest, event_id: Id, registration_id: Id, payload: CheckInIn) -> RegistrationOut:
    registration = queries.registration(queries.event(request.workspace, event_id), registration_id)
    return registration_out(services.check_in(registration=registration, by=request.user, undo=payload.undo))


@router.post("/{event_id}/registrations/{registration_id}/cancel", response=RegistrationOut)
def cancel_registration(request: ApiRequest, event_id: Id, registration_id: Id) -> RegistrationOut:
    registration = queries.registration(queries.event(request.workspace, event_id), registration_id)
    return registration_out(services.cancel(registration=registration, by=request.user))
