"""A thread's SLA clocks in words, in the reader's language: "2 h 10 min left", "overdue by 35 min"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.sla.clocks import Outcome, outcome
from federe.sla.models import Target, ThreadClock


def duration(span: timedelta) -> str:
    """To the nearest minute (at least one), in at most two units: "3 days 4 h", "2 h 10 min", "1 min"."""
    minutes = max(1, round(span.total_seconds() / 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours and len(parts) < 2:
        parts.append(ngettext("%(count)d h", "%(count)d h", hours) % {"count": hours})
    if minutes and not days:
        parts.append(ngettext("%(count)d min", "%(count)d min", minutes) % {"count": minutes})
    return " ".join(parts)


def time_left(due: datetime, now: datetime) -> str:
    if due >= now:
        return _("%(duration)s left") % {"duration": duration(due - now)}
    return _("overdue by %(duration)s") % {"duration": duration(now - due)}


@dataclass(frozen=True)
class Line:
    target: str  # a Target value
    label: str
    state: Outcome
    words: str


def _state_words(state: Outcome, due: datetime | None, now: datetime) -> str:
    if state == Outcome.MET:
        return _("met")
    if state == Outcome.STOPPED:
        return _("stopped when closed")
    if state == Outcome.PAUSED:
        return _("paused: waiting on the customer")
    if due is not None and state in (Outcome.PENDING, Outcome.BREACHED):
        return time_left(due, now) if state == Outcome.PENDING else _("missed")
    return ""


def lines(clock: ThreadClock, now: datetime) -> list[Line]:
    """Each target of the thread's policy, what became of it, in words (the running ones with the time left)."""
    policy = clock.policy
    if policy is None:
        return []
    rows = [
        (Target.FIRST_RESPONSE, policy.first_response_minutes, clock.first_response_due, clock.first_response_at),
        (Target.NEXT_RESPONSE, policy.next_response_minutes, clock.next_response_due, clock.next_response_at),
        (Target.RESOLUTION, policy.resolution_minutes, clock.resolution_due, clock.resolution_at),
    ]
    out = []
    for target, minutes, due, at in rows:
        paused = target == Target.RESOLUTION and minutes is not None and bool(clock.waits)
        state = outcome(due, at, closed_at=clock.closed_at, now=now, paused=paused)
        if minutes is None or state == Outcome.NONE:
            continue
        words = _state_words(state, due, now)
        if state == Outcome.BREACHED and at is None and clock.closed_at is None and due is not None:
            words = time_left(due, now)  # still running: "overdue by …"
        out.append(Line(target, str(Target(target).label), state, words))
    return out


def left_words(clock: ThreadClock | None, now: datetime) -> str:
    """The list's short word for a thread: its nearest running due time, left or overdue; "" when none."""
    if clock is None or clock.due_at is None:
        return ""
    return time_left(clock.due_at, now)
