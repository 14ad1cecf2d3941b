"""Registrations follow a merge of two persons (``people/identities/merging.py``), and come back when it is undone.

``carry`` moves the absorbed person's registrations at the workspace's events to the kept person. Where both were
registered to one event, the kept person keeps one registration, the one with a check-in, else a live one (not
cancelled), else the earliest (``created_at``, then id); the other is *folded*: it stays linked to (or is parked
on) the absorbed person, who is hidden while merged, so the kept person's timeline and score count the event
once. Nothing is deleted and no registration's event, key, state or seat changes: the ``(event, key)`` unique
constraint is never at stake, the event's seat count and waiting list are left as they were (a merge never
promotes or turns anyone away), and undoing the merge (``give_back``) puts every registration back on the person
it was made for.

Registrations at another workspace's events are never read nor written.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from federe.accounts.models import Workspace
from federe.events.models import Registration, State
from federe.people.models import Person


def _winner(rows: list[Registration]) -> Registration:
    """The registration that stays: checked in first, then a live one (a cancelled one holds no seat), then the
    earliest."""
    return min(rows, key=lambda r: (r.checked_in_at is None, r.state == State.CANCELLED, r.created_at, r.pk))


def carry(workspace: Workspace, keep: Person, absorb: Person) -> dict[str, Any]:
    """Move ``absorb``'s registrations to ``keep``; what moved, as a snapshot ``give_back`` reads (ids only)."""
    rows = list(
        Registration.objects.filter(event__workspace=workspace, person__in=[keep.pk, absorb.pk])
        .select_related("event")
        .order_by("pk")
    )
    by_event: dict[int, list[Registration]] = defaultdict(list)
    for row in rows:
        by_event[row.event_id].append(row)
    moved: list[int] = []  # absorb's, now keep's
    parked: list[int] = []  # keep's, folded onto absorb while merged
    folded: list[str] = []  # the titles of the events both were registered to
    for event_rows in by_event.values():
        persons = {r.person_id for r in event_rows}
        if persons == {absorb.pk}:
            moved += [r.pk for r in event_rows]
            continue
        if persons != {keep.pk, absorb.pk}:
            continue  # only the kept person's: nothing to do
        winner = _winner(event_rows)
        folded.append(winner.event.title)
        if winner.person_id == absorb.pk:
            moved.append(winner.pk)
            parked += [r.pk for r in event_rows if r.person_id == keep.pk]
    Registration.objects.filter(pk__in=moved, person=absorb).update(person=keep)
    Registration.objects.filter(pk__in=parked, person=keep).update(person=absorb)
    return {"moved": moved, "parked": parked, "folded": folded}


def give_back(workspace: Workspace, snapshot: dict[str, Any] | None, kept: Person, absorbed: Person) -> None:
    """Undo ``carry``: each registration back on the person it was made for (an old merge's snapshot has none)."""
    if not snapshot:
        return
    mine = Registration.objects.filter(event__workspace=workspace)
    mine.filter(pk__in=snapshot.get("moved", []), person=kept).update(person=absorbed)
    mine.filter(pk__in=snapshot.get("parked", []), person=absorbed).update(person=kept)


# ------------------------------------------------------------------------------------------------ check-in

#: Merges are chains at worst (a kept person merged later into a third): far more than any real chain.
LONGEST_CHAIN = 50


def _kept(person: Person) -> Person:
    """The visible person a merged person now belongs to (the person itself when it was never merged)."""
    for _step in range(LONGEST_CHAIN):
        if person.merged_into_id is None:
            break
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def stand_in(registration: Registration) -> Registration:
    """The registration that counts for a folded one: that of the person its person was merged into, at the same
    event and not cancelled; the registration itself when it is not folded. Checking in a folded registration
    checks in its stand-in, so that attendance is credited to the person the team sees, once."""
    person = registration.person
    if person is None or person.merged_into_id is None:
        return registration
    kept = _kept(person)
    live = Registration.objects.filter(event_id=registration.event_id, person=kept).exclude(state=State.CANCELLED)
    return live.select_related("event__workspace", "person").order_by("pk").first() or registration


def folded(registrations: list[Registration]) -> dict[int, Registration]:
    """Of an event's registrations, the folded ones (by id) and the stand-in each is checked in through."""
    found = {}
    for row in registrations:
        if row.person is not None and row.person.merged_into_id is not None:
            other = stand_in(row)
            if other.pk != row.pk:
                found[row.pk] = other
    return found


# ------------------------------------------------------------------------------------------------ before a merge


def shared_events(workspace: Workspace, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """For pairs of persons a merge may join: the titles of the workspace's events both are registered to (live
    registrations), which a merge would fold into one registration each. One query for the whole list."""
    persons = {p for pair in pairs for p in pair}
    events_of: dict[int, dict[int, str]] = defaultdict(dict)
    rows = (
        Registration.objects.filter(event__workspace=workspace, person__in=persons)
        .exclude(state=State.CANCELLED)
        .values_list("person_id", "event_id", "event__title")
    )
    for person, event, title in rows:
        events_of[person][event] = title
    shared = {}
    for a, b in pairs:
        both = sorted(set(events_of[a]) & set(events_of[b]))
        if both:
            shared[(a, b)] = [events_of[a][event] for event in both]
    return shared
