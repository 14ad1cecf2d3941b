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
from django.db.models import Q, Subquery
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


def claim_due(now: datetime | None = None, limit: int = 50) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due deliveries, oldest first: a token and the ids it holds."""
    now = now or timezone.now()
    token = get_random_string(24)
    with transaction.atomic():
        due = Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "id")
        if connection.vendor == "postgresql":
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            rows = Delivery.objects.filter(pk__in=ids)
        else:  # SQLite: one statement inside BEGIN IMMEDIATE, nobody else writes meanwhile
            rows = Delivery.objects.filter(pk__in=Subquery(due.values("pk")[:limit]))
        claimed = rows.filter(_due(now)).update(
            state=DeliveryState.CLAIMED, claim_token=token, claimed_until=now + lease()
        )
    if not claimed:
        return token, []
    return token, list(Delivery.objects.filter(claim_token=token).values_list("pk", flat=True))


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
