"""/api/v1/people/…: persons, their timeline, notes, tags and fields, merges, signals, scoring, privacy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from federe.accounts.permissions import require
from federe.api.v1.schemas import Id, Offset
from federe.people import privacy, queries, services, timelines
from federe.people.engagement import community, scoring
from federe.people.identities import evidence, merging, suggestions
from federe.people.models import Merge, MergeSuggestion, Person, ScoringSettings, Segment, Tag
from federe.people.permissions import PEOPLE_VIEW

router = Router()


class IdentityOut(Schema):
    id: int
    connection_id: int
    network: str
    external_id: str
    handle: str
    display_name: str
    profile_url: str


class PersonOut(Schema):
    id: int
    display_name: str
    level: str
    score: float
    reach: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    computed_at: datetime | None
    merged_into: int | None
    identities: list[IdentityOut]
    tags: list[str]


class PersonDetail(PersonOut):
    fields: dict[str, str]
    notes: list[dict[str, Any]]
    open_suggestions: list[int]


class TimelineItemOut(Schema):
    at: datetime
    kind: str
    id: int
    summary: str


class TimelineOut(Schema):
    items: list[TimelineItemOut]
    next_before: str = Field(description="Pass as ?before= for the next (older) page; empty at the end")


class NoteIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


class TagIn(Schema):
    name: str = Field(min_length=1, max_length=60)


class FieldIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    value: str = Field("", max_length=500, description="Empty removes the field")


class SuggestionOut(Schema):
    id: int
    person_a: int
    person_b: int
    total: int
    confidence: str
    status: str
    signals: list[dict[str, Any]]
    evidence: list[str]


class AcceptIn(Schema):
    keep: Id | None = Field(None, description="The person to keep (one of the two); chosen for you if omitted")


class MergeIn(Schema):
    keep: Id
    absorb: Id


class MergeOut(Schema):
    id: int
    kept: int
    absorbed: int
    automatic: bool
    signals: list[dict[str, Any]]
    created_at: datetime
    undone_at: datetime | None


class SignalOut(Schema):
    kind: str
    person_id: int
    display_name: str
    reason: str


class SettingsIO(Schema):
    weight_post: float | None = None
    weight_reply: float | None = None
    weight_received: float | None = None
    weight_approved: float | None = None
    weight_removed: float | None = None
    half_life_days: float | None = None
    reach_days: int | None = None
    threshold_occasional: float | None = None
    threshold_regular: float | None = None
    threshold_champion: float | None = None
    quiet_days: int | None = None
    signal_days: int | None = None
    auto_merge_threshold: int | None = None


class SettingsOut(SettingsIO):
    formula: list[str]
    computed_at: datetime | None


class RecomputeOut(Schema):
    persons: int
    seconds: float


class SegmentIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    filters: dict[str, Any] = Field(
        description="levels, language, channel, tag, seen_within_days, silent_for_days, score_min, score_max"
    )


class SegmentOut(Schema):
    id: int
    name: str
    filters: dict[str, Any]


class EraseIn(Schema):
    confirm: str = Field(description="The person's display name or id, to confirm")


class ListParams(Schema):
    q: str = ""
    levels: list[str] = Field(default_factory=list)
    language: str = ""
    channel: Id | None = None
    tag: Id | None = None
    seen_within_days: int | None = None
    silent_for_days: int | None = None
    score_min: float | None = None
    score_max: float | None = None
    sort: str = "score"
    segment: Id | None = None
    limit: int = 50
    offset: Offset = 0


def _person(request: HttpRequest, person_id: Id) -> Person:
    return queries.person(request.workspace, person_id)  # type: ignore[attr-defined]


def person_out(p: Person) -> PersonOut:
    return PersonOut(
        id=p.pk,
        display_name=p.display_name,
        level=p.level,
        score=round(p.score, 3),
        reach=p.reach,
        first_seen_at=p.first_seen_at,
        last_seen_at=p.last_seen_at,
        computed_at=p.computed_at,
        merged_into=p.merged_into_id,
        identities=[
            IdentityOut(
                id=i.pk,
                connection_id=i.connection_id,
                network=i.connection.network,
                external_id=i.external_id,
                handle=i.handle,
                display_name=i.display_name,
                profile_url=i.profile_url,
            )
            for i in p.identities.all()
        ],
        tags=[link.tag.name for link in p.tag_links.all()],
    )


def suggestion_out(s: MergeSuggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.pk,
        person_a=s.person_a_id,
        person_b=s.person_b_id,
        total=s.total,
        confidence=evidence.confidence(s.total),
        status=s.status,
        signals=s.signals,
        evidence=[evidence.describe(signal) for signal in s.signals],
    )


def merge_out(m: Merge) -> MergeOut:
    return MergeOut(
        id=m.pk,
        kept=m.kept_id,
        absorbed=m.absorbed_id,
        automatic=m.automatic,
        signals=m.signals,
        created_at=m.created_at,
        undone_at=m.undone_at,
    )


def _filters(request: HttpRequest, params: ListParams) -> queries.PeopleFilters:
    if params.segment is not None:
        segment = queries.segment_of(request.workspace, params.segment)  # type: ignore[attr-defined]
        if segment is None:
            raise Http404
        return queries.PeopleFilters.from_params({**segment.filters, "q": params.q, "sort": params.sort})
    raw = params.dict(exclude={"segment", "limit", "offset"})
    filters = queries.PeopleFilters.from_params({k: ("" if v is None else v) for k, v in raw.items()})
    if filters.errors:
        raise ValidationError(list(filters.errors))
    return filters


@router.get("", response=list[PersonOut])
def list_people(request: HttpRequest, params: Query[ListParams]) -> list[PersonOut]:
    """Persons of the workspace, highest score first, with the list page's filters (or a saved segment)."""
    qs = queries.with_identities(queries.persons(request.workspace, _filters(request, params)))  # type: ignore[attr-defined]
    start = max(params.offset, 0)
    return [person_out(p) for p in qs[start : start + max(1, min(params.limit, 500))]]


