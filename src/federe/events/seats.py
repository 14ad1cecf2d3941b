"""Seats, kept by the database (``models.py``): a registration takes its seat with one conditional ``UPDATE``, so
two last-seat registrations at the same moment cannot both pass (the second goes to the waiting list); a seat given
back goes to the first on the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from federe.events.models import Event, Registration, State


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
    registration: Registration
    created: bool


def register(event: Event, *, key: str, name: str, **values: Any) -> Registered:
    """A registration for ``key`` (the one there is, if any): a seat if one is left, the waiting list otherwise."""
    earlier = Registration.objects.filter(event=event, key=key).first()
    if earlier is not None:
        return Registered(earlier, False)
    try:
        with transaction.atomic():
            state = State.REGISTERED if take(event) else State.WAITING
            row = Registration.objects.create(event=event, key=key, name=name[:200], state=state, **values)
    except IntegrityError:  # the same person at the same moment: the other request registered them
        return Registered(Registration.objects.get(event=event, key=key), False)
    return Registered(row, True)
