"""What the real-server publishing tests share: a post scheduled now on chosen channels, published by the worker's
own round (``publish_due``), and a delivery put back as a worker killed between the network's answer and the commit
would have left it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from federe.connections.models import Connection
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Delivery, DeliveryState, Post
from federe.publishing.sending import publish_due
from federe.publishing.services import create_post


def schedule_now(workspace, owner, channels: list[Connection], title: str, body: str, **options) -> Post:
    variants = [VariantInput(connection_id=c.pk, options=dict(options)) for c in channels]
    data = PostInput(body=body, title=title, scheduled_at=timezone.now() - timedelta(seconds=1), variants=variants)
    return create_post(workspace, owner, data)


def publish(post: Post, rounds: int = 3) -> list[Delivery]:
    """The worker's rounds until the post's deliveries are all done (or ``rounds`` ran); its deliveries."""
    for _round in range(rounds):
        publish_due()
        pending = Delivery.objects.filter(post=post).exclude(state__in=(DeliveryState.SENT, DeliveryState.CANCELLED))
        if not pending.exists():
            break
    return list(Delivery.objects.filter(post=post).select_related("connection").order_by("id"))


def killed_after_the_call(delivery: Delivery) -> None:
    """As if the worker died after the network saved the post and before Fédère recorded it: still ``sending``,
    its lease run out, nothing of the answer kept. The next round takes it for abandoned (outcome unknown)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING,
        claimed_until=timezone.now() - timedelta(seconds=1),
        external_id="",
        url="",
        sent_at=None,
        next_attempt_at=None,
    )