@router.get("/suggestions", response=list[SuggestionOut])
def list_suggestions(request: HttpRequest, status: str = "open") -> list[SuggestionOut]:
    """Merge suggestions with their evidence (status: open, accepted, auto, rejected, undone, superseded)."""
    return [suggestion_out(s) for s in queries.suggestions(request.workspace, status)[:500]]  # type: ignore[attr-defined]


@router.post("/suggestions/refresh", response=dict[str, int])
def refresh_suggestions(request: HttpRequest) -> dict[str, int]:
    result = services.refresh_suggestions(workspace=request.workspace, by=request.user)  # type: ignore[attr-defined]
    return {"created": result.created, "removed": result.removed, "auto_merged": result.auto_merged}


@router.post("/suggestions/{suggestion_id}/accept", response={201: MergeOut})
def accept_suggestion(request: HttpRequest, suggestion_id: Id, payload: AcceptIn) -> tuple[int, MergeOut]:
    suggestion = queries.suggestion_of(request.workspace, suggestion_id)  # type: ignore[attr-defined]
    return 201, merge_out(suggestions.accept_suggestion(suggestion, by=request.user, keep=payload.keep))


@router.post("/suggestions/{suggestion_id}/reject", response=SuggestionOut)
def reject_suggestion(request: HttpRequest, suggestion_id: Id) -> SuggestionOut:
    suggestion = queries.suggestion_of(request.workspace, suggestion_id)  # type: ignore[attr-defined]
    return suggestion_out(suggestions.reject_suggestion(suggestion, by=request.user))


@router.get("/merges", response=list[MergeOut])
def list_merges(request: HttpRequest, limit: int = 100) -> list[MergeOut]:
    return [merge_out(m) for m in queries.merges(request.workspace)[: max(1, min(limit, 500))]]  # type: ignore[attr-defined]


@router.post("/merges", response={201: MergeOut})
def merge_persons(request: HttpRequest, payload: MergeIn) -> tuple[int, MergeOut]:
    """Merge ``absorb`` into ``keep`` by hand; undo with /merges/{id}/undo."""
    keep, absorb = _person(request, payload.keep), _person(request, payload.absorb)
    return 201, merge_out(merging.merge(keep=keep, absorb=absorb, by=request.user))


@router.post("/merges/{merge_id}/undo", response=MergeOut)
def undo_merge(request: HttpRequest, merge_id: Id) -> MergeOut:
    record = queries.merge_of(request.workspace, merge_id)  # type: ignore[attr-defined]
    return merge_out(merging.unmerge(record, by=request.user))


@router.get("/signals", response=list[SignalOut])
def list_signals(request: HttpRequest) -> list[SignalOut]:
    """Newcomers, top members gone quiet, and those who came back, each with its reason."""
    require(request.user, request.workspace, PEOPLE_VIEW)  # type: ignore[attr-defined]
    out = []
    for kind, items in community.all_signals(request.workspace).items():  # type: ignore[attr-defined]
        out.extend(
            SignalOut(kind=kind, person_id=s.person.pk, display_name=s.person.display_name, reason=s.reason)
            for s in items
        )
    return out


def settings_out(s: ScoringSettings) -> SettingsOut:
    return SettingsOut(
        **{name: getattr(s, name) for name in ScoringSettings.EDITABLE_FIELDS},
        formula=scoring.explain(s),
        computed_at=s.computed_at,
    )


@router.get("/settings", response=SettingsOut)
def get_settings(request: HttpRequest) -> SettingsOut:
    """Weights, decay, thresholds, and the formula in words (in the Accept-Language of the request)."""
    return settings_out(scoring.settings_for(request.workspace))  # type: ignore[attr-defined]


@router.put("/settings", response=SettingsOut)
def put_settings(request: HttpRequest, payload: SettingsIO) -> SettingsOut:
    """Change some values (the others stay); every score is recomputed. Bad values: 422, nothing saved."""
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return settings_out(services.update_settings(workspace=request.workspace, values=values, by=request.user))  # type: ignore[attr-defined]


@router.post("/recompute", response=RecomputeOut)
def recompute(request: HttpRequest) -> RecomputeOut:
    result = services.recompute(workspace=request.workspace, by=request.user)  # type: ignore[attr-defined]
    return RecomputeOut(persons=result.persons, seconds=round(result.seconds, 3))


