"""The delivery ledger's moves that no network call is part of: claiming due deliveries atomically, and taking
back the ones a dead worker held.

Two workers never hold one delivery: on PostgreSQL the due rows are locked with ``SELECT … FOR UPDATE SKIP
LOCKED`` and moved to ``claimed`` with a token; on SQLite the same move is one conditional UPDATE inside the
``BEGIN IMMEDIATE`` transaction that makes writers take turns. Only the holder of the token moves the row on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from federe.publishing.models import Delivery, DeliveryState

#: States a worker may claim once their ``next_attempt_at`` has come.
CLAIMABLE = (DeliveryState.SCHEDULED, DeliveryState.FAILED, DeliveryState.OUTCOME_UNKNOWN)
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)


def lease() -> timedelta:
    """How long a claimed or sending delivery stays its worker's (FEDERE_PUBLISH_LEASE_SECONDS): longer than a
    network call may last, since a sending delivery whose lease ran out is taken for one whose worker died."""
    return timedelta(seconds=settings.FEDERE_PUBLISH_LEASE_SECONDS)


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """The network's Retry-After when it gave one; else 30 s after the first failure, doubling, at most an hour."""
    if retry_after is not None and retry_after > 0:
        return min(timedelta(seconds=retry_after), MAX_BACKOFF * 24)
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _due(now: datetime) -> Q:
    return Q(state__in=CLAIMABLE, next_attempt_at__lte=now)


def any_due(now: datetime | None = None) -> bool:
    """A plain read: whether anything is due, so that a round with nothing to do takes no write lock."""
    return Delivery.objects.filter(_due(now or timezone.now())).exists()


def claim_due(now: datetime | None = None, limit: int = 50) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due deliveries, oldest first, in one statement: a token and the ids it holds.

    ``WITH chosen AS (the oldest due ids) UPDATE … RETURNING id``: on PostgreSQL the inner SELECT locks them
    ``FOR UPDATE SKIP LOCKED`` (a second worker takes the next ones); on SQLite the statement runs inside
    ``BEGIN IMMEDIATE``, so nobody else writes meanwhile. The outer condition checks again that each is still due."""
    now = now or timezone.now()
    token = get_random_string(24)
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(Delivery._meta.db_table)
    due = "state IN (%s, %s, %s) AND next_attempt_at <= %s"
    due_params = [*(state.value for state in CLAIMABLE), adapt(now)]
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = (  # materialized: run once (inlined, PostgreSQL would run it again per row and claim more than limit)
        f"WITH chosen AS MATERIALIZED (SELECT id FROM {table} WHERE {due}"  # noqa: S608 - names are ours
        f" ORDER BY next_attempt_at, id LIMIT %s{lock})"
        f" UPDATE {table} SET state = %s, claim_token = %s, claimed_until = %s"
        f" WHERE id IN (SELECT id FROM chosen) AND {due} RETURNING id"
    )
    params = [*due_params, limit, DeliveryState.CLAIMED.value, token, adapt(now + lease()), *due_params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = sorted(row[0] for row in cursor.fetchall())
    return token, ids


def renew(token: str, now: datetime | None = None) -> set[int]:
    """Extend the lease of the token's deliveries still sending, and say which they are: a long round renews
    before half its lease has gone, and never calls for a delivery that is no longer its own."""
    now = now or timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(Delivery._meta.db_table)
    sql = f"UPDATE {table} SET claimed_until = %s WHERE claim_token = %s AND state = %s RETURNING id"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now + lease()), token, DeliveryState.SENDING.value])
        return {row[0] for row in cursor.fetchall()}


def recover(now: datetime | None = None) -> tuple[int, int]:
    """Take back what dead workers held: a claimed delivery never reached the network (scheduled again, due at
    once); a sending one may have (outcome unknown: the next attempt looks before it sends). Reads first, so that
    the usual round, with nothing abandoned, takes no write lock."""
    now = now or timezone.now()
    abandoned = Q(state__in=(DeliveryState.CLAIMED, DeliveryState.SENDING), claimed_until__lt=now)
    if not Delivery.objects.filter(abandoned).exists():
        return 0, 0
    with transaction.atomic():
        released = Delivery.objects.filter(state=DeliveryState.CLAIMED, claimed_until__lt=now).update(
            state=DeliveryState.SCHEDULED, claim_token="", claimed_until=None
        )
        unknown = Delivery.objects.filter(state=DeliveryState.SENDING, claimed_until__lt=now).update(
            state=DeliveryState.OUTCOME_UNKNOWN,
            uncertain=True,
            claim_token="",
            claimed_until=None,
            next_attempt_at=now,
            last_error=_("The worker stopped while sending: Fédère checks on the network before sending it again."),
        )
    return released, unknown
