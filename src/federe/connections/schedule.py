"""When a channel is synced next: at its interval, at once when its fetch long-polls, paced by activity where its
network opts in (``pacing``), after a backoff when it failed; and how long the dispatcher may sleep meanwhile."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from federe.connections import pacing
from federe.connections.models import Connection, SyncState
from federe.connectors import registry
from federe.connectors.errors import ConnectorError, RateLimited, Unauthorized

MAX_BACKOFF = timedelta(hours=1)


def long_polls(connection: Connection) -> bool:
    """Whether the channel's fetch long-polls: its network's ``long_poll_seconds``, unless its config sets 0."""
    try:
        seconds = registry.connector_class(connection.network).long_poll_seconds
    except LookupError:
        return False
    return seconds > 0 and (connection.config or {}).get("long_poll_seconds", seconds) != 0


def error_backoff(connection: Connection, error: ConnectorError) -> timedelta:
    if isinstance(error, RateLimited) and error.retry_after:
        return timedelta(seconds=error.retry_after)
    if isinstance(error, Unauthorized):
        return MAX_BACKOFF
    backoff = timedelta(seconds=30 * 2 ** min(connection.consecutive_failures, 10))
    return min(backoff, MAX_BACKOFF)


def channel_pace(connection: Connection) -> pacing.Pace | None:
    """The channel's adaptive polling (connections.pacing), or None when its network polls at the interval only."""
    try:
        connector_cls = registry.connector_class(connection.network)
    except LookupError:
        return None
    floor = connector_cls.active_sync_interval_seconds
    if not floor or floor >= connection.sync_interval_seconds or long_polls(connection):
        return None
    return pacing.Pace(
        floor=floor, ceiling=connection.sync_interval_seconds, budget_per_hour=connector_cls.sync_budget_per_hour
    )


def next_attempt(
    connection: Connection, error: ConnectorError | None, now: datetime, new_items: int = 0
) -> tuple[datetime, dict[str, Any]]:
    """When to sync next, and the pacing fields to store with it."""
    if error is None and long_polls(connection):
        return now, {}  # its fetch waited for news: ask again at once (services.queue_if_due)
    pace = channel_pace(connection)
    if pace is None:
        if error is None:
            return now + timedelta(seconds=connection.sync_interval_seconds), {}
        return now + error_backoff(connection, error), {}
    state = pacing.PaceState(
        quiet_syncs=connection.quiet_syncs,
        tokens=connection.pace_tokens,
        counted_at=connection.pace_counted_at.timestamp() if connection.pace_counted_at else None,
    )
    seconds, state = pacing.after_sync(
        pace,
        state,
        now=now.timestamp(),
        new_items=new_items,
        error_delay=error_backoff(connection, error).total_seconds() if error else None,
    )
    fields = {"quiet_syncs": state.quiet_syncs, "pace_tokens": state.tokens, "pace_counted_at": now}
    return now + timedelta(seconds=seconds), fields


def seconds_to_next_sync(now: datetime | None = None) -> float | None:
    """Seconds until the earliest idle channel is due (0 or less: one is due now), None when none is scheduled.

    The worker's dispatcher sleeps until then when it is sooner than its round (``dispatch_wait``): a channel polled
    every few seconds is queued when it is due, not up to a whole round later."""
    now = now or timezone.now()
    earliest = (
        Connection.objects.filter(enabled=True, sync_state=SyncState.IDLE, next_sync_at__isnull=False)
        .order_by("next_sync_at")
        .values_list("next_sync_at", flat=True)
        .first()
    )
    return None if earliest is None else (earliest - now).total_seconds()


def dispatch_wait(every: float, next_sync_in: float | None, shortest: float = 0.2) -> float:
    """How long the dispatcher waits before its next round: its interval, or less when a channel is due sooner
    (never less than ``shortest``, so a due channel another dispatcher holds cannot make it spin)."""
    if next_sync_in is None:
        return every
    return max(shortest, min(every, next_sync_in))