@router.get("/segments", response=list[SegmentOut])
def list_segments(request: HttpRequest) -> list[SegmentOut]:
    return [SegmentOut(id=s.pk, name=s.name, filters=s.filters) for s in queries.segments_of(request.workspace)]  # type: ignore[attr-defined]


@router.post("/segments", response={201: SegmentOut})
def create_segment(request: HttpRequest, payload: SegmentIn) -> tuple[int, SegmentOut]:
    filters = queries.PeopleFilters.from_params(payload.filters)
    segment = services.save_segment(workspace=request.workspace, name=payload.name, filters=filters, by=request.user)  # type: ignore[attr-defined]
    return 201, SegmentOut(id=segment.pk, name=segment.name, filters=segment.filters)


@router.delete("/segments/{segment_id}", response=list[SegmentOut])
def delete_segment(request: HttpRequest, segment_id: Id) -> list[SegmentOut]:
    """Delete a segment; answers with the segments that remain."""
    segment = queries.segment_of(request.workspace, segment_id)  # type: ignore[attr-defined]
    if segment is None:
        raise Segment.DoesNotExist
    services.delete_segment(segment=segment, by=request.user)
    return list_segments(request)


@router.get("/{person_id}", response=PersonDetail)
def get_person(request: HttpRequest, person_id: Id) -> PersonDetail:
    p = queries.with_identities(Person.objects.filter(pk=_person(request, person_id).pk)).get()
    base = person_out(p).dict()
    return PersonDetail(
        **base,
        fields={f.name: f.value for f in queries.fields_of(p)},
        notes=[
            {"id": n.pk, "body": n.body, "by": n.author.get_username() if n.author else None, "at": n.created_at}
            for n in queries.notes_of(p)
        ],
        open_suggestions=[s.pk for s in queries.suggestions_for(p)],
    )


def _summary(item: timelines.TimelineItem) -> str:
    o = item.obj
    if item.kind == "message":
        return o.body_text[:300]
    if item.kind == "reply":
        return o.message.body_text[:300]
    if item.kind == "decision":
        return o.action
    if item.kind == "note":
        return o.body[:300]
    if item.kind == "tag":
        return o.tag.name
    if item.kind == "field":
        return f"{o.name}={o.value}"
    if item.kind == "merge":
        return f"merged person {o.absorbed_id}"
    return str(o)[:300]


@router.get("/{person_id}/timeline", response=TimelineOut)
def person_timeline(request: HttpRequest, person_id: Id, before: str = "", limit: int = 30) -> TimelineOut:
    """Every event of the person, newest first (keyset pages: pass next_before as ?before=)."""
    person = _person(request, person_id)
    page = timelines.timeline(request.workspace, person, before=before, limit=max(1, min(limit, 200)))  # type: ignore[attr-defined]
    return TimelineOut(
        items=[TimelineItemOut(at=i.at, kind=i.kind, id=i.id, summary=_summary(i)) for i in page.items],
        next_before=page.next_cursor,
    )


@router.post("/{person_id}/notes", response={201: dict[str, int]})
def add_note(request: HttpRequest, person_id: Id, payload: NoteIn) -> tuple[int, dict[str, int]]:
    note = services.add_note(person=_person(request, person_id), body=payload.body, by=request.user)
    return 201, {"id": note.pk}


@router.post("/{person_id}/tags", response={201: list[str]})
def add_tag(request: HttpRequest, person_id: Id, payload: TagIn) -> tuple[int, list[str]]:
    person = _person(request, person_id)
    services.add_tag(person=person, name=payload.name, by=request.user)
    return 201, [link.tag.name for link in queries.tag_links_of(person)]


@router.delete("/{person_id}/tags/{tag_id}", response=list[str])
def remove_tag(request: HttpRequest, person_id: Id, tag_id: Id) -> list[str]:
    person = _person(request, person_id)
    tag = Tag.objects.get(workspace=request.workspace, pk=tag_id)  # type: ignore[attr-defined]
    services.remove_tag(person=person, tag=tag, by=request.user)
    return [link.tag.name for link in queries.tag_links_of(person)]


@router.put("/{person_id}/fields", response=dict[str, str])
def set_field(request: HttpRequest, person_id: Id, payload: FieldIn) -> dict[str, str]:
    person = _person(request, person_id)
    services.set_field(person=person, name=payload.name, value=payload.value, by=request.user)
    return {f.name: f.value for f in queries.fields_of(person)}


@router.get("/{person_id}/export", response=dict[str, Any])
def export_person(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    """Everything Fédère holds about the person (GDPR access request)."""
    return privacy.export_person(person=_person(request, person_id), by=request.user)


@router.post("/{person_id}/erase", response=dict[str, int])
def erase_person(request: HttpRequest, person_id: Id, payload: EraseIn) -> dict[str, int]:
    """Erase the person everywhere (right to be forgotten). Owner only; cannot be undone."""
    return privacy.erase_person(person=_person(request, person_id), by=request.user, confirm=payload.confirm)
