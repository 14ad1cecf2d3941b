"""Best time to post, learned from this community's own engagement (issue 13).

``grid.py`` decides (pure: bucketing on the workspace's clock, scores, the "too few" threshold, suggestions; its
docstring gives the formulas), ``observations.py`` reads the rows, ``best_time`` below chooses the measure, and
``text.py`` prints a grid for the command line. Its own package inside ``publishing``: it serves the queue's slots
and reads the publishing ledger, and it needs four small modules, not one.

Two measures, always named on the page: "When your posts got answers" (the brand's posts and the engagement each
got in its first 48 hours) and, while the brand has posted too little for that, "When your community is active"
(the community's messages). ``auto`` takes the first once the window holds at least ``MIN_POSTS`` posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from federe.accounts.models import Workspace
from federe.connections.models import Connection
from federe.publishing.besttime import observations
from federe.publishing.besttime.grid import ACTIVITY, ENOUGH, POSTS, Cell, Grid, Observation, build_grid
from federe.publishing.checks import workspace_zone

WINDOWS = (4, 8, 12)  # weeks
DEFAULT_WEEKS = 8
AUTO = "auto"
MEASURES = (AUTO, POSTS, ACTIVITY)
MIN_POSTS = 4 * ENOUGH  # 20 posts: enough for a handful of cells to reach ENOUGH if the brand keeps habits

__all__ = ["ACTIVITY", "AUTO", "ENOUGH", "MEASURES", "MIN_POSTS", "POSTS", "WINDOWS", "BestTime", "Cell", "best_time"]


@dataclass
class BestTime:
    grid: Grid
    asked: str  # the measure asked for: auto, posts or activity
    posts: int  # the brand's posts in the window (whatever the measure shown)
    since: datetime
    until: datetime

    @property
    def fallback(self) -> bool:
        """The community's activity is shown because the brand has posted too little (auto)."""
        return self.asked == AUTO and self.grid.measure == ACTIVITY


def best_time(
    workspace: Workspace,
    *,
    channel: Connection | None = None,
    weeks: int = DEFAULT_WEEKS,
    measure: str = AUTO,
    now: datetime | None = None,
) -> BestTime:
    """The grid of the last ``weeks`` weeks (one of WINDOWS) on ``channel`` (every channel when None)."""
    if weeks not in WINDOWS or measure not in MEASURES:
        raise ValueError(f"weeks {weeks}, measure {measure}")
    if channel is not None and channel.workspace_id != workspace.pk:
        raise ValueError("a channel of another workspace")
    until = now or timezone.now()
    since = until - timedelta(weeks=weeks)
    # A post counts once its first hours are over: a post of this morning has not had its chance yet.
    posts = observations.brand_posts(workspace, since, until - timedelta(hours=observations.HOURS_AFTER), channel)
    shown = measure if measure != AUTO else (POSTS if len(posts) >= MIN_POSTS else ACTIVITY)
    seen: Iterable[Observation]
    if shown == POSTS:
        seen = observations.post_observations(observations.with_engagement(workspace, posts))
    else:
        seen = observations.activity_observations(workspace, since, until, channel)
    grid = build_grid(seen, zone=workspace_zone(workspace), measure=shown, weeks=weeks)
    return BestTime(grid=grid, asked=measure, posts=len(posts), since=since, until=until)
