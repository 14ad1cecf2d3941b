"""/api/v1/people/signals, /settings, /recompute and /segments: engagement and saved segments."""

from __future__ import annotations

from federe.accounts.permissions import require
from federe.api.v1.people.routes import router
from federe.api.v1.people.schemas import (
    RecomputeOut,
    SegmentIn,
    SegmentOut,
    SettingsIO,
    SettingsOut,
    SignalOut,
    settings_out,
)
from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.people import queries, services
from federe.people.engagement import community, scoring
from federe.people.models import Segment
from federe.people.permissions import PEOPLE_VIEW


@router.get("/signals", response=list[SignalOut])
def list_signals(request: ApiRequest) -> list[SignalOut]:
    """Newcomers, top members gone quiet, and those who came back, each with its reason."""
    require(request.user, request.workspace, PEOPLE_VIEW)
    out: list[SignalOut] = []
    for kind, items in community.all_signals(request.workspace).items():
        out.extend(
            SignalOut(kind=kind, person_id=s.person.pk, display_name=s.person.display_name, reason=s.reason)
            for s in items
        )
    return out


@router.get("/settings", response=SettingsOut)
def get_settings(request: ApiRequest) -> SettingsOut:
    """Weights, decay, thresholds, and the formula in words (in the Accept-Language of the request)."""
    return settings_out(scoring.settings_for(request.workspace))


@router.put("/settings", response=SettingsOut)
def put_settings(request: ApiRequest, payload: SettingsIO) -> SettingsOut:
    """Change some values (the others stay); every score is recomputed. Bad values: 422, nothing saved."""
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return settings_out(services.update_settings(workspace=request.workspace, values=values, by=request.user))


@router.post("/recompute", response=RecomputeOut)
def recompute(request: ApiRequest) -> RecomputeOut:
    result = services.recompute(workspace=request.workspace, by=request.user)
    return RecomputeOut(persons=result.persons, seconds=round(result.seconds, 3))


@router.get("/segments", response=list[SegmentOut])
def list_segments(request: ApiRequest) -> list[SegmentOut]:
    return [SegmentOut(id=s.pk, name=s.name, filters=s.filters) for s in queries.segments_of(request.workspace)]


@router.post("/segments", response={201: SegmentOut})
def create_segment(request: ApiRequest, payload: SegmentIn) -> tuple[int, SegmentOut]:
    filters = queries.PeopleFilters.from_params(payload.filters)
    segment = services.save_segment(workspace=request.workspace, name=payload.name, filters=filters, by=request.user)
    return 201, SegmentOut(id=segment.pk, name=segment.name, filters=segment.filters)


@router.delete("/segments/{segment_id}", response=list[SegmentOut])
def delete_segment(request: ApiRequest, segment_id: Id) -> list[SegmentOut]:
    """Delete a segment; answers with the segments that remain."""
    segment = queries.segment_of(request.workspace, segment_id)
    if segment is None:
        raise Segment.DoesNotExist
    services.delete_segment(segment=segment, by=request.user)
    return list_segments(request)
