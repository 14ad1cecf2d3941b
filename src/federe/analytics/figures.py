"""The dashboards' figures: pure reads of the summary tables (``models.py``), one function per figure family, each
taking a workspace id, a ``Period`` and an optional channel id (None: the whole workspace). The client reports and
the transparency report can call the same functions.

Definitions (a *member* is a person, all their identities together; only messages received from the community
count for members, never our replies; days are UTC days):

- **members**: persons who had written at least once (in the scope) before the end of the period.
- **new members**: persons whose first message in the scope falls within the period.
- **returning members**: returns within the period: a message from a person whose previous message in the scope
  was at least 30 days (``rollup.QUIET_DAYS``) earlier. A person who comes back twice counts twice.
- **gone quiet**: persons whose 30 days of silence ended within the period (their last message in the scope is
  between the period's start and end, each moved back 30 days) and who have not written since.
- **activity**: messages received from the community (whatever their status: a removed message was still written),
  of which replies to another message; our replies sent.
- **engagement rate** = Σ engagement ÷ Σ reach × 100, over the community's messages whose network reports both
  (``Message.reach``: the author's audience; ``Message.engagement``: reposts + likes + replies), i.e. reactions
  per 100 people reached; None when no network of the scope reports them. **Conversation rate** = community replies
  ÷ community messages × 100: how much the community answers itself.
- **response times**: ``sla.figures.response_figures`` (its docstring), on the threads started in the period, summed
  from each day's figures (``sla.daily``: first response times to the minute).
- **sentiment**: community messages per sentiment (the classifiers' or the deep tier's, once refined); unscored
  messages are in no bucket.
- **moderation volume**: verdicts (approve, hold, spam, remove, ban…; not labels or notices) made in the period, by
  action, by the first reason's kind, and by whether a rule or a person made them.
- **top posts**: threads started in the period with the most community messages (the post and every answer).
- **top members**: the highest engagement scores (``people.engagement``, as of now) among members whose first
  message is before the period's end and whose last is after its start.
- **share of voice**: distinct messages mentioning each brand in the period (``listening.voice``); workspace only,
  as watched feeds belong to no channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Sum

from federe.analytics.models import WHOLE, DailyCount, DailyDecision, MemberSpan, ThreadCount
from federe.analytics.period import Period
from federe.analytics.rollup import COUNTERS, QUIET_DAYS


def _scope(channel: int | None) -> int:
    return WHOLE if channel is None else channel


@dataclass(frozen=True)
class Days:
    """Each counter of ``DailyCount`` per day of the period (zero on quiet days), and their totals."""

    days: list[date]
    series: dict[str, list[int]]

    def total(self, name: str) -> int:
        return sum(self.series[name])


def days(workspace_id: int, period: Period, channel: int | None = None) -> Days:
    rows = DailyCount.objects.filter(
        workspace_id=workspace_id, scope=_scope(channel), day__gte=period.since, day__lt=period.until
    ).values("day", *COUNTERS)
    by_day = {row["day"]: row for row in rows}
    every = period.each_day()
    return Days(every, {name: [by_day[d][name] if d in by_day else 0 for d in every] for name in COUNTERS})


@dataclass(frozen=True)
class Growth:
    members: int
    new: int
    returning: int
    gone_quiet: int
    new_by_day: list[int] = field(default_factory=list)


def growth(workspace_id: int, period: Period, channel: int | None = None, counted: Days | None = None) -> Growth:
    counted = counted or days(workspace_id, period, channel)
    spans = MemberSpan.objects.filter(workspace_id=workspace_id, scope=_scope(channel))
    quiet = timedelta(days=QUIET_DAYS)
    return Growth(
        members=spans.filter(first_day__lt=period.until).count(),
        new=counted.total("new_members"),
        returning=counted.total("returning"),
        gone_quiet=spans.filter(last_day__gte=period.since - quiet, last_day__lt=period.until - quiet).count(),
        new_by_day=counted.series["new_members"],
    )


@dataclass(frozen=True)
class Activity:
    messages: int
    community_replies: int
    sent: int
    by_day: list[int]


def activity(workspace_id: int, period: Period, channel: int | None = None, counted: Days | None = None) -> Activity:
    counted = counted or days(workspace_id, period, channel)
    return Activity(
        counted.total("messages"), counted.total("community_replies"), counted.total("sent"), counted.series["messages"]
    )


@dataclass(frozen=True)
class Engagement:
    rate: float | None  # percent
    conversation_rate: float | None  # percent
    reach: int
    engagement: int


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def engagement(
    workspace_id: int, period: Period, channel: int | None = None, counted: Days | None = None
) -> Engagement:
    counted = counted or days(workspace_id, period, channel)
    reach, engaged = counted.total("reach"), counted.total("engagement")
    return Engagement(
        _percent(engaged, reach),
        _percent(counted.total("community_replies"), counted.total("messages")),
        reach,
        engaged,
    )


def sentiment(workspace_id: int, period: Period, channel: int | None = None, counted: Days | None = None) -> dict:
    counted = counted or days(workspace_id, period, channel)
    return {tone: counted.total(tone) for tone in ("positive", "neutral", "negative")}


def responses(workspace_id: int, period: Period, channel: int | None = None) -> Any:
    from federe.sla.daily import period_figures

    return period_figures(workspace_id, period.since, period.until, channel=channel)


@dataclass(frozen=True)
class Moderated:
    action: str
    reason: str
    automatic: bool
    count: int


def moderation(workspace_id: int, period: Period, channel: int | None = None) -> list[Moderated]:
    rows = (
        DailyDecision.objects.filter(
            workspace_id=workspace_id, scope=_scope(channel), day__gte=period.since, day__lt=period.until
        )
        .values("action", "reason", "automatic")
        .annotate(n=Sum("count"))
        .order_by("-n", "action", "reason")
    )
    return [Moderated(r["action"], r["reason"], r["automatic"], r["n"]) for r in rows if r["n"]]


@dataclass(frozen=True)
class TopPost:
    conversation_id: int
    title: str
    channel: str
    messages: int
    started_on: date


def top_posts(workspace_id: int, period: Period, channel: int | None = None, limit: int = 10) -> list[TopPost]:
    from federe.inbox.models import Conversation

    top = _top_threads(workspace_id, period, channel, limit)
    names = {
        pk: (title or f"#{external}", channel_name)
        for pk, title, external, channel_name in Conversation.objects.filter(
            workspace_id=workspace_id, pk__in=[t[0] for t in top]
        ).values_list("pk", "title", "external_id", "connection__name")
    }
    return [TopPost(pk, *names.get(pk, ("", "")), n, day) for pk, n, day in top if pk in names]


def _top_threads(workspace_id: int, period: Period, channel: int | None, limit: int) -> list[tuple[int, int, date]]:
    """(thread, messages, first day) of the busiest threads started in the period, busiest first (ties: oldest id).

    On PostgreSQL, each day's ``limit`` busiest from the index (a day's threads are in order there), then the best
    of those: the overall top is among them, and the cost follows the period's days, not its threads (a 90-day
    period of a large community holds 100,000 threads, which the plain query sorted at each request)."""
    threads = ThreadCount.objects.filter(
        workspace_id=workspace_id, started_on__gte=period.since, started_on__lt=period.until, messages__gt=0
    )
    if channel is not None:
        threads = threads.filter(scope=channel)
    if connection.vendor != "postgresql":
        ordered = threads.order_by("-messages", "conversation_id")
        return list(ordered.values_list("conversation_id", "messages", "started_on")[:limit])
    table = ThreadCount._meta.db_table
    in_scope = "AND t.scope = %s" if channel is not None else ""
    sql = (
        "SELECT top.conversation_id, top.messages, top.started_on "  # noqa: S608 (our table's name; values are parameters)
        "FROM generate_series(%s::date, %s::date, interval '1 day') AS d(day) CROSS JOIN LATERAL ("
        f"  SELECT t.conversation_id, t.messages, t.started_on FROM {table} t"
        f"  WHERE t.workspace_id = %s {in_scope} AND t.started_on = d.day::date AND t.messages > 0"
        "  ORDER BY t.messages DESC, t.conversation_id LIMIT %s"
        ") AS top ORDER BY top.messages DESC, top.conversation_id LIMIT %s"
    )
    params: list[Any] = [period.since, period.last, workspace_id, *([channel] if channel is not None else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(pk, n, day) for pk, n, day in cursor.fetchall()]


@dataclass(frozen=True)
class TopMember:
    person_id: int
    name: str
    score: float
    level: str


def top_members(workspace_id: int, period: Period, channel: int | None = None, limit: int = 10) -> list[TopMember]:
    from federe.people.models import Person

    active = MemberSpan.objects.filter(
        workspace_id=workspace_id, scope=_scope(channel), first_day__lt=period.until, last_day__gte=period.since
    ).values("person_id")
    persons = Person.objects.filter(workspace_id=workspace_id, merged_into__isnull=True, pk__in=active)
    rows = persons.order_by("-score", "id").values_list("pk", "display_name", "score", "level")[:limit]
    return [TopMember(pk, name, round(score, 1), level) for pk, name, score, level in rows]


@dataclass(frozen=True)
class Voice:
    brand: str
    mentions: int
    share: float  # percent of the brands' mentions


def share_of_voice(workspace_id: int, period: Period) -> list[Voice]:
    from federe.listening import voice

    totals: dict[str, int] = {}
    for point in voice.share_of_voice(workspace_id, window=period.instants()):
        totals[point.brand] = totals.get(point.brand, 0) + point.total
    whole = sum(totals.values())
    return [Voice(brand, n, round(100 * n / whole, 1)) for brand, n in totals.items()] if whole else []
