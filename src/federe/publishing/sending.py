"""Sending claimed deliveries: ``sending`` is committed before the network call, the answer after it.

A worker killed between the two leaves ``sending``; once its lease runs out ``ledger.recover`` makes it
``outcome_unknown`` and the next attempt resolves it without sending blind: the same key again on a network that
honours it (``Connector.publish_is_idempotent``), else ``Connector.find_published`` first, else a person checks.

A round costs a few transactions, not one per delivery (on SQLite each is a turn of the one write lock the
workers share): the claim and the move to ``sending`` are one, and the answers of a network that can tell what it
already has (``can_tell``) are written together (``Answers``) with the posts' statuses.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.connections.models import Connection
from federe.connections.runtime import connector_for
from federe.connectors.base import Connector
from federe.connectors.errors import ConnectorError
from federe.connectors.types import Media, OutgoingPost
from federe.core import audit
from federe.links.services import shorten_for_delivery
from federe.publishing import ledger, notices
from federe.publishing.answers import ACTOR, Answers, record_failure, record_sent, record_unknown, unresolvable
from federe.publishing.checks import workspace_zone
from federe.publishing.models import Approval, Delivery, DeliveryState, Post, PostStatus
from federe.publishing.models.deliveries import network_key
from federe.publishing.models.posts import RELEASED
from federe.publishing.recurrence import next_delivery


@dataclass
class Job:
    delivery: Delivery
    outgoing: OutgoingPost


def outgoing_post(delivery: Delivery) -> OutgoingPost:
    """What the connector gets; with the post's links made the channel's short links when the post asks for it
    (the same ones on every attempt: ``links.services.shorten_for_delivery``)."""
    variant, post = delivery.variant, delivery.post
    media = tuple(
        Media(path=Path(item.file.path), mime_type=item.mime, alt_text=item.alt_text) for item in post.media.all()
    )
    outgoing = OutgoingPost(
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
    return shorten_for_delivery(delivery, outgoing)


def start_sending(token: str) -> list[Job]:
    """Move the token's deliveries to ``sending`` (committed before any call), leaving out those whose post was
    cancelled or deleted meanwhile, and expiring those whose post is still not approved at its time."""
    jobs: list[Job] = []
    expired: set[int] = set()
    now = timezone.now()
    with transaction.atomic():
        held = _held(token)
        sending: list[Delivery] = []
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
                sending.append(delivery)
                jobs.append(Job(delivery, outgoing_post(delivery)))
        _mark_sending(sending, now)
        _next_occurrences([job.delivery for job in jobs])
        for post_id in expired:
            _expire(post_id)
    return jobs


def _held(token: str) -> list[Delivery]:
    """The token's claimed deliveries (locked), each with its variant, and its post, media and channel loaded once
    for the batch: a post goes to several channels, and each Post or Connection built is most of the cost."""
    held = list(
        Delivery.objects.select_for_update(of=("self",))
        .filter(claim_token=token, state=DeliveryState.CLAIMED)
        .select_related("variant")
    )
    posts = Post.objects.select_related("workspace").prefetch_related("media").in_bulk({d.post_id for d in held})
    channels = Connection.objects.in_bulk({d.connection_id for d in held})
    for delivery in held:
        delivery.post, delivery.connection = posts[delivery.post_id], channels[delivery.connection_id]
    return held


def _mark_sending(deliveries: list[Delivery], now: datetime) -> None:
    """Two statements for the batch (its state, then each row's key where it has none yet), committed with the
    rest before any call. Plain SQL: the ORM's bulk_update compiles a CASE per row, the worker's main cost."""
    if not deliveries:
        return
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        state=DeliveryState.SENDING, attempts=F("attempts") + 1, claimed_until=now + ledger.lease(), updated_at=now
    )
    missing = [(d.key, d.pk) for d in deliveries]
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Delivery._meta.db_table)
        key = connection.ops.quote_name("key")
        cursor.executemany(f"UPDATE {table} SET {key} = %s WHERE id = %s AND {key} = ''", missing)  # noqa: S608


def _next_occurrences(deliveries: list[Delivery]) -> None:
    """A recurring post's next occurrence, due from its schedule, exists as soon as this one is sent (once: the
    (variant, occurrence) pair is unique)."""
    following = []
    for delivery in deliveries:
        if delivery.post.recurrence:
            upcoming = next_delivery(delivery, delivery.post, workspace_zone(delivery.post.workspace))
            if upcoming is not None:
                following.append(upcoming)
    if following:
        Delivery.objects.bulk_create(following, ignore_conflicts=True)


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


def send(job: Job, connector: Connector, answers: Answers | None = None) -> str:
    """One network call at most, then its answer recorded (in ``answers`` when given and the network can tell
    what it already has, else at once); returns the delivery's new state."""
    delivery, outgoing = job.delivery, job.outgoing
    try:
        if delivery.uncertain and not type(connector).publish_is_idempotent:
            if not has_finder(connector):
                return unresolvable(delivery)
            found = connector.find_published(outgoing)
            if found is not None:  # rare (after a crash): recorded at once
                return record_sent(delivery, found, resolved=True)
        result = connector.publish(outgoing)
    except ConnectorError as exc:
        return record_failure(delivery, exc)
    except Exception as exc:  # an unexpected answer: the call may have gone through; never re-sent blind
        return record_unknown(delivery, str(exc)[:500])
    _crash_point()
    if answers is not None and can_tell(connector):
        answers.add(delivery, result)
        return DeliveryState.SENT
    return record_sent(delivery, result)


