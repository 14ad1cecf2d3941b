"""Server-side SVG charts: no JavaScript, readable without colour, labelled for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import date_format

# About how wide one character of a label is, in the chart's units (labels are 10 to 11 px).
CHAR_WIDTH = 6.2


def fitted(label: str, room: float) -> str:
    """The label cut to the room under its bar, with an ellipsis; the whole label stays in the bar's title."""
    fits = int(room // CHAR_WIDTH)
    if len(label) <= fits:
        return label
    return label[: max(fits - 1, 1)].rstrip() + "…" if fits >= 2 else ""


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool
    short_label: str = ""  # what fits under the bar
    label_x: float = 0.0  # where the label is written: from its bar's left edge, or ending at its right edge
    label_anchor: str = "start"  # "end" when the label would run past the chart's right edge
    value_text: str = ""  # the value with thousands grouped, as the reader's language writes it

    # SVG lengths, written once here: "12.5" whatever the language (the template's floatformat filter, run for each
    # of a 90-day chart's bars, took most of the dashboard's rendering time).
    @property
    def svg_x(self) -> str:
        return f"{self.x:.1f}"

    @property
    def svg_y(self) -> str:
        return f"{self.y:.1f}"

    @property
    def svg_width(self) -> str:
        return f"{self.width:.1f}"

    @property
    def svg_height(self) -> str:
        return f"{self.height:.1f}"

    @property
    def svg_label_x(self) -> str:
        return f"{self.label_x:.1f}"


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    max_value: int
    baseline: float
    title: str


def bar_chart(points: Sequence[tuple[date, int]], *, title: str, width: int = 640, height: int = 180) -> BarChart:
    """One bar per day; about seven day labels, counted from the most recent."""
    step = max(1, len(points) // 7)
    labelled = [(date_format(day, "MONTH_DAY_FORMAT"), value) for day, value in points]
    shown = [(len(points) - 1 - index) % step == 0 for index in range(len(points))]
    room = width / max(len(points), 1) * step  # a day's label may use the room of the unlabelled days beside it
    return category_chart(labelled, title=title, width=width, height=height, shown=shown, label_room=room)


def category_chart(
    points: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 480,
    height: int = 180,
    shown: Sequence[bool] | None = None,
    label_room: float | None = None,
) -> BarChart:
    """One bar per labelled value; ``shown`` says which labels to print (all by default)."""
    top, bottom = 18.0, 26.0
    plot_height = height - top - bottom
    peak = max((value for _, value in points), default=0) or 1
    slot = width / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / peak
        x = index * slot + slot * 0.15
        short = fitted(label, label_room or slot * 0.95)
        past_the_edge = x + len(short) * CHAR_WIDTH > width
        bars.append(
            Bar(
                x=x,
                y=top + plot_height - bar_height,
                width=slot * 0.7,
                height=bar_height,
                value=value,
                label=label,
                show_label=shown[index] if shown is not None else True,
                short_label=short,
                label_x=x + slot * 0.7 if past_the_edge else x,
                label_anchor="end" if past_the_edge else "start",
                value_text=intcomma(value),
            )
        )
    return BarChart(width=width, height=height, bars=bars, max_value=peak, baseline=top + plot_height, title=title)
