"""Writers that run side by side (two sync workers, the deep tier) on one PostgreSQL.

Two transactions that update the same rows in different orders deadlock, and PostgreSQL aborts one of them; a
transaction that lost is simply run again (``retried``). Writers that touch the same messages of a workspace take
its lock first (``lock_workspace``), so that meeting this way stays rare.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection, transaction

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Tries before a conflict is let through (it then fails like any other error).
ATTEMPTS = 4
#: Seconds of the first pause before a new try; each try waits up to twice as long, with jitter.
PAUSE = 0.05
#: SQLSTATEs of a transaction that lost to another: deadlock_detected, serialization_failure.
CONFLICTS = frozenset({"40P01", "40001"})
#: Advisory-lock namespace for a workspace's message writes (PostgreSQL); an arbitrary constant of Fédère's.
_LOCK_NAMESPACE = 0x57AE


def lost_to_another(error: BaseException) -> bool:
    """Whether the database aborted this transaction for another's sake (running it again will do)."""
    return getattr(error.__cause__, "sqlstate", None) in CONFLICTS


def retried(write: Callable[[], T]) -> T:
    """Run ``write`` in a transaction; when the database aborts it for another transaction, run it again."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as error:
            if attempt == ATTEMPTS or not lost_to_another(error):
                raise
            log.info(
                "a transaction lost to another (%s); try %d of %d",
                getattr(error.__cause__, "sqlstate", ""),
                attempt + 1,
                ATTEMPTS,
            )
            time.sleep(PAUSE * 2 ** (attempt - 1) * (1 + random.random()))
    raise AssertionError("unreachable")


def lock_workspace(workspace_id: int) -> None:
    """Hold the workspace's write lock until the transaction ends (PostgreSQL; SQLite has one writer anyway).

    Wave detection takes it (two pages of one workspace would update the same waves in different orders, or miss
    each other's near-duplicates), and so does the deep tier before it updates messages a wave may be re-scoring.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, workspace_id])


#: Memory for the sorts of a one-off statement over a whole workspace (``roomy_sorts``).
SORT_MEMORY = "64MB"


def roomy_sorts() -> None:
    """Let this transaction's sorts use SORT_MEMORY (PostgreSQL): a statement that sorts a workspace's every
    identity (the duplicate search) does it in memory, not in files, when the server's work_mem is the small
    default. Call inside the transaction; it ends with it."""
    if connection.vendor == "postgresql":
        assert connection.in_atomic_block, "SET LOCAL lasts only inside a transaction"
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
