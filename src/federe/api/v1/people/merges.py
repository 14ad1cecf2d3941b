"""/api/v1/people/suggestions and /api/v1/people/merges: merge suggestions, merges by hand, undo."""

from __future__ import annotations

from federe.api.v1.people.routes import person_in, router
from federe.api.v1.people.schemas import AcceptIn, MergeIn, MergeOut, SuggestionOut, merge_out, suggestion_out
from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.people import queries, services
from federe.people.identities import merging, suggestions


@router.get("/suggestions", response=list[SuggestionOut])
def list_suggestions(request: ApiRequest, status: str = "open") -> list[SuggestionOut]:
    """Merge suggestions with their evidence (status: open, accepted, auto, rejected, undone, superseded)."""
    return [suggestion_out(s) for s in queries.suggestions(request.workspace, status)[:500]]


@router.post("/suggestions/refresh", response=dict[str, int])
def refresh_suggestions(request: ApiRequest) -> dict[str, int]:
    result = services.refresh_suggestions(workspace=request.workspace, by=request.user)
    return {"created": result.created, "removed": result.removed, "auto_merged": result.auto_merged}


@router.post("/suggestions/{suggestion_id}/accept", response={201: MergeOut})
def accept_suggestion(request: ApiRequest, suggestion_id: Id, payload: AcceptIn) -> tuple[int, MergeOut]:
    suggestion = queries.suggestion_of(request.workspace, suggestion_id)
    return 201, merge_out(suggestions.accept_suggestion(suggestion, by=request.user, keep=payload.keep))


@router.post("/suggestions/{suggestion_id}/reject", response=SuggestionOut)
def reject_suggestion(request: ApiRequest, suggestion_id: Id) -> SuggestionOut:
    suggestion = queries.suggestion_of(request.workspace, suggestion_id)
    return suggestion_out(suggestions.reject_suggestion(suggestion, by=request.user))


@router.get("/merges", response=list[MergeOut])
def list_merges(request: ApiRequest, limit: int = 100) -> list[MergeOut]:
    return [merge_out(m) for m in queries.merges(request.workspace)[: max(1, min(limit, 500))]]


@router.post("/merges", response={201: MergeOut})
def merge_persons(request: ApiRequest, payload: MergeIn) -> tuple[int, MergeOut]:
    """Merge ``absorb`` into ``keep`` by hand; undo with /merges/{id}/undo."""
    keep, absorb = person_in(request, payload.keep), person_in(request, payload.absorb)
    return 201, merge_out(merging.merge(keep=keep, absorb=absorb, by=request.user))


@router.post("/merges/{merge_id}/undo", response=MergeOut)
def undo_merge(request: ApiRequest, merge_id: Id) -> MergeOut:
    record = queries.merge_of(request.workspace, merge_id)
    return merge_out(merging.unmerge(record, by=request.user))
