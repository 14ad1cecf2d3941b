"""The dashboards' figures as JSON, one operation per figure family, at ``/api/v1/analytics/…``.

Each takes the period (``days`` = 7, 30 or 90, or ``since`` and ``until`` as dates, both included) and an optional
``channel`` (one of the token's workspace's, else 404), and answers ``{"period", "previous", "current", "before"}``:
the figures of the period and of the one just before it. Definitions: ``federe/analytics/figures.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import Any

from django.http import Http404
from ninja import Router

from federe.analytics import figures
from federe.analytics import period as periods
from federe.connections.models import Connection
from federe.core.requests import ApiRequest

router = Router()
Answer = dict[str, Any]


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _answer(
    request: ApiRequest, read: Callable[[int, periods.Period, int | None], Any], days, since, until, channel
) -> Answer:
    period = periods.parse(days, since, until)  # a ValidationError is a 422 in words
    if channel is not None and not Connection.objects.filter(workspace=request.workspace, pk=channel).exists():
        raise Http404
    ws = request.workspace.pk
    span = lambda p: {"since": p.since, "until": p.last}  # noqa: E731
    return {
        "period": span(period),
        "previous": span(period.previous()),
        "current": _plain(read(ws, period, channel)),
        "before": _plain(read(ws, period.previous(), channel)),
    }


def _responses(ws: int, period: periods.Period, channel: int | None) -> Answer:
    found = figures.responses(ws, period, channel)
    seconds = lambda span: span.total_seconds() if span is not None else None  # noqa: E731
    return {
        "threads": found.threads,
        "answered": found.answered,
        "first_response_median_seconds": seconds(found.first_response_median),
        "first_response_p90_seconds": seconds(found.first_response_p90),
        "share_met": {target: found.share(target) for target in found.counted},
    }


def _operation(path: str, name: str, read: Callable[[int, periods.Period, int | None], Any], doc: str) -> None:
    """One GET operation per family, all with the same parameters (the operation id is ``name``)."""

    def view(
        request: ApiRequest,
        days: str | None = None,
        since: str | None = None,
        until: str | None = None,
        channel: int | None = None,
    ) -> Answer:
        return _answer(request, read, days, since, until, channel)

    view.__name__, view.__doc__ = name, doc
    router.get(path, response=Answer)(view)


_operation("/growth", "growth", figures.growth, "Members, new, returning and gone quiet, with new members per day.")
_operation("/activity", "activity", figures.activity, "Community messages (of which replies), our replies sent.")
_operation(
    "/engagement",
    "engagement",
    figures.engagement,
    "Engagement rate (reactions ÷ reach, %) and conversation rate (community replies ÷ messages, %).",
)
_operation("/response-times", "response_times", _responses, "First response median and p90 (seconds), SLA targets met.")
_operation("/sentiment", "sentiment", figures.sentiment, "Community messages per tone.")
_operation(
    "/moderation", "moderation", figures.moderation, "Verdicts by action, first reason's code, by a rule or not."
)
_operation("/top-posts", "top_posts", figures.top_posts, "Threads started in the period with the most messages.")
_operation("/top-members", "top_members", figures.top_members, "The highest engagement scores of the period's members.")


@router.get("/share-of-voice", response=Answer)
def share_of_voice(
    request: ApiRequest, days: str | None = None, since: str | None = None, until: str | None = None
) -> Answer:
    """Mentions and share per brand (the whole workspace: watched feeds belong to no channel)."""
    return _answer(request, lambda ws, p, _c: figures.share_of_voice(ws, p), days, since, until, None)
