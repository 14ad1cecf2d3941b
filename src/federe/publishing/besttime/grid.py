"""The best-time grid, pure: observations (a UTC time and a value) into 7 × 24 cells of the workspace's clock,
each with its number of observations, a score, and whether there are enough observations to say anything.

No database here: ``observations.py`` reads the rows, this module decides (tested without a database).

**Bucketing.** Each time is converted to the workspace's zone with ``zoneinfo`` before its weekday and hour are
taken, so the summer and winter offsets of one zone both land in the local hour (02:30 UTC is 04:30 in Paris in
July and 03:30 in January). Monday is row 0.

**Score, measure "posts"** (when your posts got answers): each observation is one of the brand's posts and its
value the engagement it got (see ``observations.py``). A cell's score is its mean engagement per post shrunk
towards the overall mean ``m`` of the window::

    score = (sum of the cell's engagement + PRIOR × m) / (posts in the cell + PRIOR)

with ``PRIOR = 5``: a cell counts as if it also held 5 average posts. One lucky post in an empty hour moves the
score a little, not to the top; eight posts at the same hour move it most of the way to their own mean.

**Score, measure "activity"** (when your community is active, the fallback): each observation is one message
from the community; a cell's score is its messages per week of the window.

**Too few.** A cell with fewer than ``ENOUGH = 5`` observations (posts, or messages) is shown hatched with its
count and is never suggested. Why 5: engagement per post is a count with a spread about as large as its mean, so
the mean of n posts is off by about mean/√n; at 5 posts that is ±45 %, about the gap between an ordinary and a
good hour; below that, one post decides the cell. It is also the least that repeats a weekly habit more than
once a month over the shortest window (4 weeks).

**Suggested slots.** The cells with enough observations whose score is above the mean of the window, best
first (more observations first on a tie), at most ``SUGGESTED``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

ENOUGH = 5
PRIOR = 5
SUGGESTED = 5
LEVELS = 5  # colour steps of a cell with a score (1…5); 0 is no observation
POSTS = "posts"
ACTIVITY = "activity"


@dataclass(frozen=True)
class Observation:
    at: datetime  # aware, any zone (stored in UTC)
    value: float = 1.0
    count: int = 1  # observations at this time (a database group: ``value`` is then their sum)


@dataclass
class Cell:
    weekday: int  # 0 = Monday
    hour: int  # 0…23 on the workspace's clock
    observations: int = 0
    total: float = 0.0
    score: float | None = None
    level: int = 0

    @property
    def enough(self) -> bool:
        return self.observations >= ENOUGH


@dataclass
class Grid:
    measure: str  # POSTS or ACTIVITY
    zone: str
    weeks: int
    rows: list[list[Cell]]  # 7 rows of 24 cells
    observations: int = 0
    mean: float = 0.0  # the window's mean (per post, or per cell-week)
    suggestions: list[Cell] = field(default_factory=list)

    @property
    def cells(self) -> list[Cell]:
        return [cell for row in self.rows for cell in row]

    @property
    def has_enough(self) -> bool:
        """Whether any cell has enough observations to be shown as a score."""
        return any(cell.enough for cell in self.cells)


def local_slot(moment: datetime, zone: ZoneInfo) -> tuple[int, int]:
    """(weekday, hour) of an aware time on the clock of ``zone``."""
    local = moment.astimezone(zone)
    return local.weekday(), local.hour


def build_grid(observations: Iterable[Observation], *, zone: ZoneInfo, measure: str, weeks: int) -> Grid:
    rows = [[Cell(weekday, hour) for hour in range(24)] for weekday in range(7)]
    count, total = 0, 0.0
    for observation in observations:
        weekday, hour = local_slot(observation.at, zone)
        cell = rows[weekday][hour]
        cell.observations += observation.count
        cell.total += observation.value
        count += observation.count
        total += observation.value
    grid = Grid(measure=measure, zone=zone.key, weeks=weeks, rows=rows, observations=count)
    if measure == POSTS:
        grid.mean = total / count if count else 0.0
        for cell in grid.cells:
            if cell.observations:
                cell.score = (cell.total + PRIOR * grid.mean) / (cell.observations + PRIOR)
    else:
        grid.mean = total / (7 * 24 * weeks) if weeks else 0.0
        for cell in grid.cells:
            if cell.observations:
                cell.score = cell.total / weeks
    _colour(grid)
    grid.suggestions = suggest(grid)
    return grid


def _colour(grid: Grid) -> None:
    """Levels 1…5 from the lowest to the highest score of the cells with enough observations (of every scored cell
    when none has enough): the map shows where the hours differ, not how far all of them are from zero."""
    scores = [c.score for c in grid.cells if c.score is not None and c.enough] or [
        c.score for c in grid.cells if c.score is not None
    ]
    low, high = min(scores, default=0.0), max(scores, default=0.0)
    for cell in grid.cells:
        if cell.score is None:
            continue
        share = (cell.score - low) / (high - low) if high > low else 0.5
        cell.level = 1 + round(min(1.0, max(0.0, share)) * (LEVELS - 1))


def suggest(grid: Grid, limit: int = SUGGESTED) -> list[Cell]:
    candidates = [cell for cell in grid.cells if cell.enough and cell.score is not None and cell.score > grid.mean]
    candidates.sort(key=lambda cell: (-(cell.score or 0.0), -cell.observations, cell.weekday, cell.hour))
    return candidates[:limit]
