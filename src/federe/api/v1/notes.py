"""Internal notes on threads: list a thread's notes, write one (mentions notify teammates; nothing is sent)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.inbox import notes, queries
from federe.inbox.models import InternalNote

router = Router()


class NoteOut(Schema):
    id: int
    conversation_id: int
    author: str | None
    body: str
    mentions: list[str]
    created_at: datetime
    edited_at: datetime | None


class NoteIn(Schema):
    conversation_id: Id
    body: str = Field(min_length=1, max_length=notes.MAX_NOTE_LENGTH)


class NotesQuery(Schema):
    conversation: Id


def note_out(note: InternalNote) -> NoteOut:
    return NoteOut(
        id=note.pk,
        conversation_id=note.conversation_id,
        author=note.author.get_username() if note.author else None,
        body=note.body,
        mentions=sorted(u.get_username() for u in note.mentions.all()),
        created_at=note.created_at,
        edited_at=note.edited_at,
    )


@router.get("", response=list[NoteOut])
def list_notes(request: ApiRequest, q: Query[NotesQuery]) -> list[NoteOut]:
    """The internal notes of a thread (``?conversation=<id>``), oldest first."""
    conv = queries.conversation(request.workspace, q.conversation)
    return [note_out(n) for n in notes.notes_of(conv)]


@router.post("", response={201: NoteOut})
def create_note(request: ApiRequest, payload: NoteIn) -> tuple[int, NoteOut]:
    """Write an internal note on a thread; the members it mentions (``@username``) are notified."""
    conv = queries.conversation(request.workspace, payload.conversation_id)
    return 201, note_out(notes.add_note(conversation=conv, by=request.user, body=payload.body))
