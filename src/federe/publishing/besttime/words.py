"""The best-time grid in words, in the reader's language: measures, slots, each cell's description."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import number_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from federe.publishing.besttime import MIN_POSTS, BestTime
from federe.publishing.besttime.grid import ACTIVITY, ENOUGH, POSTS, Cell, Grid
from federe.publishing.besttime.observations import HOURS_AFTER

MEASURE_LABELS = {
    "auto": gettext_lazy("Best available"),
    POSTS: gettext_lazy("When your posts got answers"),
    ACTIVITY: gettext_lazy("When your community is active"),
}


def hour_span(hour: int) -> str:
    return f"{time_format(time(hour), 'TIME_FORMAT')}–{time_format(time((hour + 1) % 24), 'TIME_FORMAT')}"


def slot_label(cell: Cell) -> str:
    return f"{WEEKDAYS[cell.weekday]} {hour_span(cell.hour)}"


def weekday_abbr(weekday: int) -> str:
    return str(WEEKDAYS_ABBR[weekday])


def counted(cell: Cell, measure: str) -> str:
    if measure == POSTS:
        return ngettext("%(count)s post", "%(count)s posts", cell.observations) % {"count": cell.observations}
    return ngettext("%(count)s message", "%(count)s messages", cell.observations) % {"count": cell.observations}


def score_words(cell: Cell, measure: str) -> str:
    value = number_format(cell.score or 0.0, 1)
    if measure == POSTS:
        return _("replies and reactions per post: %(value)s") % {"value": value}
    return _("messages per week: %(value)s") % {"value": value}


def cell_title(cell: Cell, measure: str) -> str:
    """What a cell holds, for its tooltip and screen readers."""
    head = f"{slot_label(cell)}: {counted(cell, measure)}"
    if not cell.observations:
        return head
    if not cell.enough:
        return _("%(cell)s, not enough to say") % {"cell": head}
    return f"{head}, {score_words(cell, measure)}"


def too_few_words(measure: str) -> str:
    if measure == POSTS:
        return ngettext(
            "Fewer than %(count)s post: not enough to say.", "Fewer than %(count)s posts: not enough to say.", ENOUGH
        ) % {"count": ENOUGH}
    return ngettext(
        "Fewer than %(count)s message: not enough to say.", "Fewer than %(count)s messages: not enough to say.", ENOUGH
    ) % {"count": ENOUGH}


def why_this_measure(result: BestTime) -> str:
    if result.fallback:
        return ngettext(
            "Your posts in this window: %(count)s, fewer than %(needed)s to learn from their answers, so this shows "
            "when your community writes instead.",
            "Your posts in this window: %(count)s, fewer than %(needed)s to learn from their answers, so this shows "
            "when your community writes instead.",
            result.posts,
        ) % {"count": result.posts, "needed": MIN_POSTS}
    if result.grid.measure == POSTS:
        return ngettext(
            "Learned from %(count)s of your posts: the answers each got in its first %(hours)s hours.",
            "Learned from %(count)s of your posts: the answers each got in its first %(hours)s hours.",
            result.posts,
        ) % {"count": result.posts, "hours": HOURS_AFTER}
    return _("Learned from your community's own messages, by the time they were written.")


@dataclass(frozen=True)
class ShownCell:
    cell: Cell
    title: str
    css: str
    suggested: bool


def shown_rows(grid: Grid) -> list[tuple[str, str, list[ShownCell]]]:
    """(abbreviated weekday, full weekday, cells) for the heat map, each cell with its tooltip and CSS class."""
    suggested = {(c.weekday, c.hour) for c in grid.suggestions}
    rows = []
    for weekday, cells in enumerate(grid.rows):
        shown = []
        for cell in cells:
            css = "heat-few" if cell.observations and not cell.enough else f"heat-{cell.level}"
            is_suggested = (cell.weekday, cell.hour) in suggested
            shown.append(ShownCell(cell, cell_title(cell, grid.measure), css, is_suggested))
        rows.append((weekday_abbr(weekday), str(WEEKDAYS[weekday]), shown))
    return rows


def as_text(result: BestTime, channel_name: str) -> list[str]:
    """The grid for a terminal: each cell's number of observations ("." for none, in brackets when too few,
    "*" after a suggested slot), then the suggested slots."""
    grid = result.grid
    lines = [
        f"{MEASURE_LABELS[grid.measure]} · {channel_name} · {grid.zone}",
        why_this_measure(result),
        too_few_words(grid.measure),
        "     " + "".join(f"{hour:>5}" for hour in range(24)),
    ]
    suggested = {(c.weekday, c.hour) for c in grid.suggestions}
    for weekday, cells in enumerate(grid.rows):
        marks = []
        for cell in cells:
            text = str(cell.observations) if cell.observations else "."
            text = text if cell.enough or not cell.observations else f"({text})"
            marks.append(f"{text}{'*' if (cell.weekday, cell.hour) in suggested else ' '}".rjust(5))
        lines.append(f"{weekday_abbr(weekday)[:4]:<5}" + "".join(marks))
    lines.append(_("Suggested slots:") if grid.suggestions else _("No slot to suggest yet: not enough data."))
    for cell in grid.suggestions:
        lines.append(f"  {slot_label(cell)}  {counted(cell, grid.measure)}, {score_words(cell, grid.measure)}")
    return lines
