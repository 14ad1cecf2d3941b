"""Best time to post: the heat map of the workspace (or of one channel) as data, and its suggested slots.

Each cell gives its number of observations and its score; ``enough`` is false below the threshold (such a cell is
never suggested). Hours are on the workspace's clock (``timezone``), weekday 0 is Monday."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from federe.api.v1.schemas import Id
from federe.connections.models import Connection
from federe.core.requests import ApiRequest
from federe.publishing import besttime
from federe.publishing.besttime import Cell

router = Router()


class BestTimeQuery(Schema):
    channel: Id | None = Field(None, description="A channel's id; every channel when left out.")
    weeks: int = Field(8, description="The window: 4, 8 or 12 weeks.")
    measure: Literal["auto", "posts", "activity"] = Field(
        "auto", description="posts: your posts' answers; activity: your community's messages; auto: posts when enough."
    )


class CellOut(Schema):
    weekday: int
    hour: int
    observations: int
    score: float | None
    enough: bool


class BestTimeOut(Schema):
    measure: str
    fallback: bool
    timezone: str
    weeks: int
    posts: int
    threshold: int
    mean: float
    cells: list[CellOut]
    suggestions: list[CellOut]


def _cell(cell: Cell) -> CellOut:
    return CellOut(
        weekday=cell.weekday, hour=cell.hour, observations=cell.observations, score=cell.score, enough=cell.enough
    )


@router.get("", response=BestTimeOut)
def best_time(request: ApiRequest, q: Query[BestTimeQuery]) -> BestTimeOut:
    """The 7 × 24 cells of the window (168, Monday 0:00 first) and up to five suggested slots, best first."""
    if q.weeks not in besttime.WINDOWS:  # checked here: a Literal of numbers refuses the query string's "8"
        raise ValidationError({"weeks": [_("The window is 4, 8 or 12 weeks.")]})
    channel = None
    if q.channel is not None:
        channel = Connection.objects.filter(workspace=request.workspace, pk=q.channel).first()
        if channel is None:
            raise Http404
    result = besttime.best_time(request.workspace, channel=channel, weeks=q.weeks, measure=q.measure)
    grid = result.grid
    return BestTimeOut(
        measure=grid.measure,
        fallback=result.fallback,
        timezone=grid.zone,
        weeks=grid.weeks,
        posts=result.posts,
        threshold=besttime.ENOUGH,
        mean=grid.mean,
        cells=[_cell(cell) for cell in grid.cells],
        suggestions=[_cell(cell) for cell in grid.suggestions],
    )
