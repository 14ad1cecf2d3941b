"""Reading events: a workspace's list, one event, its registrations, its counts, the public page's event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from federe.events.models import Event, Registration, State, Status


def events(workspace: Any) -> QuerySet[Event]:
    return Event.objects.filter(workspace=workspace).annotate(
        registered_count=Count("registrations", filter=Q(registrations__state=State.REGISTERED)),
        checked_in_count=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
    )


def event(workspace: Any, pk: int) -> Event:
    """The workspace's event ``pk`` (Event.DoesNotExist otherwise: another workspace's does not exist)."""
    return Event.objects.select_related("workspace").get(workspace=workspace, pk=pk)


def registrations(event: Event, show: str = "") -> QuerySet[Registration]:
    """Registrations in arrival order; ``show``: "registered", "waiting", "cancelled" or "" (all but cancelled)."""
    rows = Registration.objects.filter(event=event).select_related("person", "message__connection", "followed_up")
    if show in State.values:
        return rows.filter(state=show)
    return rows.exclude(state=State.CANCELLED)


def registration(event: Event, pk: int) -> Registration:
    return Registration.objects.select_related("event__workspace").get(event=event, pk=pk)


def public(public_id: str) -> Event | None:
    """An event by its registration page's address; a draft has no page."""
    if not public_id or len(public_id) > 64:
        return None
    return Event.objects.exclude(status=Status.DRAFT).select_related("workspace").filter(public_id=public_id).first()


@dataclass
class Counts:
    """Registered: a seat taken; checked in: came (waiting-list people who came too); no-shows: registered, not
    checked in, once the event has ended (zero before)."""

    registered: int
    waiting: int
    checked_in: int
    no_shows: int
    seats_left: int | None


def counts(event: Event) -> Counts:
    rows = Registration.objects.filter(event=event).exclude(state=State.CANCELLED)
    figures = rows.aggregate(
        registered=Count("pk", filter=Q(state=State.REGISTERED)),
        waiting=Count("pk", filter=Q(state=State.WAITING)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        absent=Count("pk", filter=Q(state=State.REGISTERED, checked_in_at__isnull=True)),
    )
    ended = event.ends_at <= timezone.now()
    left = None if event.capacity is None else max(event.capacity - figures["registered"], 0)
    return Counts(
        registered=figures["registered"],
        waiting=figures["waiting"],
        checked_in=figures["checked_in"],
        no_shows=figures["absent"] if ended else 0,
        seats_left=left,
    )
