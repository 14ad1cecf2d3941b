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
from federe.people.models import Merge, Person


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


def _kept_registration(row: Registration) -> Registration | None:
    """For a folded registration (its person merged, directly, into a person of the event's workspace): that
    person's live registration at the same event; None for any other registration."""
    person = row.person
    if person is None or person.merged_into_id is None or person.workspace_id != row.event.workspace_id:
        return None
    live = Registration.objects.filter(event_id=row.event_id, person_id=person.merged_into_id)
    return live.exclude(state=State.CANCELLED).select_related("event__workspace", "person").order_by("pk").first()


def for_check_in(registration: Registration, *, undo: bool = False) -> Registration:
    """The registration a check-in (or its undo) asked on ``registration`` applies to. Not folded: itself. Folded
    (its person was merged into the person the team sees, both registered): when the kept person's registration
    is already checked in, or for an undo, that one; otherwise the two swap persons, the merge's record follows
    (so that undoing the merge gives each back to the person it was made for), and the registration the door
    found is checked in on the kept person. Attendance is thus credited once, to the visible person, and stays
    with whoever came if the merge is undone. Call it inside the check-in's transaction.

    A merge made before registrations followed merges, or a chain (the kept person merged again since), is left
    alone: the registration asked for is checked in as it is."""
    absorbed = registration.person
    if absorbed is None or absorbed.merged_into_id is None or absorbed.workspace_id != registration.event.workspace_id:
        return registration
    other = _kept_registration(registration)
    if other is not None and (undo or other.checked_in_at is not None):
        return other
    if undo:
        return registration
    both = Person.objects.select_for_update().filter(pk__in=[absorbed.pk, absorbed.merged_into_id]).order_by("pk")
    kept = next((p for p in both if p.pk == absorbed.merged_into_id), None)  # locked in id order, as merges lock
    record = (
        Merge.objects.select_for_update()
        .filter(workspace_id=registration.event.workspace_id, absorbed=absorbed, kept=kept, undone_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    if kept is None or kept.merged_into_id is not None or record is None:
        return registration
    rows = dict(record.snapshot.get("registrations") or {})
    if not rows:
        return registration
    moved, parked = set(rows.get("moved", [])), set(rows.get("parked", []))
    _toggle(registration.pk, made_for_kept=registration.pk in parked, moved=moved, parked=parked)
    Registration.objects.filter(pk=registration.pk).update(person=kept)
    registration.person = kept
    if other is not None:
        _toggle(other.pk, made_for_kept=other.pk not in moved, moved=moved, parked=parked)
        Registration.objects.filter(pk=other.pk).update(person=absorbed)
    record.snapshot["registrations"] = {**rows, "moved": sorted(moved), "parked": sorted(parked)}
    record.save(update_fields=["snapshot"])
    return registration


def _toggle(pk: int, *, made_for_kept: bool, moved: set[int], parked: set[int]) -> None:
    """A registration changes person between the two merged persons: it is on its own person again (out of the
    record), or now on the other one (into the record)."""
    if made_for_kept:
        (parked.discard if pk in parked else parked.add)(pk)
    else:
        (moved.discard if pk in moved else moved.add)(pk)


def folded(registrations: list[Registration]) -> dict[int, Registration]:
    """Of an event's registrations, the folded ones (by id) and the kept person's registration each counts as."""
    found = {}
    for row in registrations:
        other = _kept_registration(row)
        if other is not None and other.pk != row.pk:
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
