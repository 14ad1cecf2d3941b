from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from federe.core.params import MAX_ID

# Bounds that every number from a client is checked against before it reaches the database (SQLite and
# PostgreSQL store 64-bit integers; a larger one was an OverflowError, a 500).
MAX_OFFSET = 1_000_000_000
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


#: Pydantic error types of ``Moment``, put in words by ``errors._message_of``.
NAIVE_MOMENT, MOMENT_OUT_OF_RANGE = "naive_moment", "moment_out_of_range"


def _in_utc(moment: datetime) -> datetime:
    """An aware moment as the same instant in UTC (PostgreSQL refuses offsets past 15:59, Python takes 24 h). A
    naive one is refused: whose clock would it be on? A moment with no UTC instant (year 1 at +01:00) too."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PydanticCustomError(NAIVE_MOMENT, "a date and time without its UTC offset")
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise PydanticCustomError(MOMENT_OUT_OF_RANGE, "a date and time out of range") from exc


# A date and time from a client (ISO 8601 with its UTC offset, as RFC 3339 asks).
Moment = Annotated[datetime, AfterValidator(_in_utc)]


class WorkspaceOut(Schema):
    slug: str
    name: str


class ConnectionOut(Schema):
    id: int
    name: str
    network: str
    enabled: bool
    capabilities: list[str]
    actions: list[str] = Field([], description="The moderation actions its messages may be given")
    sync_state: str
    next_sync_at: datetime | None
    last_success_at: datetime | None
    last_error: str
    last_warning: str


class ConnectionIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    network: str
    config: dict[str, object] = {}
    credentials: dict[str, str] = {}


class MessageOut(Schema):
    id: int
    conversation_id: int
    connection_id: int
    external_id: str
    direction: str
    author: str | None
    body_text: str
    body_html: str
    language: str
    network_status: str
    posted_at: datetime
    url: str


class ConversationOut(Schema):
    id: int
    connection_id: int
    title: str
    status: str
    priority: str
    language: str
    assignee: str | None
    last_message_at: datetime | None


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class ReplyIn(Schema):
    body: str = Field(min_length=1, max_length=10_000)


class ReplyOut(Schema):
    id: int
    state: str
    error: str
    attempts: int
    message: MessageOut | None


class AssignIn(Schema):
    assignee: str | None = Field(None, description="User name of a member, or null to unassign")


class StatusIn(Schema):
    status: str


class PriorityIn(Schema):
    priority: str = Field(..., max_length=10, description="low, normal, high or urgent.")


class SyncOut(Schema):
    queued: bool
