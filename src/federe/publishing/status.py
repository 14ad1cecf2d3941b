"""A post's status follows its deliveries: published when every channel has it, partly published when some
failed for good, failed when none has it, publishing while some are still on their way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from federe.publishing.models import Delivery, DeliveryState, Post, PostStatus

#: Statuses a post's deliveries decide; a draft, a cancelled or an expired post keeps its own.
FOLLOWS_DELIVERIES = (
    PostStatus.SCHEDULED,
    PostStatus.PUBLISHING,
    PostStatus.PUBLISHED,
    PostStatus.PARTIAL,
    PostStatus.FAILED,
)
#: States in which something will happen by itself, whatever next_attempt_at says.
IN_FLIGHT = (DeliveryState.SCHEDULED, DeliveryState.CLAIMED, DeliveryState.SENDING)


def status_of(states: list[tuple[str, bool]]) -> str:
    """From each delivery's (state, whether something will still happen by itself)."""
    live = [(state, waiting) for state, waiting in states if state != DeliveryState.CANCELLED]
    sent = sum(1 for state, _ in live if state == DeliveryState.SENT)
    pending = sum(1 for state, waiting in live if state != DeliveryState.SENT and waiting)
    if not live:
        return PostStatus.CANCELLED
    if sent == len(live):
        return PostStatus.PUBLISHED
    if pending:
        return PostStatus.PUBLISHING if sent else PostStatus.SCHEDULED
    return PostStatus.PARTIAL if sent else PostStatus.FAILED


def refresh(post_ids: Iterable[int]) -> None:
    ids = list(post_ids)
    if not ids:
        return
    states: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    rows = Delivery.objects.filter(post_id__in=ids).values_list("post_id", "state", "next_attempt_at")
    for post_id, state, next_at in rows:
        states[post_id].append((state, state in IN_FLIGHT or next_at is not None))
    current = dict(Post.objects.filter(pk__in=ids, status__in=FOLLOWS_DELIVERIES).values_list("pk", "status"))
    changes: dict[str, list[int]] = defaultdict(list)
    for post_id, status in current.items():
        new = status_of(states.get(post_id, []))
        if new != status:
            changes[new].append(post_id)
    for status, changed in changes.items():
        Post.objects.filter(pk__in=changed, status__in=FOLLOWS_DELIVERIES).update(status=status)
