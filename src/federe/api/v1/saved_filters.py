"""Saved inbox filters (``/api/v1/saved-filters``): the token's member's own, in the token's workspace. ``query`` is
the inbox's query string (``view=mine&status=new``); only what the inbox understands is kept."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Header, Router, Schema

from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.inbox import saved_filters
from federe.inbox.models import SavedFilter

router = Router()


class SavedFilterIn(Schema):
    name: str = Field(..., max_length=saved_filters.MAX_NAME)
    query: str = Field("", max_length=2000, description="The inbox's query string: view, channel, status…")


class RenameIn(Schema):
    name: str = Field(..., max_length=saved_filters.MAX_NAME)


class SavedFilterOut(Schema):
    id: int
    name: str
    query: str
    created_at: datetime


def _out(saved: SavedFilter) -> SavedFilterOut:
    return SavedFilterOut(id=saved.pk, name=saved.name, query=saved.query, created_at=saved.created_at)


@router.get("", response=list[SavedFilterOut])
def list_saved_filters(request: ApiRequest) -> list[SavedFilterOut]:
    """Your saved filters in this workspace, by name."""
    return [_out(f) for f in saved_filters.of(request.workspace, request.user)]


@router.post("", response={201: SavedFilterOut})
def create_saved_filter(
    request: ApiRequest, payload: SavedFilterIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> tuple[int, SavedFilterOut]:
    """Save a filter under a name of yours. Send an ``Idempotency-Key`` header to make a repeat safe: the same key
    and filter answer with the filter made the first time; the same key with another filter is refused (422)."""
    saved = saved_filters.add(request.workspace, request.user, payload.name, payload.query, client_key=idempotency_key)
    return 201, _out(saved)


@router.patch("/{saved_filter_id}", response=SavedFilterOut)
def rename_saved_filter(request: ApiRequest, saved_filter_id: Id, payload: RenameIn) -> SavedFilterOut:
    saved = saved_filters.get(request.workspace, request.user, saved_filter_id)
    return _out(saved_filters.rename(saved, payload.name, by=request.user))


@router.delete("/{saved_filter_id}", response={204: None})
def delete_saved_filter(request: ApiRequest, saved_filter_id: Id) -> tuple[int, None]:
    saved_filters.remove(saved_filters.get(request.workspace, request.user, saved_filter_id), by=request.user)
    return 204, None
