"""What the best-time grid is made of, read from the workspace's rows (UTC times; ``grid.py`` buckets them).

**The brand's posts** in the window: its sent deliveries (``Delivery.sent_at``, ``external_id``) and the outbound
messages that start something (no parent: not the team's replies, whose time the community chose), once per
channel and network id. **Their engagement**: the community's messages on the same channel that answer the post
(their parent is the post, or their thread is the post's) in its first ``HOURS_AFTER`` hours; when the network
gives an engagement counter for the post (reposts + likes + replies, ``Message.engagement``) and it is higher,
the counter (it already counts the replies, so the two are never added).

**The community's activity**: its messages (inbound, not spam, not removed) by their own time.

Times are read as they are stored (UTC), for the window only, and bucketed in Python with ``zoneinfo`` (DST
included): each post's own time; the community's messages counted by the database per UTC quarter of an hour
first (``activity_observations`` says why that is exact). The same on SQLite and PostgreSQL. ``bench/besttime.py``
measures both at 100,000 messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connections
from django.db.models import CharField, Count, IntegerField, Q
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, ExtractMinute, Floor, Substr, TruncHour

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.inbox.models import Direction, Message
from federe.publishing.besttime.grid import Observation
from federe.publishing.models import Delivery, DeliveryState

HOURS_AFTER = 48
CHUNK = 500  # ids per IN (...) list: well under SQLite's bound on parameters
QUARTER = 15  # minutes


@dataclass
class BrandPost:
    connection_id: int
    external_id: str
    at: datetime
    counter: int = 0  # the network's engagement counter, when it gives one
    replies: int = 0

    @property
    def engagement(self) -> int:
        return max(self.replies, self.counter)


def brand_posts(workspace: Workspace, since: datetime, until: datetime, channel: Connection | None) -> list[BrandPost]:
    """The brand's posts published in [since, until), each once (``with_engagement`` counts their engagement)."""
    scope = {"workspace": workspace, **({"connection": channel} if channel else {})}
    posts: dict[tuple[int, str], BrandPost] = {}
    sent = (
        Delivery.objects.filter(state=DeliveryState.SENT, sent_at__gte=since, sent_at__lt=until, **scope)
        .exclude(external_id="")
        .values_list("connection_id", "external_id", "sent_at")
    )
    for connection_id, external_id, at in sent:
        if at is not None:  # always, given the filter; the column allows None
            posts.setdefault((connection_id, external_id), BrandPost(connection_id, external_id, at))
    outbound = Message.objects.filter(
        direction=Direction.OUTBOUND, parent_external_id="", posted_at__gte=since, posted_at__lt=until, **scope
    ).values_list("connection_id", "external_id", "posted_at")
    for connection_id, external_id, at in outbound:
        posts.setdefault((connection_id, external_id), BrandPost(connection_id, external_id, at))
    return sorted(posts.values(), key=lambda post: post.at)


def _chunks(keys: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]


def with_engagement(workspace: Workspace, found: list[BrandPost]) -> list[BrandPost]:
    """The same posts, each with the replies of its first hours and the network's counter of it when stored."""
    posts = {(post.connection_id, post.external_id): post for post in found}
    counted: set[tuple[int, str]] = set()  # an answer read again with another batch (its thread there) counts once
    for chunk in _chunks(list(posts)):
        ids = {external_id for _, external_id in chunk}
        connections = {connection_id for connection_id, _ in chunk}
        counters = Message.objects.filter(
            workspace=workspace, connection_id__in=connections, external_id__in=ids, engagement__isnull=False
        ).values_list("connection_id", "external_id", "engagement")
        for connection_id, external_id, engagement in counters:
            if (connection_id, external_id) in posts:
                posts[(connection_id, external_id)].counter = engagement or 0
        earliest = min(posts[key].at for key in chunk)
        latest = max(posts[key].at for key in chunk) + timedelta(hours=HOURS_AFTER)
        replies = (
            Message.objects.filter(
                workspace=workspace,
                connection_id__in=connections,
                direction=Direction.INBOUND,
                posted_at__gte=earliest,
                posted_at__lte=latest,
            )
            .filter(Q(parent_external_id__in=ids) | Q(conversation__external_id__in=ids))
            .values_list("connection_id", "external_id", "parent_external_id", "conversation__external_id", "posted_at")
        )
        for connection_id, external_id, parent, thread, at in replies:
            post = posts.get((connection_id, parent)) or posts.get((connection_id, thread))
            if (connection_id, external_id) in counted or not post or post.external_id == external_id:
                continue
            if post.at <= at <= post.at + timedelta(hours=HOURS_AFTER):
                counted.add((connection_id, external_id))
                post.replies += 1
    return found


def post_observations(posts: Iterable[BrandPost]) -> list[Observation]:
    return [Observation(post.at, float(post.engagement)) for post in posts]


def activity_observations(
    workspace: Workspace, since: datetime, until: datetime, channel: Connection | None
) -> list[Observation]:
    """The community's messages in [since, until), counted by the database per quarter of an hour in UTC.

    Every timezone in use today is a whole number of quarter hours away from UTC (+01:00, +05:30, +05:45…), so all
    the messages of one UTC quarter share one local hour, whatever the zone and its DST: the grid puts the quarter's
    count in that hour (``grid.local_slot`` of its start). The database returns at most 96 rows a day of the window
    instead of every message."""
    rows = Message.objects.filter(
        workspace=workspace, direction=Direction.INBOUND, posted_at__gte=since, posted_at__lt=until
    ).exclude(network_status__in=("spam", "removed"))
    if channel is not None:
        rows = rows.filter(connection=channel)
    hour, quarter = _utc_quarter(connections[rows.db].vendor)
    groups = (
        rows.annotate(hour=hour, quarter=quarter)
        .values("hour", "quarter")
        .annotate(messages=Count("id"))
        .order_by()
        .values_list("hour", "quarter", "messages")
    )
    return [
        Observation(_utc_hour(start) + timedelta(minutes=QUARTER * int(part)), float(messages), messages)
        for start, part, messages in groups
    ]


def _utc_quarter(vendor: str) -> tuple[Combinable, Combinable]:
    """The hour (truncated) and the quarter of that hour (0…3) of ``posted_at``, in UTC.

    SQLite holds Django's datetimes as UTC text, ``YYYY-MM-DD HH:MM:SS[.ffffff]``: grouping on that text is
    grouping in UTC, in C. (Django's TruncHour and ExtractMinute call a Python function per row there: about five
    times slower than reading every timestamp.) PostgreSQL truncates and extracts natively, in UTC."""
    if vendor == "sqlite":
        hour = Substr("posted_at", 1, 13, output_field=CharField())
        return hour, Cast(Substr("posted_at", 15, 2, output_field=CharField()), IntegerField()) / QUARTER
    return TruncHour("posted_at", tzinfo=UTC), Floor(ExtractMinute("posted_at", tzinfo=UTC) / QUARTER)


def _utc_hour(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite's "YYYY-MM-DD HH"
        return datetime.fromisoformat(f"{value[:10]}T{value[11:13]}:00:00").replace(tzinfo=UTC)
    return value.astimezone(UTC)
