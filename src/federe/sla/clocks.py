"""A thread's SLA clocks, pure: from the times the customer waited on us to each target's due time and outcome.

**Waits.** A thread is a list of *waits*: a wait starts at the customer's message that finds no wait open (their
first message, or their first one after our reply) and ends at our next reply (or when a teammate marks the thread
"answered": they answered elsewhere). Further customer messages during a wait change nothing.

**Targets** (minutes of the policy's hours, ``sla/hours.py``):

- *first response*: from the start of the first wait to its end (our first reply).
- *next response*: from the start of the latest wait, when it is not the first (the customer's next message after
  our reply), to its end. Only the latest cycle is kept: a new wait starts a new next-response clock.
- *resolution*: from the start of the first wait until the thread is closed, **paused while the thread waits on
  the customer**: the time between our reply (the end of a wait) and their next message (the start of the next)
  does not count. After our last reply the clock stands still, so a thread waiting on the customer has no
  resolution due time until they write again.

**Closed stops everything.** A closed thread's open wait stops at ``closed_at``; a response target still unmet is
then *stopped* (not counted) if it was not due yet, *breached* if it was. The resolution target is met when the
thread was closed by its due time. A customer message on a closed thread reopens it: the open wait (if any) ends at
the closing time, and a new wait starts.

Outcomes (:func:`outcome`): met, breached, pending (running, not due yet), paused (resolution while waiting on the
customer), stopped, or none (no target of that kind).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from federe.sla.hours import Calendar, add_minutes

FAR = datetime.max.replace(tzinfo=UTC)
REPLY, CLOSED = "reply", "closed"


@dataclass(frozen=True)
class Wait:
    start: datetime
    end: datetime | None = None
    ended_by: str | None = None  # REPLY, or CLOSED (the thread was closed while it waited)


@dataclass(frozen=True)
class Targets:
    first_response: int | None = None
    next_response: int | None = None
    resolution: int | None = None


@dataclass(frozen=True)
class Clocks:
    first_response_due: datetime | None = None
    first_response_at: datetime | None = None
    next_response_due: datetime | None = None
    next_response_at: datetime | None = None
    resolution_due: datetime | None = None
    resolution_at: datetime | None = None
    due_at: datetime | None = None  # the earliest due time of a target still running


class Outcome(StrEnum):
    NONE = "none"
    MET = "met"
    BREACHED = "breached"
    PENDING = "pending"
    PAUSED = "paused"
    STOPPED = "stopped"


# ------------------------------------------------------------------------------------------------ events


def customer_wrote(waits: list[Wait], at: datetime, closed_at: datetime | None) -> list[Wait]:
    """The waits after a customer message at ``at`` (which also reopens a closed thread)."""
    waits = list(waits)
    if waits and waits[-1].end is None:
        if closed_at is None:
            return waits
        waits[-1] = Wait(waits[-1].start, max(closed_at, waits[-1].start), CLOSED)
    if waits and waits[-1].end is not None and at < waits[-1].end:
        return waits  # older than our last reply (a late page): it was answered already
    return [*waits, Wait(at)]


def we_answered(waits: list[Wait], at: datetime) -> list[Wait]:
    """The waits after our reply (or the thread marked answered) at ``at``: the open wait ends."""
    if not waits or waits[-1].end is not None:
        return list(waits)
    return [*waits[:-1], Wait(waits[-1].start, max(at, waits[-1].start), REPLY)]


# ------------------------------------------------------------------------------------------------ due times


def _response(wait: Wait, minutes: int | None, cal: Calendar) -> tuple[datetime | None, datetime | None]:
    due = add_minutes(cal, wait.start, minutes) if minutes is not None else None
    return due, wait.end if wait.ended_by == REPLY else None


def _resolution_due(waits: list[Wait], minutes: int, cal: Calendar) -> datetime | None:
    """The instant the resolution clock reaches ``minutes``, counting only the waits (None: not while paused). On
    a closed thread, the time it would have been due had it stayed open: closed by then, the target was met."""
    pauses = [(a.end, b.start) for a, b in itertools.pairwise(waits) if a.end is not None]
    if waits[-1].end is not None:
        pauses.append((waits[-1].end, FAR))
    return add_minutes(cal, waits[0].start, minutes, pauses)


def evaluate(waits: list[Wait], closed_at: datetime | None, targets: Targets, cal: Calendar) -> Clocks:
    if not waits:
        return Clocks()
    first_due, first_at = _response(waits[0], targets.first_response, cal)
    next_due = next_at = None
    if len(waits) > 1:
        next_due, next_at = _response(waits[-1], targets.next_response, cal)
    resolution_due = None
    if targets.resolution is not None:
        resolution_due = _resolution_due(waits, targets.resolution, cal)
    running = (
        []
        if closed_at is not None
        else [due for due, at in ((first_due, first_at), (next_due, next_at), (resolution_due, None)) if due and not at]
    )
    return Clocks(
        first_response_due=first_due,
        first_response_at=first_at,
        next_response_due=next_due,
        next_response_at=next_at,
        resolution_due=resolution_due,
        resolution_at=closed_at,
        due_at=min(running, default=None),
    )


def outcome(
    due: datetime | None, at: datetime | None, *, closed_at: datetime | None, now: datetime, paused: bool = False
) -> Outcome:
    """What became of one target: ``due`` and ``at`` (when it was met) as stored, judged at ``now``. A target
    without a due time is PAUSED when ``paused`` (a resolution clock standing still), else NONE (no such target)."""
    if due is None:
        if not paused:
            return Outcome.NONE
        return Outcome.PAUSED if closed_at is None else Outcome.MET
    if at is not None:
        return Outcome.MET if at <= due else Outcome.BREACHED
    end = closed_at or now
    if due < end:
        return Outcome.BREACHED
    return Outcome.STOPPED if closed_at is not None else Outcome.PENDING
