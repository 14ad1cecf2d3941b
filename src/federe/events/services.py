"""What an organiser does with an event: describe it, announce it, take registrations, check attendees in.

Services decide and check permissions (``Perm.PUBLISH`` for every change of the team's; the public registration
page needs none); views, the API and the CLI translate. Every change of the team's is in the activity log.
Capacity is the database's (``models.py``): ``_take_seat`` is one conditional ``UPDATE``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.permissions import Perm, require
from federe.connectors.values import web_url
from federe.core import audit
from federe.events import merges, seats
from federe.events.collect import collect
from federe.events.models import EntryRule, Event, Registration, Source, State, Status
from federe.people.engagement import scoring
from federe.people.models import Identity, Person

MAX_CAPACITY = 100_000


@dataclass
class Fields:
    """An event as the form, the API and the CLI give it."""

    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    online: bool = False
    place: str = ""
    link: str = ""
    capacity: int | None = None
    status: str = Status.OPEN
    consent_text: str = ""
    rule: str = ""
    term: str = ""


def _check(f: Fields) -> None:  # size: one rule per line
    errors: dict[str, str] = {}
    if not f.title.strip():
        errors["title"] = _("Give the event a title.")
    elif any(ord(c) < 32 or c == "\x7f" for c in f.title):  # it is the follow-up e-mail's subject: one line
        errors["title"] = _("An event's title is one line, without line breaks or control characters.")
    if f.ends_at <= f.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    if f.online and not web_url(f.link, 500):
        errors["link"] = _("Give the address (http or https) where people join the event.")
    if not f.online and not f.place.strip():
        errors["place"] = _("Say where the event takes place.")
    if f.capacity is not None and not 1 <= f.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("A capacity between 1 and 100,000 people, or none for no limit.")
    if f.status not in Status.values:
        errors["status"] = _("Choose a status.")
    if f.rule not in EntryRule.values:
        errors["rule"] = _("Choose how people register by message.")
    if f.rule and not f.term.strip().lstrip("#").strip():
        errors["term"] = _("Give the hashtag or the keyword that registers a message's author.")
    if errors:
        raise ValidationError(errors)


EDITABLE = [
    "title",
    "description",
    "starts_at",
    "ends_at",
    "online",
    "place",
    "link",
    "capacity",
    "status",
    "consent_text",
    "rule",
    "term",
]


def _apply(event: Event, f: Fields) -> None:
    event.title, event.description = f.title.strip(), f.description.strip()
    event.starts_at, event.ends_at, event.online = f.starts_at, f.ends_at, f.online
    event.place, event.link = f.place.strip(), f.link.strip()
    event.capacity, event.status, event.consent_text = f.capacity, f.status, f.consent_text.strip()
    event.rule, event.term = f.rule, f.term.strip() if f.rule else ""


def add(*, workspace: Any, fields: Fields, by: Any, client_key: str = "") -> Event:
    require(by, workspace, Perm.PUBLISH)
    if client_key:
        earlier = Event.objects.filter(workspace=workspace, client_key=client_key[:255]).first()
        if earlier is not None:
            return earlier
    _check(fields)
    with transaction.atomic():
        event = Event(workspace=workspace, public_id=secrets.token_urlsafe(32), client_key=client_key[:255])
        _apply(event, fields)
        event.save()
        audit.record("event.created", workspace=workspace, actor=by, target=event)
    return event


def _too_low(taken: int) -> ValidationError:
    text = ngettext(
        "%(count)d person is already registered: the capacity cannot be lower.",
        "%(count)d people are already registered: the capacity cannot be lower.",
        taken,
    )
    return ValidationError({"capacity": text % {"count": taken}})


def change(*, event: Event, fields: Fields, by: Any) -> Event:
    """The capacity is checked against the seats taken with the event's row locked, in the transaction that saves
    it: a registration cannot come in between (it waits for the lock)."""
    require(by, event.workspace, Perm.PUBLISH)
    _check(fields)
    try:
        with transaction.atomic():
            taken = Event.objects.select_for_update().filter(pk=event.pk).values_list("seats_taken", flat=True).get()
            if fields.capacity is not None and fields.capacity < taken:
                raise _too_low(taken)
            _apply(event, fields)
            event.save(update_fields=[*EDITABLE, "updated_at"])  # never seats_taken: the database counts it
            seats.promote_waiting(event)
            event.refresh_from_db(fields=["seats_taken"])
            audit.record("event.changed", workspace=event.workspace, actor=by, target=event)
    except IntegrityError:  # the check constraint, should a seat be taken without the lock (a database without it)
        event.refresh_from_db()
        raise _too_low(event.seats_taken) from None
    return event


def person_for_email(workspace: Any, email: str) -> Person | None:
    """The person one of whose identities has this e-mail address (the person it was merged into)."""
    if not email:
        return None
    identity = (
        Identity.objects.filter(workspace=workspace, email__iexact=email)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    if identity is None:
        return None
    person = identity.person
    return person.merged_into if person.merged_into_id else person


def open_for_registration(event: Event, now: datetime | None = None) -> bool:
    return event.status == Status.OPEN and (now or timezone.now()) < event.ends_at


def register_on_page(*, event: Event, name: str, email: str, consent: bool) -> seats.Registered:
    """The public page's registration: no account; the same address twice is the same registration."""
    errors: dict[str, str] = {}
    if not open_for_registration(event):
        raise ValidationError(_("Registrations for this event are closed."))
    if not name.strip():
        errors["name"] = _("Give your name.")
    try:
        validate_email(email.strip())
    except ValidationError:
        errors["email"] = _("Give a valid e-mail address.")
    if event.consent_text and not consent:
        errors["consent"] = _("Registering needs your consent.")
    if errors:
        raise ValidationError(errors)
    email = email.strip()
    return seats.register(
        event,
        key=f"email:{email.lower()}",
        name=name.strip(),
        email=email,
        source=Source.PAGE,
        consented_at=timezone.now() if event.consent_text else None,
        person=person_for_email(event.workspace, email),
        again=True,
    )


