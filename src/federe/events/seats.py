"""Seats, kept by the database (``models.py``): a registration takes its seat with one conditional ``UPDATE``, so
two last-seat registrations at the same moment cannot both pass (the second goes to the waiting list); a seat given
back goes to the first on the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from federe.events.models import Event, Registration, State
from federe.people.engagement import scoring


def take(event: Event) -> bool:
    """One seat taken if one is left: a single conditional UPDATE, so concurrent takers cannot overbook."""
    rows = Event.objects.filter(pk=event.pk).filter(Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity")))
    return rows.update(seats_taken=F("seats_taken") + 1) == 1


def give_back(event: Event) -> None:
    Event.objects.filter(pk=event.pk, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def promote_waiting(event: Event) -> int:
    """The waiting list, first come first served, into the seats that are free."""
    promoted = 0
    for waiting in Registration.objects.filter(event=event, state=State.WAITING).order_by("created_at", "pk"):
        if not take(event):
            break
        Registration.objects.filter(pk=waiting.pk).update(state=State.REGISTERED)
        promoted += 1
    return promoted


@dataclass
class Registered:
    """``created``: this call registered someone (a new row, or a cancelled one taken up again)."""

    registration: Registration
    created: bool


def _again(earlier: Registration, name: str, values: dict[str, Any]) -> Registered:
    """A cancelled registration made again, as a new one would be: a seat if one is left, else the end of the waiting
    list. The conditional UPDATE from ``cancelled`` lets only one of two requests at the same moment take it up."""
    fresh = {"name": name[:200], "created_at": timezone.now(), "checked_in_at": None, **values}
    event = earlier.event
    with transaction.atomic():
        state = State.REGISTERED if take(event) else State.WAITING
        if not Registration.objects.filter(pk=earlier.pk, state=State.CANCELLED).update(state=state, **fresh):
            if state == State.REGISTERED:
                give_back(event)  # the other request took it up: the seat was not ours to keep
            earlier.refresh_from_db()
            return Registered(earlier, False)
        if earlier.checked_in_at is not None and earlier.person_id is not None:
            # its check-in is wiped: the attendance it earned its person goes too (people.engagement.formula)
            scoring.update_for_persons(event.workspace_id, [earlier.person_id])
    earlier.refresh_from_db()
    return Registered(earlier, True)


def register(event: Event, *, key: str, name: str, again: bool = False, **values: Any) -> Registered:
    """A registration for ``key`` (the one there is, if any): a seat if one is left, the waiting list otherwise.
    With ``again`` (the public page), a cancelled registration is made again; without it (messages collected any
    number of times), a cancellation stays."""
    earlier = Registration.objects.filter(event=event, key=key).select_related("event").first()
    if earlier is not None:
        if again and earlier.state == State.CANCELLED:
            return _again(earlier, name, values)
        return Registered(earlier, False)
    try:
        with transaction.atomic():
            state = State.REGISTERED if take(event) else State.WAITING
            row = Registration.objects.create(event=event, key=key, name=name[:200], state=state, **values)
    except IntegrityError:  # the same person at the same moment: the other request registered them
        return Registered(Registration.objects.get(event=event, key=key), False)
    return Registered(row, True)


def has_free_seat(event: Event) -> bool:
    """As the database counts it now."""
    free = Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))
    return Event.objects.filter(free, pk=event.pk).exists()
