"""Server-side SVG charts: no JavaScript, readable without colour, labelled for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    max_value: int
    baseline: float
    title: str


def bar_chart(points: Sequence[tuple[date, int]], *, title: str, width: int = 640, height: int = 180) -> BarChart:
    top, bottom = 18.0, 26.0
    plot_height = height - top - bottom
    peak = max((value for _, value in points), default=0) or 1
    slot = width / max(len(points), 1)
    bars = []
    for index, (day, value) in enumerate(points):
        bar_height = plot_height * value / peak
        bars.append(
            Bar(
                x=index * slot + slot * 0.15,
                y=top + plot_height - bar_height,
                width=slot * 0.7,
                height=bar_height,
                value=value,
                label=date_format(day, "j M"),
                show_label=(len(points) - 1 - index) % max(1, len(points) // 7) == 0,
            )
        )
    return BarChart(width=width, height=height, bars=bars, max_value=peak, baseline=top + plot_height, title=title)