def page_answer(event: Event, done: seats.Registered) -> str:
    """What the public page says after a registration: ``"seat"`` or ``"full"``, the same whether or not the address
    was registered before, so that the page tells no one who is registered. A registration made now says what it
    got; one there was says what a new one would have got: ``"full"`` is worded for both a seat and the waiting list."""
    if done.created:
        return "seat" if done.registration.state == State.REGISTERED else "full"
    return "seat" if done.registration.state == State.REGISTERED and seats.has_free_seat(event) else "full"


def cancel(*, registration: Registration, by: Any) -> Registration:
    event = registration.event
    require(by, event.workspace, Perm.PUBLISH)
    with transaction.atomic():
        had_seat = Registration.objects.filter(pk=registration.pk, state=State.REGISTERED).update(state=State.CANCELLED)
        Registration.objects.filter(pk=registration.pk, state=State.WAITING).update(state=State.CANCELLED)
        if had_seat:
            seats.give_back(event)
            seats.promote_waiting(event)
        audit.record("event.registration_cancelled", workspace=event.workspace, actor=by, target=event)
    registration.refresh_from_db()
    return registration


def check_in(*, registration: Registration, by: Any, undo: bool = False) -> Registration:
    """Mark an attendee present (or not, with ``undo``); someone on the waiting list who came is checked in too.

    Attendance counts in the engagement score (``people.engagement.formula``'s ``attended`` rule): the person the
    registration is linked to, if any, is recomputed in the same transaction. A registration folded by a merge of
    two registered persons is checked in on the kept person (``merges.for_check_in``): the one returned.
    """
    event = registration.event
    require(by, event.workspace, Perm.PUBLISH)
    if registration.state == State.CANCELLED:
        raise ValidationError(_("This registration was cancelled."))
    with transaction.atomic():
        registration = merges.for_check_in(registration, undo=undo)  # folded by a merge: see merges.py
        registration.checked_in_at = None if undo else (registration.checked_in_at or timezone.now())
        registration.save(update_fields=["checked_in_at"])
        if registration.person_id is not None:
            scoring.update_for_persons(event.workspace_id, [registration.person_id])
        verb = "event.check_in_undone" if undo else "event.checked_in"
        audit.record(verb, workspace=event.workspace, actor=by, target=event, details={"registration": registration.pk})
    return registration


def collect_registrations(*, event: Event, by: Any) -> int:
    """Registrations from the stored messages matching the event's rule (``collect.py``); how many were new."""
    require(by, event.workspace, Perm.PUBLISH)
    if not event.rule:
        raise ValidationError(_("This event takes no registration by message."))
    return collect(event)
