"""How soon a polling channel is synced again: sooner while new messages arrive, later when it is quiet, and never
more often than a stated budget.

Pure (no database, no clock): ``connections.schedule.next_attempt`` reads the state from the Connection and calls
``after_sync`` at the end of each sync; ``connections.services`` stores what it returns.

- **Floor and ceiling.** A sync that stored something new brings the next one down to the floor (the network's
  ``active_sync_interval_seconds``); after ``GRACE`` quiet syncs in a row the delay doubles at each further quiet
  sync, up to the ceiling (the channel's ``sync_interval_seconds``, as before pacing existed). A successful sync's
  next delay is always within [floor, ceiling].
- **Budget.** A token bucket counts every sync (the ones Fédère schedules, and the ones a hook or "Sync now" asks
  for): it holds ``burst`` = budget / 6 tokens and refills at (budget - burst) per hour, and a scheduled sync waits
  until a token is there. So when syncs happen at the times this module gives (or later), any hour holds at most
  ``budget_per_hour`` syncs, whatever their outcomes. The budget is raised when needed so that the ceiling's own
  rate always fits (``Pace.budget``): a quiet channel is never polled less often than its interval.
- **Errors** keep their backoff (``error_delay``, decided by the caller): pacing may only make it longer (when the
  bucket is empty), and an error does not count as quiet or active.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Quiet syncs in a row still polled at the floor ("active in the last syncs").
GRACE = 2
#: Share of the hourly budget that may be spent at once, after a quiet spell.
BURST_SHARE = 6
MAX_QUIET = 1000  # stored as is; far past the ceiling already
_EPSILON = 1e-6  # seconds: float rounding must not let a sync in before its token


@dataclass(frozen=True)
class Pace:
    floor: float  # seconds between syncs while the channel is active
    ceiling: float  # seconds between syncs once it is quiet
    budget_per_hour: int  # syncs in any hour, at most (see ``budget``)

    @property
    def budget(self) -> int:
        """The stated budget, or more when the ceiling alone needs more (refill ≥ one sync per ceiling)."""
        needed = math.ceil(3600 / self.ceiling * BURST_SHARE / (BURST_SHARE - 1)) + 1
        return max(self.budget_per_hour, needed)

    @property
    def burst(self) -> float:
        return self.budget / BURST_SHARE

    @property
    def refill_per_second(self) -> float:
        return (self.budget - self.burst) / 3600


@dataclass(frozen=True)
class PaceState:
    quiet_syncs: int = 0  # syncs in a row that stored nothing new
    tokens: float | None = None  # the bucket after the last sync's charge; None: full (never synced)
    counted_at: float | None = None  # when ``tokens`` was counted (seconds since the epoch)


def wanted_delay(pace: Pace, quiet_syncs: int) -> float:
    """The delay activity alone asks for: the floor, doubling after GRACE quiet syncs, up to the ceiling."""
    floor = min(pace.floor, pace.ceiling)
    doublings = min(max(0, quiet_syncs - GRACE), 32)
    return min(pace.ceiling, floor * 2**doublings)


def after_sync(
    pace: Pace, state: PaceState, *, now: float, new_items: int, error_delay: float | None = None
) -> tuple[float, PaceState]:
    """The seconds until the next sync, and the state to store, for a sync that just ended at ``now``."""
    level = pace.burst if state.tokens is None else state.tokens
    if state.counted_at is not None:
        level += max(0.0, now - state.counted_at) * pace.refill_per_second
    level = min(pace.burst, level) - 1  # this sync's token
    wait = (1 - level) / pace.refill_per_second + _EPSILON if level < 1 else 0.0
    if error_delay is not None:
        delay = max(error_delay, wait)
        return delay, PaceState(quiet_syncs=state.quiet_syncs, tokens=level, counted_at=now)
    quiet = 0 if new_items > 0 else min(state.quiet_syncs + 1, MAX_QUIET)
    # The ceiling wins over the bucket: it only binds when syncs the network asked for (hooks) emptied it.
    delay = min(pace.ceiling, max(wanted_delay(pace, quiet), wait))
    return delay, PaceState(quiet_syncs=quiet, tokens=level, counted_at=now)
