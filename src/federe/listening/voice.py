"""Share of voice and opinion leaders: what listening shows.

Share of voice counts, per period, the distinct messages that mention each brand. Only brand and competitor
queries enter it; each names the brand it counts for (``SavedQuery.brand``), so several queries may feed one
brand, and a message matched by several of them counts once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncDay, TruncWeek
from django.utils import timezone

from federe.core.csvexport import csv_text
from federe.listening.models import VOICE_KINDS, Mention, QueryKind, SavedQuery


@dataclass
class VoicePoint:
    period: datetime
    brand: str
    kind: str
    total: int
    negative: int
    neutral: int
    positive: int
    query_ids: list[int] = field(default_factory=list)


def voice_brands(workspace: Any) -> dict[str, tuple[str, list[int]]]:
    """Each brand of the enabled brand and competitor queries: its kind (brand wins over competitor) and queries,
    the brand first, then the competitors, by name."""
    brands: dict[str, tuple[str, list[int]]] = {}
    rows = SavedQuery.objects.filter(workspace=workspace, enabled=True, kind__in=VOICE_KINDS).exclude(brand="")
    for pk, brand, kind in rows.order_by("brand", "pk").values_list("pk", "brand", "kind"):
        known_kind, ids = brands.get(brand, (kind, []))
        brands[brand] = (QueryKind.BRAND if QueryKind.BRAND in (kind, known_kind) else kind, [*ids, pk])
    return dict(sorted(brands.items(), key=lambda entry: (entry[1][0] != QueryKind.BRAND, entry[0].casefold())))


def share_of_voice(
    workspace: Any,
    *,
    days: int = 30,
    by: str = "day",
    brands: dict[str, tuple[str, list[int]]] | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> list[VoicePoint]:
    """Distinct messages per brand and period, with the sentiment split; brand against competitors. ``brands`` is
    ``voice_brands(workspace)`` when the caller already read it (the dashboard also needs it for the chart).
    ``window`` (since, until) replaces the last ``days`` (the analytics dashboards' periods)."""
    brands = voice_brands(workspace) if brands is None else brands
    since, until = window or (timezone.now() - timedelta(days=days), None)
    trunc = TruncWeek if by == "week" else TruncDay

    def distinct(tone: str | None = None) -> Count:
        return Count("message_id", distinct=True, filter=Q(message__sentiment=tone) if tone else None)

    rows = (
        Mention.objects.filter(
            workspace=workspace, posted_at__gte=since, query__kind__in=VOICE_KINDS, query__enabled=True
        )
        .filter(**({"posted_at__lt": until} if until else {}))
        .exclude(query__brand="")
        .annotate(period=trunc("posted_at"))
        .values("period", "query__brand")
        .annotate(
            total=distinct(), negative=distinct("negative"), neutral=distinct("neutral"), positive=distinct("positive")
        )
        .order_by("period", "query__brand")
    )
    points = []
    for r in rows:
        kind, ids = brands.get(r["query__brand"], (QueryKind.COMPETITOR, []))
        points.append(
            VoicePoint(
                r["period"], r["query__brand"], kind, r["total"], r["negative"], r["neutral"], r["positive"], ids
            )
        )
    return points


def voice_csv(points: Sequence[VoicePoint], *, bom: bool = False) -> str:
    """The share of voice as CSV (core.csvexport: formulas neutralised; ``bom=True`` for downloads)."""
    totals: dict[datetime, int] = defaultdict(int)
    for p in points:
        totals[p.period] += p.total
    header = ["period", "brand", "kind", "mentions", "share", "negative", "neutral", "positive"]
    rows = (_cells(p, totals) for p in points)
    return csv_text(header, rows, bom=bom)


def _cells(p: VoicePoint, totals: dict[datetime, int]) -> tuple[object, ...]:
    share = p.total / totals[p.period] if totals[p.period] else 0
    return (p.period.date().isoformat(), p.brand, p.kind, p.total, f"{share:.3f}", p.negative, p.neutral, p.positive)


# Opinion leaders ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaderIdentity:
    network: str
    channel: str
    handle: str


@dataclass
class Leader:
    person_id: int
    name: str
    mentions: int
    reach: int
    engagement: int
    identities: list[LeaderIdentity] = field(default_factory=list)


LEADER_ORDERS = {
    "mentions": ("-mentions", "-engagement"),
    "reach": ("-reach", "-mentions"),
    "engagement": ("-engagement", "-mentions"),
}


def opinion_leaders(query: SavedQuery, *, days: int = 30, limit: int = 20, order: str = "mentions") -> list[Leader]:
    """Who drives the conversation on a query, person by person (all their identities together): by mentions, by
    the audience (reach, the largest the networks report) or by the response (engagement, summed)."""
    since = timezone.now() - timedelta(days=days)
    person = "message__author__person_id"
    rows = list(
        Mention.objects.filter(query=query, posted_at__gte=since, message__author__isnull=False)
        .values(person)
        .annotate(
            mentions=Count("pk"),
            reach=Coalesce(Max("message__reach"), 0),
            engagement=Coalesce(Sum("message__engagement"), 0),
        )
        .order_by(*LEADER_ORDERS.get(order, LEADER_ORDERS["mentions"]), person)[:limit]
    )
    ids = [r[person] for r in rows]
    people = _people_with_identities(query.workspace_id, ids)
    return [
        Leader(
            r[person], people[r[person]][0], r["mentions"], r["reach"] or 0, r["engagement"] or 0, people[r[person]][1]
        )
        for r in rows
    ]


def _people_with_identities(workspace_id: int, person_ids: list[int]) -> dict[int, tuple[str, list[LeaderIdentity]]]:
    from federe.people.models import Identity, Person

    names = dict(Person.objects.filter(workspace_id=workspace_id, pk__in=person_ids).values_list("pk", "display_name"))
    found: dict[int, tuple[str, list[LeaderIdentity]]] = {pk: (names.get(pk, ""), []) for pk in person_ids}
    identities = (
        Identity.objects.filter(workspace_id=workspace_id, person_id__in=person_ids)
        .select_related("connection")
        .order_by("connection__name", "handle", "pk")
    )
    for identity in identities:
        handle = identity.handle or identity.display_name or identity.external_id
        found[identity.person_id][1].append(
            LeaderIdentity(identity.connection.network_label, identity.connection.name, handle)
        )
    return {pk: (name or (ids[0].handle if ids else "?"), ids) for pk, (name, ids) in found.items()}
