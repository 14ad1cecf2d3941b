"""A campaign's impact: each figure over the campaign so far and over its baseline (``windows.measured``: the
same length just before it), and whether the difference is more than normal variation (``stats``).

- **Mentions**: distinct messages matched by its listening queries (counts: rates over equal windows).
- **Negative tone**, **positive tone**: among those with a sentiment, the share that is negative, or positive
  (two-proportion test).
- **Share of voice**: the workspace's brand queries' distinct messages among its brand and competitor queries'
  (``listening.voice``'s definition), workspace-wide: what a campaign hopes to raise (two-proportion test).
- **Engagement per post**: its posts sent during the campaign against every post the brand sent in the baseline,
  each post's engagement as the best-time module counts it (answers in its first 48 h, or the network's counter
  when higher: ``publishing/besttime/observations.py``); rates per post.
- **New members**: persons first seen in the window. **Returning members**: persons first seen before it who wrote
  in it (inbound messages). Workspace-wide: a community's figures, which a campaign hopes to move.
- **Clicks**: clicks on its short links during the campaign, against clicks on every short link of the workspace
  in the baseline (days on the workspace's clock: clicks are counted per day); also per channel.
- **Cost per result**: money spent so far divided by the campaign's figure (``None`` when there is none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from federe.campaigns import membership
from federe.campaigns.models import Campaign
from federe.campaigns.stats import Comparison, compare_counts, compare_shares
from federe.campaigns.windows import Window, measured
from federe.core.money import CENT
from federe.inbox.models import Direction, Message
from federe.links.models import ClickCount
from federe.listening.models import VOICE_KINDS, Mention, QueryKind
from federe.people.models import Person
from federe.publishing.besttime import observations

COUNTS = ("mentions", "engagement", "new_members", "returning_members", "clicks")


@dataclass(frozen=True)
class Figure:
    key: str
    kind: str  # "count" (before/after are counts over equal windows), "share" (0..1), "per_post"
    before: float
    after: float
    comparison: Comparison
    total: float = 0.0  # the campaign's own total (for goals and cost per result): a count, or a share in %


@dataclass
class Impact:
    baseline: Window
    during: Window
    figures: dict[str, Figure] = field(default_factory=dict)
    clicks_per_channel: list[tuple[str, int, int]] = field(default_factory=list)  # (channel, before, after)
    spent: Decimal = Decimal(0)

    def cost_per(self, key: str) -> Decimal | None:
        figure = self.figures.get(key)
        if figure is None or not figure.total or key not in COUNTS:
            return None
        return (self.spent / Decimal(str(figure.total))).quantize(Decimal("0.01"))


def _count(after: int, before: int, key: str, days: tuple[float, float]) -> Figure:
    return Figure(key, "count", before, after, compare_counts(after, before, days[1], days[0]), total=after)


def _mention_figures(campaign: Campaign, windows: tuple[Window, Window]) -> list[Figure]:
    query_ids = list(membership.queries(campaign).values_list("pk", flat=True))
    seen = []
    for span in windows:
        rows = Mention.objects.filter(
            workspace_id=campaign.workspace_id,
            query_id__in=query_ids,
            posted_at__gte=span.start,
            posted_at__lt=span.end,
        )
        seen.append(
            rows.aggregate(
                total=Count("message_id", distinct=True),
                toned=Count(
                    "message_id", distinct=True, filter=Q(message__sentiment__in=["negative", "neutral", "positive"])
                ),
                negative=Count("message_id", distinct=True, filter=Q(message__sentiment="negative")),
                positive=Count("message_id", distinct=True, filter=Q(message__sentiment="positive")),
            )
        )
    before, after = seen
    days = (windows[0].days, windows[1].days)
    return [
        _count(after["total"], before["total"], "mentions", days),
        *(
            Figure(
                tone,
                "share",
                *_shares(compare_shares(after[tone], after["toned"], before[tone], before["toned"])),
                total=100 * after[tone] / after["toned"] if after["toned"] else 0.0,
            )
            for tone in ("negative", "positive")
        ),
    ]


def _shares(comparison: Comparison) -> tuple[float, float, Comparison]:
    return comparison.before, comparison.after, comparison


def _voice(campaign: Campaign, windows: tuple[Window, Window]) -> Figure:
    seen = []
    for span in windows:
        rows = Mention.objects.filter(
            workspace_id=campaign.workspace_id,
            query__kind__in=VOICE_KINDS,
            query__enabled=True,
            posted_at__gte=span.start,
            posted_at__lt=span.end,
        )
        seen.append(
            rows.aggregate(
                total=Count("message_id", distinct=True),
                brand=Count("message_id", distinct=True, filter=Q(query__kind=QueryKind.BRAND)),
            )
        )
    before, after = seen
    comparison = compare_shares(after["brand"], after["total"], before["brand"], before["total"])
    return Figure("share_of_voice", "share", *_shares(comparison), total=100 * comparison.after)


def _engagement(campaign: Campaign, windows: tuple[Window, Window]) -> Figure:
    workspace = campaign.workspace
    baseline, during = windows
    ours = {(c, e) for c, ids in membership.sent_posts(campaign).items() for e in ids}
    after = [
        p
        for p in observations.brand_posts(workspace, during.start, during.end, None)
        if (p.connection_id, p.external_id) in ours
    ]
    before = observations.brand_posts(workspace, baseline.start, baseline.end, None)
    sums = [sum(p.engagement for p in observations.with_engagement(workspace, found)) for found in (before, after)]
    if not after or not before:
        rate_before = sums[0] / len(before) if before else 0.0
        rate_after = sums[1] / len(after) if after else 0.0
        return Figure(
            "engagement", "per_post", rate_before, rate_after, Comparison(rate_before, rate_after, 1.0), total=sums[1]
        )
    comparison = compare_counts(sums[1], sums[0], len(after), len(before))
    return Figure("engagement", "per_post", comparison.before, comparison.after, comparison, total=sums[1])


def _members(campaign: Campaign, windows: tuple[Window, Window]) -> list[Figure]:
    people = Person.objects.filter(workspace_id=campaign.workspace_id, merged_into__isnull=True)
    new, returning = [], []
    for span in windows:
        new.append(people.filter(first_seen_at__gte=span.start, first_seen_at__lt=span.end).count())
        wrote = Message.objects.filter(
            workspace_id=campaign.workspace_id,
            direction=Direction.INBOUND,
            posted_at__gte=span.start,
            posted_at__lt=span.end,
            author__isnull=False,
        ).values("author__person_id")
        returning.append(people.filter(pk__in=wrote, first_seen_at__lt=span.start).count())
    days = (windows[0].days, windows[1].days)
    return [_count(new[1], new[0], "new_members", days), _count(returning[1], returning[0], "returning_members", days)]


def _clicks(campaign: Campaign, windows: tuple[Window, Window], impact: Impact) -> Figure:
    tz = campaign.workspace.timezone
    baseline, during = windows
    ours = ClickCount.objects.filter(
        link__in=membership.links(campaign), day__gte=during.first_day(tz), day__lte=during.last_day(tz)
    )
    everyone = ClickCount.objects.filter(
        link__workspace_id=campaign.workspace_id, day__gte=baseline.first_day(tz), day__lte=baseline.last_day(tz)
    )
    per_channel: dict[str, list[int]] = {}
    for index, rows in enumerate((everyone, ours)):
        for name, clicks in rows.values_list("link__connection__name").annotate(n=Coalesce(Sum("count"), 0)):
            per_channel.setdefault(name or "—", [0, 0])[index] += clicks
    impact.clicks_per_channel = sorted(((n, b, a) for n, (b, a) in per_channel.items()), key=lambda r: (-r[2], r[0]))
    before, after = (sum(row[i] for row in per_channel.values()) for i in (0, 1))
    return _count(after, before, "clicks", (baseline.days, during.days))


def measure(campaign: Campaign, now: datetime) -> Impact | None:
    """Every figure of the campaign so far against its baseline; None before it starts."""
    windows = measured(campaign.starts_on, campaign.ends_on, campaign.workspace.timezone, now)
    if windows is None:
        return None
    impact = Impact(
        *windows, spent=sum(campaign.budget_lines.values_list("spent", flat=True), Decimal(0)).quantize(CENT)
    )
    found = [
        *_mention_figures(campaign, windows),
        _voice(campaign, windows),
        _engagement(campaign, windows),
        *_members(campaign, windows),
        _clicks(campaign, windows, impact),
    ]
    impact.figures = {figure.key: figure for figure in found}
    return impact
