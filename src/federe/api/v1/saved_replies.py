"""Saved replies: list (filters: language, channel scope), create, update, delete, and render one for a thread
(variables filled, ``answers`` giving the ``{{ask:…}}`` values by their question). Unknown variables are refused
(422) with the reason in words."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.inbox import queries as inbox_queries
from federe.replies import queries, services, template
from federe.replies.models import SavedReply

router = Router()


class SavedReplyIn(Schema):
    title: str = Field(..., max_length=120)
    language: Literal["fr", "en"]
    body: str = Field(..., max_length=services.MAX_BODY)
    folder: str = Field("", max_length=60)
    connection_id: Id | None = Field(None, description="Offered on this channel only; null: on every channel.")

    def fields(self) -> services.Fields:
        return services.Fields(
            title=self.title,
            language=self.language,
            body=self.body,
            folder=self.folder,
            connection_id=self.connection_id,
        )


class SavedReplyOut(Schema):
    id: int
    title: str
    language: str
    body: str
    folder: str
    connection_id: int | None
    questions: list[str] = Field(description="The labels of its {{ask:…}} variables.")
    usage_count: int = Field(description="How many sent replies used it.")
    created_at: datetime


class ListFilters(Schema):
    language: Literal["fr", "en"] | None = None
    scope: str = Field("", max_length=12, description='"workspace" (every channel) or a channel id.')


class RenderIn(Schema):
    conversation_id: Id
    answers: dict[str, str] = Field(default_factory=dict, description="The value of each question, by its label.")


class RenderOut(Schema):
    text: str


def _out(saved: SavedReply) -> SavedReplyOut:
    return SavedReplyOut(
        id=saved.pk,
        title=saved.title,
        language=saved.language,
        body=saved.body,
        folder=saved.folder,
        connection_id=saved.connection_id,
        questions=template.questions(saved.body),
        usage_count=saved.usage_count,
        created_at=saved.created_at,
    )


@router.get("", response=list[SavedReplyOut])
def list_saved_replies(request: ApiRequest, filters: Query[ListFilters]) -> list[SavedReplyOut]:
    """The workspace's saved replies, by folder and title."""
    rows = queries.listing(request.workspace, language=filters.language or "", scope=filters.scope)
    return [_out(r) for r in rows]


@router.post("", response={201: SavedReplyOut})
def create_saved_reply(request: ApiRequest, payload: SavedReplyIn) -> tuple[int, SavedReplyOut]:
    saved = services.add(workspace=request.workspace, fields=payload.fields(), by=request.user)
    return 201, _out(saved)


@router.put("/{saved_reply_id}", response=SavedReplyOut)
def update_saved_reply(request: ApiRequest, saved_reply_id: Id, payload: SavedReplyIn) -> SavedReplyOut:
    saved = queries.saved_reply(request.workspace, saved_reply_id)
    return _out(services.change(saved, fields=payload.fields(), by=request.user))


@router.delete("/{saved_reply_id}", response={204: None})
def delete_saved_reply(request: ApiRequest, saved_reply_id: Id) -> tuple[int, None]:
    services.remove(queries.saved_reply(request.workspace, saved_reply_id), by=request.user)
    return 204, None


@router.post("/{saved_reply_id}/render", response=RenderOut)
def render_saved_reply(request: ApiRequest, saved_reply_id: Id, payload: RenderIn) -> RenderOut:
    """The saved reply filled for a thread (its channel must be the reply's scope), to send as a reply."""
    saved = queries.saved_reply(request.workspace, saved_reply_id)
    conversation = inbox_queries.conversation(request.workspace, payload.conversation_id)
    if saved.connection_id not in (None, conversation.connection_id):
        raise SavedReply.DoesNotExist
    return RenderOut(text=services.render_for(saved, conversation, agent=request.user, answers=payload.answers))
