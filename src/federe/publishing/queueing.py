"""Channel queues: add and remove a channel's slots, and find the next free ones.

A slot is free on a channel when no other post of that channel is due then (a delivery that is not cancelled, of
any occurrence). A post added to the queue for several channels goes out at **one** instant (a post has one
``scheduled_at``): the earliest instant that is a slot of *every* chosen channel and free on each of them. Channels
with no time in common are refused in words; schedule such a post at a time, or queue it channel by channel.

``add_slots(connection, [(weekday, time), …])`` is the entry point for other features (best-time suggestions).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection
from federe.core import audit
from federe.publishing.checks import workspace_zone
from federe.publishing.models import Delivery, DeliveryState, QueueSlot
from federe.publishing.slots import Slot, upcoming

#: More slots than this on one channel is taken for a mistake (seven days of one slot every ten minutes).
MAX_SLOTS_PER_CHANNEL = 7 * 24 * 6


def _require(user: Any, workspace: Workspace) -> None:
    if user is not None:  # None: the operator at the command line, or another service
        require(user, workspace, Perm.PUBLISH)


def slots_of(connection: Connection) -> list[QueueSlot]:
    return list(QueueSlot.objects.filter(connection=connection).order_by("weekday", "at"))


def _slot_pairs(connection: Connection) -> list[Slot]:
    return [(s.weekday, s.at) for s in QueueSlot.objects.filter(connection=connection)]


@transaction.atomic
def add_slots(connection: Connection, slots: Iterable[tuple[int, time]], *, by: Any = None) -> list[QueueSlot]:
    """Add these (weekday, time) slots to the channel's queue (Monday is 0; seconds are dropped). Slots it already
    has are left as they are; returns the slots added."""
    workspace = connection.workspace
    _require(by, workspace)
    wanted: list[Slot] = []
    for weekday, at in slots:
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationError({"weekday": _("A day of the week is Monday to Sunday.")})
        pair = (weekday, at.replace(second=0, microsecond=0, tzinfo=None))
        if pair not in wanted:
            wanted.append(pair)
    existing = set(_slot_pairs(connection))
    new = [pair for pair in wanted if pair not in existing]
    if len(existing) + len(new) > MAX_SLOTS_PER_CHANNEL:
        raise ValidationError(
            ngettext(
                "A channel's queue holds at most %(max)d time a week.",
                "A channel's queue holds at most %(max)d times a week.",
                MAX_SLOTS_PER_CHANNEL,
            )
            % {"max": MAX_SLOTS_PER_CHANNEL}
        )
    added = QueueSlot.objects.bulk_create(
        [QueueSlot(workspace=workspace, connection=connection, weekday=d, at=t) for d, t in new]
    )
    if added:
        audit.record(
            "queue.slots_added",
            workspace=workspace,
            actor=by,
            target=connection,
            details={"count": len(added), "slots": [f"{d} {t:%H:%M}" for d, t in new][:50]},
        )
    return added


@transaction.atomic
def remove_slot(slot: QueueSlot, *, by: Any = None) -> None:
    """Take a time off the channel's queue; posts already placed there keep their time."""
    _require(by, slot.workspace)
    deleted, _rows = QueueSlot.objects.filter(pk=slot.pk).delete()
    if deleted:
        audit.record(
            "queue.slot_removed",
            workspace=slot.workspace,
            actor=by,
            target=slot.connection,
            details={"slot": f"{slot.weekday} {slot.at:%H:%M}"},
        )


def _taken(connections: Sequence[Connection], after: datetime, exclude_post: int | None) -> set[datetime]:
    rows = Delivery.objects.filter(connection__in=connections, due_at__gt=after).exclude(state=DeliveryState.CANCELLED)
    if exclude_post is not None:
        rows = rows.exclude(post_id=exclude_post)
    return set(rows.values_list("due_at", flat=True))


def next_free(
    connections: Sequence[Connection],
    *,
    count: int = 5,
    after: datetime | None = None,
    exclude_post: int | None = None,
    also_taken: Collection[datetime] = (),
) -> list[datetime]:
    """The next ``count`` instants (UTC) that are a slot of every channel given and free on each, after ``after``
    (now by default). ``exclude_post``: the post being placed does not hold a slot against itself; ``also_taken``:
    instants held by posts not saved yet (the rows above in an import)."""
    if not connections:
        return []
    workspace = connections[0].workspace
    zone = workspace_zone(workspace)
    after = after or timezone.now()
    common: set[Slot] | None = None
    for connection in connections:
        pairs = set(_slot_pairs(connection))
        common = pairs if common is None else common & pairs
    if not common:
        return []
    taken = _taken(connections, after, exclude_post) | set(also_taken)
    return list(islice((moment for moment in upcoming(common, zone, after) if moment not in taken), count))


def queue_time(
    workspace: Workspace,
    connection_ids: Sequence[int],
    *,
    exclude_post: int | None = None,
    also_taken: Collection[datetime] = (),
) -> datetime:
    """The time a post added to the queue of these channels goes out, or a refusal in words."""
    connections = list(Connection.objects.filter(workspace=workspace, pk__in=connection_ids).order_by("pk"))
    if not connection_ids or len(connections) != len(set(connection_ids)):
        raise ValidationError({"variants": [_("Choose at least one channel to publish on.")]})
    found = next_free(connections, count=1, exclude_post=exclude_post, also_taken=also_taken)
    if found:
        return found[0]
    if len(connections) == 1:
        message = _("%(channel)s has no free time in its queue: add times to its queue, or choose a time.") % {
            "channel": connections[0].name
        }
    else:
        message = _(
            "These channels have no free time in common in their queues: give them the same times, or choose a time."
        )
    raise ValidationError({"queue": [message]})


@transaction.atomic
def add_to_channels(
    workspace: Workspace, connection_ids: Sequence[int], slots: Sequence[tuple[int, time]], *, by: Any = None
) -> int:
    """The same times added to several channels of the workspace at once (all or nothing); the count added."""
    _require(by, workspace)
    connections = list(Connection.objects.filter(workspace=workspace, pk__in=connection_ids).order_by("pk"))
    if not connections or len(connections) != len(set(connection_ids)):
        raise ValidationError({"channels": [_("Choose at least one channel of this workspace.")]})
    return sum(len(add_slots(connection, slots, by=by)) for connection in connections)


def overview(workspace: Workspace, connections: Sequence[Connection], count: int = 5) -> list[ChannelQueue]:
    """Each channel with its slots and its next ``count`` free times (UTC)."""
    slots: dict[int, list[QueueSlot]] = {}
    for slot in QueueSlot.objects.filter(workspace=workspace).order_by("weekday", "at"):
        slots.setdefault(slot.connection_id, []).append(slot)
    return [
        ChannelQueue(c, slots.get(c.pk, []), next_free([c], count=count) if c.pk in slots else []) for c in connections
    ]


@dataclass
class ChannelQueue:
    connection: Connection
    slots: list[QueueSlot]
    upcoming: list[datetime]
