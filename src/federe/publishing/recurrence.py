"""Recurring posts: the n-th occurrence is computed from the first one on the workspace's clock (09:00 stays 09:00
across summer time; the 31st becomes the last day of a shorter month), never from when a worker ran."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from federe.publishing.models import Delivery, Post, Recurrence


def occurrence_at(first: datetime, recurrence: str, n: int, zone: ZoneInfo) -> datetime:
    """The time (UTC) of occurrence ``n`` (0 is ``first``). A wall-clock time that does not exist that day (the
    hour skipped in March) moves forward by the gap; one that happens twice (October) is the first."""
    if n == 0 or not recurrence:
        return first
    local = first.astimezone(zone).replace(tzinfo=None)
    if recurrence == Recurrence.DAILY:
        local += timedelta(days=n)
    elif recurrence == Recurrence.WEEKLY:
        local += timedelta(weeks=n)
    else:
        months = local.month - 1 + n
        year, month = local.year + months // 12, months % 12 + 1
        local = local.replace(year=year, month=month, day=min(local.day, calendar.monthrange(year, month)[1]))
    return local.replace(tzinfo=zone).astimezone(UTC)


def next_delivery(delivery: Delivery, post: Post, zone: ZoneInfo) -> Delivery | None:
    """The unsaved delivery of the same channel's next occurrence, or None when the series ends."""
    if not post.recurrence or post.scheduled_at is None:
        return None
    n = delivery.occurrence + 1
    try:
        due = occurrence_at(post.scheduled_at, post.recurrence, n, zone)
    except (OverflowError, ValueError):  # past year 9999
        return None
    if post.recurrence_until is not None and due > post.recurrence_until:
        return None
    return Delivery(
        workspace_id=delivery.workspace_id,
        post_id=delivery.post_id,
        variant_id=delivery.variant_id,
        connection_id=delivery.connection_id,
        occurrence=n,
        due_at=due,
        next_attempt_at=due,
    )
