"""Sending claimed deliveries: ``sending`` is committed before the network call, the answer after it.

A worker killed between the two leaves ``sending``; once its lease runs out ``ledger.recover`` makes it
``outcome_unknown`` and the next attempt resolves it without sending blind: the same key again on a network that
honours it (``Connector.publish_is_idempotent``), else ``Connector.find_published`` first, else a person checks.
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.connections.runtime import connector_for
from federe.connectors.base import Connector
from federe.connectors.errors import ConnectorError
from federe.connectors.types import Media, OutgoingPost, PublishResult
from federe.core import audit
from federe.publishing import ledger, notices
from federe.publishing.models import Approval, Delivery, DeliveryState, Post, PostStatus
from federe.publishing.models.deliveries import network_key
from federe.publishing.models.posts import RELEASED

ACTOR = "worker"


@dataclass
class Job:
    delivery: Delivery
    outgoing: OutgoingPost


def outgoing_post(delivery: Delivery) -> OutgoingPost:
    variant, post = delivery.variant, delivery.post
    media = tuple(
        Media(path=Path(item.file.path), mime_type=item.mime, alt_text=item.alt_text) for item in post.media.all()
    )
    return OutgoingPost(
        body_html=variant.body_html,
        body_text=variant.body_text,
        idempotency_key=delivery.network_key,
        title=variant.title,
        options=dict(variant.options),
        media=media,
        content_warning=variant.content_warning,
        visibility=variant.visibility,
        language=variant.language,
        publish_at=delivery.due_at,
    )


def start_sending(token: str) -> list[Job]:
    """Move the token's deliveries to ``sending`` (committed before any call), leaving out those whose post was
    cancelled or deleted meanwhile, and expiring those whose post is still not approved at its time."""
    jobs: list[Job] = []
    expired: set[int] = set()
    now = timezone.now()
    with transaction.atomic():
        held = (
            Delivery.objects.select_for_update(of=("self",))
            .filter(claim_token=token, state=DeliveryState.CLAIMED)
            .select_related("post", "variant", "connection")
        )
        for delivery in held:
            post = delivery.post
            if post.deleted_at is not None or post.status == PostStatus.CANCELLED:
                _cancel(delivery, _("The post was cancelled."))
            elif post.approval not in RELEASED:
                _cancel(delivery, _("Not published: the post was not approved by its publication time."))
                expired.add(post.pk)
            else:
                delivery.state, delivery.key = DeliveryState.SENDING, delivery.key or network_key(delivery.pk)
                delivery.attempts += 1
                delivery.claimed_until = now + ledger.lease()
                delivery.save(update_fields=["state", "key", "attempts", "claimed_until", "updated_at"])
                jobs.append(Job(delivery, outgoing_post(delivery)))
        for post_id in expired:
            _expire(post_id)
    return jobs


def _cancel(delivery: Delivery, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.CANCELLED, claim_token="", claimed_until=None, next_attempt_at=None, last_error=reason
    )


def _expire(post_id: int) -> None:
    rows = Post.objects.filter(pk=post_id).exclude(approval=Approval.EXPIRED)
    if rows.update(approval=Approval.EXPIRED, status=PostStatus.EXPIRED):
        post = Post.objects.get(pk=post_id)
        audit.record("post.expired", workspace=post.workspace_id, actor_label=ACTOR, target=post)
        transaction.on_commit(partial(notices.notify_author, post_id, notices.EXPIRED))


def send(job: Job, connector: Connector) -> str:
    """One network call at most, then its answer recorded; returns the delivery's new state."""
    delivery, outgoing = job.delivery, job.outgoing
    try:
        if delivery.uncertain and not type(connector).publish_is_idempotent:
            if not has_finder(connector):
                return _unresolvable(delivery)
            found = connector.find_published(outgoing)
            if found is not None:
                return _record_sent(delivery, found, resolved=True)
        result = connector.publish(outgoing)
    except ConnectorError as exc:
        return _record_failure(delivery, exc)
    except Exception as exc:  # an unexpected answer: the call may have gone through; never re-sent blind
        return _record_unknown(delivery, str(exc)[:500])
    _crash_point()
    return _record_sent(delivery, result)


def has_finder(connector: Connector) -> bool:
    return type(connector).find_published is not Connector.find_published


def _crash_point() -> None:
    """For the crash test only (FEDERE_TEST_CRASH_AFTER_PUBLISH, a probability; 0 in real use): die by SIGKILL
    between the network's answer and its commit, the worst moment."""
    chance = settings.FEDERE_TEST_CRASH_AFTER_PUBLISH
    if chance and random.random() < chance:
        os.kill(os.getpid(), signal.SIGKILL)


def _mine(delivery: Delivery) -> object:
    # The holder's own row: still sending, or taken for abandoned meanwhile (the answer is still the truth).
    return Delivery.objects.filter(pk=delivery.pk, state__in=(DeliveryState.SENDING, DeliveryState.OUTCOME_UNKNOWN))


@transaction.atomic
def _record_sent(delivery: Delivery, result: PublishResult, resolved: bool = False) -> str:
    now = timezone.now()
    _mine(delivery).update(  # type: ignore[attr-defined]
        state=DeliveryState.SENT,
        external_id=result.external_id[:500],
        url=result.url[:1000],
        sent_at=now,
        next_attempt_at=None,
        claimed_until=None,
        claim_token="",
        uncertain=False,
        last_error="",
    )
    verb = "delivery.resolved" if resolved else "delivery.sent"
    audit.record(
        verb,
        workspace=delivery.workspace_id,
        actor_label=ACTOR,
        target=delivery.post,
        details={"delivery": delivery.pk, "channel": delivery.connection_id, "external_id": result.external_id},
    )
    return DeliveryState.SENT


@transaction.atomic
def _record_failure(delivery: Delivery, exc: ConnectorError) -> str:
    give_up = not exc.retryable or delivery.attempts >= ledger.MAX_ATTEMPTS
    retry_after = getattr(exc, "retry_after", None)
    next_at = None if give_up else timezone.now() + ledger.retry_delay(delivery.attempts, retry_after)
    _mine(delivery).update(  # type: ignore[attr-defined]
        state=DeliveryState.FAILED,
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
def _record_unknown(delivery: Delivery, detail: str) -> str:
    now = timezone.now()
    _mine(delivery).update(  # type: ignore[attr-defined]
        state=DeliveryState.OUTCOME_UNKNOWN,
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
def _unresolvable(delivery: Delivery) -> str:
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


def publish_due(limit: int = 50) -> dict[str, int]:
    """One round of the worker's publisher: take back abandoned deliveries, claim due ones, send them."""
    released, unknown = ledger.recover()
    token, ids = ledger.claim_due(limit=limit)
    counts = {"released": released, "unknown": unknown, "claimed": len(ids)}
    if not ids:
        return counts
    jobs = start_sending(token)
    connectors: dict[int, Connector] = {}
    for job in jobs:
        connection = job.delivery.connection
        if connection.pk not in connectors:
            connectors[connection.pk] = connector_for(connection)
        state = send(job, connectors[connection.pk])
        counts[state] = counts.get(state, 0) + 1
    refresh_status({job.delivery.post_id for job in jobs} | _posts_of(ids))
    return counts


def _posts_of(delivery_ids: Iterable[int]) -> set[int]:
    return set(Delivery.objects.filter(pk__in=list(delivery_ids)).values_list("post_id", flat=True))


def refresh_status(post_ids: Iterable[int]) -> None:
    from federe.publishing.status import refresh

    refresh(post_ids)
