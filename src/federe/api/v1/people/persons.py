"""/api/v1/people and /api/v1/people/{id}/…: the list, a person, their timeline, notes, tags, fields, erasure."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query

from federe.api.v1.people.routes import person_in, router
from federe.api.v1.people.schemas import (
    EraseIn,
    FieldIn,
    ListParams,
    NoteIn,
    PersonDetail,
    PersonOut,
    TagIn,
    TimelineItemOut,
    TimelineOut,
    person_out,
)
from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.people import privacy, queries, services, timelines
from federe.people.models import Person, Tag


def _filters(request: ApiRequest, params: ListParams) -> queries.PeopleFilters:
    if params.segment is not None:
        segment = queries.segment_of(request.workspace, params.segment)
        if segment is None:
            raise Http404
        return queries.PeopleFilters.from_params({**segment.filters, "q": params.q, "sort": params.sort})
    raw = params.dict(exclude={"segment", "limit", "offset"})
    filters = queries.PeopleFilters.from_params({k: ("" if v is None else v) for k, v in raw.items()})
    if filters.errors:
        raise ValidationError(list(filters.errors))
    return filters


@router.get("", response=list[PersonOut])
def list_people(request: ApiRequest, params: Query[ListParams]) -> list[PersonOut]:
    """Persons of the workspace, highest score first, with the list page's filters (or a saved segment)."""
    qs = queries.with_identities(queries.persons(request.workspace, _filters(request, params)))
    start = max(params.offset, 0)
    return [person_out(p) for p in qs[start : start + max(1, min(params.limit, 500))]]


@router.get("/{person_id}", response=PersonDetail)
def get_person(request: ApiRequest, person_id: Id) -> PersonDetail:
    p = queries.with_identities(Person.objects.filter(pk=person_in(request, person_id).pk)).get()
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
def person_timeline(request: ApiRequest, person_id: Id, before: str = "", limit: int = 30) -> TimelineOut:
    """Every event of the person, newest first (keyset pages: pass next_before as ?before=)."""
    person = person_in(request, person_id)
    page = timelines.timeline(request.workspace, person, before=before, limit=max(1, min(limit, 200)))
    return TimelineOut(
        items=[TimelineItemOut(at=i.at, kind=i.kind, id=i.id, summary=_summary(i)) for i in page.items],
        next_before=page.next_cursor,
    )


@router.post("/{person_id}/notes", response={201: dict[str, int]})
def add_note(request: ApiRequest, person_id: Id, payload: NoteIn) -> tuple[int, dict[str, int]]:
    note = services.add_note(person=person_in(request, person_id), body=payload.body, by=request.user)
    return 201, {"id": note.pk}


@router.post("/{person_id}/tags", response={201: list[str]})
def add_tag(request: ApiRequest, person_id: Id, payload: TagIn) -> tuple[int, list[str]]:
    person = person_in(request, person_id)
    services.add_tag(person=person, name=payload.name, by=request.user)
    return 201, [link.tag.name for link in queries.tag_links_of(person)]


@router.delete("/{person_id}/tags/{tag_id}", response=list[str])
def remove_tag(request: ApiRequest, person_id: Id, tag_id: Id) -> list[str]:
    person = person_in(request, person_id)
    tag = Tag.objects.get(workspace=request.workspace, pk=tag_id)
    services.remove_tag(person=person, tag=tag, by=request.user)
    return [link.tag.name for link in queries.tag_links_of(person)]


@router.put("/{person_id}/fields", response=dict[str, str])
def set_field(request: ApiRequest, person_id: Id, payload: FieldIn) -> dict[str, str]:
    person = person_in(request, person_id)
    services.set_field(person=person, name=payload.name, value=payload.value, by=request.user)
    return {f.name: f.value for f in queries.fields_of(person)}


@router.get("/{person_id}/export", response=dict[str, Any])
def export_person(request: ApiRequest, person_id: Id) -> dict[str, Any]:
    """Everything Fédère holds about the person (GDPR access request)."""
    return privacy.export_person(person=person_in(request, person_id), by=request.user)


@router.post("/{person_id}/erase", response=dict[str, int])
def erase_person(request: ApiRequest, person_id: Id, payload: EraseIn) -> dict[str, int]:
    """Erase the person everywhere (right to be forgotten). Owner only; cannot be undone."""
    return privacy.erase_person(person=person_in(request, person_id), by=request.user, confirm=payload.confirm)
