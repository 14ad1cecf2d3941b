"""What the calendar places between two instants: the workspace's posts with a time (deleted and cancelled ones left
out), and the later occurrences of recurring posts, computed by ``recurrence.occurrence_at`` on the workspace's
clock. An occurrence that already has deliveries shows their state (sent: published); one still to come repeats
the post's own state, marked as a repeat."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from federe.accounts.models import Workspace
from federe.publishing.calendar import Entry
from federe.publishing.checks import workspace_zone
from federe.publishing.models import Delivery, Post, PostStatus
from federe.publishing.recurrence import occurrence_at
from federe.publishing.services import may_move
from federe.publishing.shown import State, state_key
from federe.publishing.status import IN_FLIGHT, status_of

#: At most this many occurrences of one recurring post in one view (a daily post shows 42 in a month view).
MAX_OCCURRENCES = 62
FIRST_WORDS = 8


@dataclass(frozen=True)
class ChannelTag:
    name: str
    network: str  # the network's key (its icon's class)
    label: str  # the network's name


@dataclass(frozen=True)
class Chip:
    """A post (or one of its repeats) as the calendar shows it."""

    post: Post
    words: str
    channels: tuple[ChannelTag, ...]
    state: State
    movable: bool


def first_words(post: Post, count: int = FIRST_WORDS) -> str:
    words = re.split(r"\s+", (post.title or post.body or "").strip())
    text = " ".join(words[:count])
    return text + "…" if len(words) > count else text


def gather(
    workspace: Workspace, start: datetime, end: datetime, *, channel_id: int | None = None, may_edit: bool = False
) -> list[Entry]:
    """The entries of the workspace between ``start`` and ``end`` (UTC), on one channel when ``channel_id``."""
    zone = workspace_zone(workspace)
    rows = Post.objects.filter(workspace=workspace, deleted_at__isnull=True, scheduled_at__isnull=False).exclude(
        status=PostStatus.CANCELLED
    )
    if channel_id is not None:
        rows = rows.filter(variants__connection_id=channel_id)
    rows = rows.filter(
        Q(scheduled_at__gte=start, scheduled_at__lt=end) | (~Q(recurrence="") & Q(scheduled_at__lt=end))
    ).exclude(~Q(recurrence="") & Q(recurrence_until__lt=start))
    posts = list(rows.distinct().prefetch_related("variants__connection").order_by("scheduled_at", "id")[:2000])
    done = _occurrence_states([p.pk for p in posts if p.recurrence])
    entries = []
    for post in posts:
        chip = _chip(post, may_edit)
        assert post.scheduled_at is not None
        if start <= post.scheduled_at < end:
            entries.append(Entry(post.pk, post.scheduled_at, 0, chip))
        if post.recurrence:
            for n, at in _occurrences(post, start, end, zone):
                # A repeat moves with its post (drag the post itself); it shows its own deliveries' state.
                state = done.get((post.pk, n), chip.state)
                entries.append(Entry(post.pk, at, n, Chip(chip.post, chip.words, chip.channels, state, False)))
    return entries


def _chip(post: Post, may_edit: bool) -> Chip:
    channels = tuple(
        ChannelTag(v.connection.name, v.connection.network, v.connection.network_label) for v in post.variants.all()
    )
    return Chip(
        post, first_words(post), channels, State(state_key(post.status, post.approval)), may_edit and may_move(post)
    )


def _occurrences(post: Post, start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[int, datetime]]:
    """The repeats (n ≥ 1) of ``post`` in [start, end), found from an estimate of the first one's number."""
    assert post.scheduled_at is not None
    days = (start - post.scheduled_at).days
    # An estimate that never overshoots: a month is counted as 31 days (28 would skip repeats of an old series).
    per = {"daily": 1, "weekly": 7}.get(post.recurrence, 31)
    n = max(1, days // per - 2)
    found: list[tuple[int, datetime]] = []
    while len(found) < MAX_OCCURRENCES:
        try:
            at = occurrence_at(post.scheduled_at, post.recurrence, n, zone)
        except (OverflowError, ValueError):
            break
        if at >= end or (post.recurrence_until is not None and at > post.recurrence_until):
            break
        if at >= start:
            found.append((n, at))
        n += 1
    return found


def _occurrence_states(post_ids: list[int]) -> dict[tuple[int, int], State]:
    """The state of each repeat that has deliveries, from them (all sent: published)."""
    if not post_ids:
        return {}
    states: dict[tuple[int, int], list[tuple[str, bool]]] = defaultdict(list)
    rows = Delivery.objects.filter(post_id__in=post_ids, occurrence__gt=0).values_list(
        "post_id", "occurrence", "state", "next_attempt_at"
    )
    for post_id, n, state, next_at in rows:
        states[(post_id, n)].append((state, state in IN_FLIGHT or next_at is not None))
    return {key: State(state_key(status_of(value), "")) for key, value in states.items()}


def channel_choices(workspace: Workspace) -> list[tuple[int, str]]:
    from federe.connections.models import Connection

    return list(Connection.objects.filter(workspace=workspace).order_by("name").values_list("pk", "name"))
