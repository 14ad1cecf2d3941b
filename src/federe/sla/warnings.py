""" "About to breach": the worker's dispatcher calls :func:`warn_due` every few seconds. A target still running whose
due time is at most ``FEDERE_SLA_WARN_MINUTES`` away (or passed less than that long ago, should the worker have
been down) notifies the thread's assignee, or, when nobody is assigned, every member who may answer it. Each target
of a thread warns once (a next response once per customer message that started it); long-overdue threads, found
when a policy is first created, warn nobody: the inbox's "overdue" filter lists them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm
from federe.accounts.queries import members_who_can
from federe.notifications.models import Kind
from federe.notifications.services import notify
from federe.sla.models import Target, ThreadClock

BATCH = 200


def _window() -> timedelta:
    return timedelta(minutes=settings.FEDERE_SLA_WARN_MINUTES)


def _running(clock: ThreadClock) -> Iterator[tuple[str, str, datetime]]:
    """(target, warning key, due) of each target still running."""
    if clock.first_response_due and not clock.first_response_at:
        yield Target.FIRST_RESPONSE, Target.FIRST_RESPONSE, clock.first_response_due
    if clock.next_response_due and not clock.next_response_at and clock.waits:
        yield Target.NEXT_RESPONSE, f"{Target.NEXT_RESPONSE}:{clock.waits[-1][0]}", clock.next_response_due
    if clock.resolution_due and not clock.resolution_at:
        yield Target.RESOLUTION, Target.RESOLUTION, clock.resolution_due


def _recipients(clock: ThreadClock, cache: dict[int, list]) -> list:
    conv = clock.conversation
    if conv.assignee is not None:
        return [conv.assignee]
    if clock.workspace_id not in cache:
        members = members_who_can(Workspace(pk=clock.workspace_id), Perm.REPLY).select_related("user")
        cache[clock.workspace_id] = [m.user for m in members]
    return cache[clock.workspace_id]


def _due_between(start: datetime, end: datetime) -> Q:
    """A target not met whose due time is in [start, end] (the earliest one may have been warned already)."""
    either = Q()
    for target in Target.values:
        either |= Q(**{f"{target}_due__range": (start, end), f"{target}_at__isnull": True})
    return either


@transaction.atomic
def warn_due(now: datetime | None = None) -> int:
    """Notify of the targets about to breach (every workspace); returns how many warnings were sent."""
    now = now or timezone.now()
    window = _window()
    rows = (
        ThreadClock.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(_due_between(now - window, now + window), closed_at__isnull=True)
        .select_related("conversation__assignee", "conversation__workspace")
        .order_by("due_at")[:BATCH]
    )
    members: dict[int, list] = {}
    sent, changed = 0, []
    for clock in rows:
        fresh = [
            (t, key, due) for t, key, due in _running(clock) if abs(due - now) <= window and key not in clock.warned
        ]
        for target, key, due in fresh:
            notify(
                _recipients(clock, members),
                Kind.SLA_BREACH,
                workspace=clock.conversation.workspace,
                conversation=clock.conversation,
                params={"target": str(target), "due_at": due.isoformat()},
            )
            clock.warned = [*clock.warned, key]
            sent += 1
        if fresh:
            changed.append(clock)
    ThreadClock.objects.bulk_update(changed, ["warned"])
    return sent
