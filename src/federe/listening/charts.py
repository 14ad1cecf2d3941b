"""Share of voice as a picture: one stacked bar per period (the brand and each competitor), in SVG, no JavaScript."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.formats import date_format, number_format

# Colour-blind-safe palette (Okabe–Ito), the brand first.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass(frozen=True)
class Column:
    label: str
    show_label: bool
    total: int
    x: float
    width: float
    segments: list[Segment]


@dataclass(frozen=True)
class Legend:
    name: str
    color: str
    total: int
    share: float
    negative: float


@dataclass(frozen=True)
class VoiceChart:
    width: int
    height: int
    baseline: float
    columns: list[Column]
    legend: list[Legend]
    title: str


def voice_chart(
    points: Sequence, order: Sequence[str], *, title: str, width: int = 720, height: int = 220
) -> VoiceChart:
    """``points`` are VoicePoint rows (period, brand, total, negative...); ``order`` puts the brand first."""
    top, bottom = 16.0, 26.0
    plot = height - top - bottom
    periods = sorted({p.period for p in points})
    by_period: dict[datetime, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    negatives: dict[str, int] = defaultdict(int)
    for p in points:
        by_period[p.period][p.brand] = p.total
        totals[p.brand] += p.total
        negatives[p.brand] += p.negative
    colors = {brand: PALETTE[i % len(PALETTE)] for i, brand in enumerate(order)}
    peak = max((sum(v.values()) for v in by_period.values()), default=0) or 1
    slot = width / max(len(periods), 1)
    columns = []
    for index, period in enumerate(periods):
        x, w = index * slot + slot * 0.15, slot * 0.7
        y = top + plot
        segments = []
        label = date_format(period, "MONTH_DAY_FORMAT")
        for brand in order:
            value = by_period[period].get(brand, 0)
            if not value:
                continue
            h = plot * value / peak
            y -= h
            segments.append(
                Segment(x, y, w, h, colors[brand], f"{label} · {brand}: {number_format(value, force_grouping=True)}")
            )
        columns.append(
            Column(
                label,
                (len(periods) - 1 - index) % max(1, len(periods) // 8) == 0,
                sum(by_period[period].values()),
                x,
                w,
                segments,
            )
        )
    grand = sum(totals.values()) or 1
    legend = [
        Legend(
            brand,
            colors[brand],
            totals[brand],
            totals[brand] / grand,
            negatives[brand] / totals[brand] if totals[brand] else 0.0,
        )
        for brand in order
    ]
    return VoiceChart(width, height, top + plot, columns, legend, title)
