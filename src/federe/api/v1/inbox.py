from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema

from federe.accounts.models import User
from federe.api.v1.schemas import (
    AssignIn,
    ConversationDetail,
    ConversationOut,
    Id,
    MessageOut,
    Offset,
    PriorityIn,
    ReplyIn,
    ReplyOut,
    StatusIn,
)
from federe.core.requests import ApiRequest
from federe.inbox import queries, services
from federe.inbox.models import Conversation, Message, Reply

router = Router()


class InboxQuery(Schema):
    channel: Id | None = None
    status: str = ""
    language: str = ""
    held: bool = False
    overdue: bool = False
    campaign: Id | None = Field(None, description="A campaign's messages (replies to its posts, its mentions).")
    limit: int = 50
    offset: Offset = 0


class ConversationsQuery(InboxQuery):
    view: str = Field(
        "", max_length=20, description="A named view: mine, unassigned, waiting, mentions, unread, overdue."
    )


def _filters(q: InboxQuery) -> queries.InboxFilters:
    if q.limit < 1 or q.limit > 500:
        raise ValidationError({"limit": _("limit must be between 1 and 500.")})
    return queries.InboxFilters.from_params(
        {
            "channel": str(q.channel or ""),
            "status": q.status,
            "language": q.language,
            "held": "1" if q.held else "",
            "campaign": str(q.campaign or ""),
            "view": getattr(q, "view", ""),
            "overdue": "1" if q.overdue else "",
        }
    )


def message_out(message: Message) -> MessageOut:
    author = str(message.author) if message.author_id else (message.sent_by.get_username() if message.sent_by else None)
    return MessageOut(
        id=message.pk,
        conversation_id=message.conversation_id,
        connection_id=message.connection_id,
        external_id=message.external_id,
        direction=message.direction,
        author=author,
        body_text=message.body_text,
        body_html=message.body_html,
        language=message.language,
        network_status=message.network_status,
        posted_at=message.posted_at,
        url=message.url,
    )


def conversation_out(conv: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conv.pk,
        connection_id=conv.connection_id,
        title=conv.title,
        status=conv.status,
        priority=conv.priority,
        language=conv.language,
        assignee=conv.assignee.get_username() if conv.assignee else None,
        last_message_at=conv.last_message_at,
    )


@router.get("/messages", response=list[MessageOut])
def list_messages(request: ApiRequest, q: Query[InboxQuery]) -> list[MessageOut]:
    rows = queries.messages(request.workspace, _filters(q)).select_related("sent_by")
    return [message_out(m) for m in rows[q.offset : q.offset + q.limit]]


@router.get("/conversations", response=list[ConversationOut])
def list_conversations(request: ApiRequest, q: Query[ConversationsQuery]) -> list[ConversationOut]:
    rows = queries.conversations(request.workspace, _filters(q), request.user)
    return [conversation_out(c) for c in rows[q.offset : q.offset + q.limit]]


@router.get("/conversations/{conversation_id}", response=ConversationDetail)
def get_conversation(request: ApiRequest, conversation_id: Id) -> ConversationDetail:
    workspace = request.workspace
    conv = queries.conversation(workspace, conversation_id)
    return ConversationDetail(
        **conversation_out(conv).dict(), messages=[message_out(m) for m in queries.thread(workspace, conv)]
    )


def _message(request: ApiRequest, message_id: Id) -> Message:
    return Message.objects.select_related("conversation__connection", "conversation__workspace").get(
        workspace=request.workspace,
        pk=message_id,
    )


def reply_out(reply: Reply) -> ReplyOut:
    return ReplyOut(
        id=reply.pk,
        state=reply.state,
        error=reply.error,
        attempts=reply.attempts,
        message=message_out(reply.sent_message) if reply.sent_message else None,
    )


@router.post("/messages/{message_id}/reply", response={201: ReplyOut, 502: ReplyOut})
def reply_to_message(
    request: ApiRequest,
    message_id: Id,
    payload: ReplyIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> tuple[int, ReplyOut]:
    """Reply on the channel. 201 when sent; 502 when the network refused, with the draft and its error.

    Send an ``Idempotency-Key`` header to make a repeat safe: the same key with the same reply answers with the
    reply made the first time and sends nothing; the same key with another reply is refused (422). A reply
    the channel already holds (the same text, sent without a key) is refused with 409.
    """
    message = _message(request, message_id)
    reply = services.send_reply(
        conversation=message.conversation,
        text=payload.body,
        by=request.user,
        in_reply_to=message,
        client_key=idempotency_key,
    )
    return (201 if reply.state == "sent" else 502), reply_out(reply)


def _assignee(request: ApiRequest, payload: AssignIn) -> User | None:
    if not payload.assignee:
        return None
    user = User.objects.filter(username=payload.assignee, memberships__workspace=request.workspace).first()
    if user is None:
        raise ValidationError({"assignee": _("This person is not a member of the workspace.")})
    return user


@router.post("/conversations/{conversation_id}/assign", response=ConversationOut)
def assign_conversation(request: ApiRequest, conversation_id: Id, payload: AssignIn) -> ConversationOut:
    conv = queries.conversation(request.workspace, conversation_id)
    return conversation_out(services.assign(conversation=conv, assignee=_assignee(request, payload), by=request.user))


@router.post("/messages/{message_id}/assign", response=ConversationOut)
def assign_message(request: ApiRequest, message_id: Id, payload: AssignIn) -> ConversationOut:
    """Assign the conversation this message belongs to."""
    conv = _message(request, message_id).conversation
    return conversation_out(services.assign(conversation=conv, assignee=_assignee(request, payload), by=request.user))


@router.post("/conversations/{conversation_id}/status", response=ConversationOut)
def change_status(request: ApiRequest, conversation_id: Id, payload: StatusIn) -> ConversationOut:
    conv = queries.conversation(request.workspace, conversation_id)
    return conversation_out(services.set_status(conversation=conv, status=payload.status, by=request.user))


@router.post("/conversations/{conversation_id}/priority", response=ConversationOut)
def change_priority(request: ApiRequest, conversation_id: Id, payload: PriorityIn) -> ConversationOut:
    """Low, normal, high or urgent: the SLA policy that applies may change with it."""
    conv = queries.conversation(request.workspace, conversation_id)
    return conversation_out(services.set_priority(conversation=conv, priority=payload.priority, by=request.user))