def has_finder(connector: Connector) -> bool:
    return type(connector).find_published is not Connector.find_published


def can_tell(connector: Connector) -> bool:
    """Whether a lost answer costs nothing but a look: the network honours the key, or can be searched for it.
    Only such answers wait to be written with others; on any other network a worker dying before the commit
    would leave a person to check each one."""
    return type(connector).publish_is_idempotent or has_finder(connector)


def _crash_point() -> None:
    """For the crash test only (FEDERE_TEST_CRASH_AFTER_PUBLISH, a probability; 0 in real use): die by SIGKILL
    between the network's answer and its commit, the worst moment."""
    chance = settings.FEDERE_TEST_CRASH_AFTER_PUBLISH
    if chance and random.random() < chance:
        os.kill(os.getpid(), signal.SIGKILL)


def publish_due(limit: int = 50) -> dict[str, int]:
    """One round of the worker's publisher: take back abandoned deliveries, claim due ones and move them to
    sending (one transaction), send them, then write their answers and their posts' statuses (one more)."""
    released, unknown = ledger.recover()
    if not ledger.any_due():
        return {"released": released, "unknown": unknown, "claimed": 0}
    with transaction.atomic():
        token, ids = ledger.claim_due(limit=limit)
        jobs = start_sending(token) if ids else []
    counts = {"released": released, "unknown": unknown, "claimed": len(ids)}
    if not ids:
        return counts
    connectors: dict[int, Connector] = {}  # a token a network hands out is stored at once (connections/runtime.py)
    answers = Answers()
    renew_every = ledger.lease().total_seconds() / 2
    renew_at, held = time.monotonic() + renew_every, None
    try:
        for job in jobs:
            if time.monotonic() >= renew_at:  # a long round: its lease is extended before it can run out
                held, renew_at = ledger.renew(token), time.monotonic() + renew_every
            if held is not None and job.delivery.pk not in held:  # taken back meanwhile: not ours to send
                continue
            channel = job.delivery.connection
            if channel.pk not in connectors:
                connectors[channel.pk] = connector_for(channel)
            state = send(job, connectors[channel.pk], answers)
            counts[state] = counts.get(state, 0) + 1
    finally:  # what the network said is written, even when a later call raised
        with transaction.atomic():
            answers.flush()
            refresh_status({job.delivery.post_id for job in jobs} | _posts_of(ids))
    return counts


def _posts_of(delivery_ids: Iterable[int]) -> set[int]:
    return set(Delivery.objects.filter(pk__in=list(delivery_ids)).values_list("post_id", flat=True))


def refresh_status(post_ids: Iterable[int]) -> None:
    from federe.publishing.status import refresh

    refresh(post_ids)
