"""Recording the network's answers on the ledger: each on the holder's own row, in one plain UPDATE.

A failure, an unknown outcome, or an answer from a network that cannot tell what it already has is committed at
once. The "sent" answers of a network that can (``sending.can_tell``) wait in ``Answers`` and are written together.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.connectors.errors import ConnectorError
from federe.connectors.types import PublishResult
from federe.core import audit
from federe.publishing import ledger, notices
from federe.publishing.models import Delivery, DeliveryState
from federe.webhooks import announce as webhooks_announce

ACTOR = "worker"
#: A round's answers are written together once this many have come, or this many seconds after the first.
FLUSH_EVERY = 50
FLUSH_SECONDS = 1.0


def _write(delivery: Delivery, **values: Any) -> int:
    return _write_rows([(delivery.pk, values)])


def _write_rows(rows: list[tuple[int, dict[str, Any]]]) -> int:
    """Record answers on the holders' own rows (each row: its id and the same column names): still sending, or
    taken for abandoned meanwhile (the answer is still the truth). One plain UPDATE, run for every row: the ORM's
    compiling of it was most of a send's cost."""
    if not rows:
        return 0
    now = timezone.now()
    names = [*rows[0][1], "updated_at"]
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(Delivery._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in names)
    params = [
        [
            *(adapt(v) if isinstance(v, datetime) else v for v in (*values.values(), now)),
            pk,
            DeliveryState.SENDING.value,
            DeliveryState.OUTCOME_UNKNOWN.value,
        ]
        for pk, values in rows
    ]
    with connection.cursor() as cursor:
        sql = f"UPDATE {table} SET {columns} WHERE id = %s AND state IN (%s, %s)"  # noqa: S608 - names are ours
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
        return cursor.rowcount


def _sent(result: PublishResult) -> dict[str, Any]:
    return {
        "state": DeliveryState.SENT.value,
        "external_id": result.external_id[:500],
        "url": result.url[:1000],
        "sent_at": timezone.now(),
        "next_attempt_at": None,
        "claimed_until": None,
        "claim_token": "",
        "uncertain": False,
        "last_error": result.notice[:2000],  # what the network did with it, when not simply public (held)
    }


def _sent_event(delivery: Delivery, result: PublishResult, resolved: bool = False) -> audit.Event:
    return audit.Event(
        "delivery.resolved" if resolved else "delivery.sent",
        workspace=delivery.workspace_id,
        actor_label=ACTOR,
        target=delivery.post,
        details={"delivery": delivery.pk, "channel": delivery.connection_id, "external_id": result.external_id},
    )


@transaction.atomic
def record_sent(delivery: Delivery, result: PublishResult, resolved: bool = False) -> str:
    _write(delivery, **_sent(result))
    audit.insert_many([_sent_event(delivery, result, resolved)])
    webhooks_announce.posts_published([(delivery, result)])
    return DeliveryState.SENT


@dataclass
class Answers:
    """A round's "sent" answers, written together: one statement for the rows (each with the time its own answer
    came), one for their audit lines, in one transaction (``flush``), at the latest after ``FLUSH_EVERY`` answers
    or ``FLUSH_SECONDS``. Until then the rows say ``sending``: a worker dying meanwhile leaves them to
    ``ledger.recover``, and the next attempt finds them on the network (``can_tell``), never sending twice."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    events: list[audit.Event] = field(default_factory=list)
    sent: list[tuple[Delivery, PublishResult]] = field(default_factory=list)  # for the webhooks' events
    since: float = 0.0

    def add(self, delivery: Delivery, result: PublishResult) -> None:
        if not self.rows:
            self.since = time.monotonic()
        self.rows.append((delivery.pk, _sent(result)))
        self.events.append(_sent_event(delivery, result))
        self.sent.append((delivery, result))
        if len(self.rows) >= FLUSH_EVERY or time.monotonic() - self.since >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with transaction.atomic():
            _write_rows(self.rows)
            audit.insert_many(self.events)
            webhooks_announce.posts_published(self.sent)
        self.rows, self.events, self.sent = [], [], []


@transaction.atomic
def record_failure(delivery: Delivery, exc: ConnectorError) -> str:
    give_up = not exc.retryable or delivery.attempts >= ledger.MAX_ATTEMPTS
    retry_after = getattr(exc, "retry_after", None)
    next_at = None if give_up else timezone.now() + ledger.retry_delay(delivery.attempts, retry_after)
    _write(
        delivery,
        state=DeliveryState.FAILED.value,
        next_attempt_at=next_at,
        claimed_until=None,
        claim_token="",
        last_error=exc.message[:2000],
    )
    audit.record(
        "delivery.failed",
        workspace=delivery.workspace_id,
        actor_label=ACTOR,
        target=delivery.post,
        details={"delivery": delivery.pk, "channel": delivery.connection_id, "final": give_up},
    )
    if give_up:
        transaction.on_commit(partial(notices.notify_author, delivery.post_id, notices.FAILED, delivery.pk))
    return DeliveryState.FAILED


@transaction.atomic
def record_unknown(delivery: Delivery, detail: str) -> str:
    now = timezone.now()
    _write(
        delivery,
        state=DeliveryState.OUTCOME_UNKNOWN.value,
        uncertain=True,
        next_attempt_at=now + ledger.retry_delay(delivery.attempts),
        claimed_until=None,
        claim_token="",
        last_error=_("The network's answer could not be understood: %(detail)s") % {"detail": detail},
    )
    audit.record(
        "delivery.outcome_unknown",
        workspace=delivery.workspace_id,
        actor_label=ACTOR,
        target=delivery.post,
        details={"delivery": delivery.pk, "channel": delivery.connection_id},
    )
    return DeliveryState.OUTCOME_UNKNOWN


@transaction.atomic
def unresolvable(delivery: Delivery) -> str:
    """Outcome unknown on a network that neither honours the key nor can be searched: a person checks."""
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(
        state=DeliveryState.OUTCOME_UNKNOWN,
        attempts=F("attempts") - 1,  # nothing was sent this time
        next_attempt_at=None,
        claimed_until=None,
        claim_token="",
        last_error=_("We cannot tell whether it was published, and this network cannot be searched: please check."),
    )
    transaction.on_commit(partial(notices.notify_author, delivery.post_id, notices.UNKNOWN, delivery.pk))
    return DeliveryState.OUTCOME_UNKNOWN
