"""Listening over the API: queries, their mentions, the live preview, share of voice, alerts, opinion leaders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import Http404
from ninja import Field, Router, Schema

from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.listening import services, voice
from federe.listening.models import Alert, Mention, SavedQuery

router = Router()
LeaderDays = Annotated[int, Field(ge=1, le=3660, description="1 to 3660")]


class QueryIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    kind: str = Field(
        description="brand, product, competitor or topic (required: only brand and competitor queries "
        "enter share of voice)"
    )
    brand: str = Field(
        "",
        max_length=120,
        description="For brand and competitor queries: the brand it counts for in share of voice (the name if empty)",
    )
    text: str = Field(min_length=1, max_length=2000, description="See docs/query-language.md")


class QueryOut(Schema):
    id: int
    name: str
    kind: str
    brand: str
    text: str
    enabled: bool
    mentions: int


class MentionOut(Schema):
    id: int
    query_id: int
    message_id: int
    conversation_id: int
    author: str | None
    body_text: str
    language: str
    sentiment: str
    reach: int | None
    engagement: int | None
    url: str
    posted_at: datetime


class PreviewIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


class VoiceOut(Schema):
    """One brand in one period: distinct messages matched by any of its queries (``query_ids``)."""

    period: datetime
    brand: str
    kind: str
    query_ids: list[int]
    mentions: int
    negative: int
    neutral: int
    positive: int


class AlertOut(Schema):
    id: int
    query_id: int
    kind: str
    fired_at: datetime
    ended_at: datetime | None
    why: str
    figures: dict
    delivery_state: str = Field(description="pending, sending, sent or failed (failed with next_attempt_at: retried)")
    attempts: int
    next_attempt_at: datetime | None
    last_error: str


class LeaderIdentityOut(Schema):
    network: str
    channel: str
    handle: str


class LeaderOut(Schema):
    person_id: int
    name: str
    identities: list[LeaderIdentityOut]
    mentions: int
    reach: int
    engagement: int


def _query(request: ApiRequest, pk: int) -> SavedQuery:
    query = SavedQuery.objects.filter(workspace=request.workspace, pk=pk).first()
    if query is None:
        raise Http404
    return query


def query_out(q: SavedQuery) -> QueryOut:
    return QueryOut(
        id=q.pk, name=q.name, kind=q.kind, brand=q.brand, text=q.text, enabled=q.enabled, mentions=q.mentions.count()
    )


def message_out(msg: Any, *, mention_id: int = 0, query_id: int = 0, posted_at: datetime | None = None) -> MentionOut:
    return MentionOut(
        id=mention_id,
        query_id=query_id,
        message_id=msg.pk,
        conversation_id=msg.conversation_id,
        author=str(msg.author) if msg.author else None,
        body_text=msg.body_text,
        language=msg.language,
        sentiment=msg.sentiment,
        reach=msg.reach,
        engagement=msg.engagement,
        url=msg.url,
        posted_at=posted_at or msg.posted_at,
    )


def mention_out(m: Mention) -> MentionOut:
    return message_out(m.message, mention_id=m.pk, query_id=m.query_id, posted_at=m.posted_at)


@router.get("/queries", response=list[QueryOut])
def list_queries(request: ApiRequest) -> list[QueryOut]:
    return [query_out(q) for q in SavedQuery.objects.filter(workspace=request.workspace)]


@router.post("/queries", response={201: QueryOut})
def create_query(request: ApiRequest, payload: QueryIn) -> tuple[int, QueryOut]:
    """Syntax errors answer 400 with the position and what was expected, in the token owner's language."""
    q = services.save_query(workspace=request.workspace, by=request.user, **payload.dict())
    return 201, query_out(q)


@router.put("/queries/{query_id}", response=QueryOut)
def update_query(request: ApiRequest, query_id: Id, payload: QueryIn) -> QueryOut:
    q = services.save_query(
        workspace=request.workspace,
        by=request.user,
        query=_query(request, query_id),
        **payload.dict(),
    )
    return query_out(q)


@router.delete("/queries/{query_id}", response={204: None})
def delete_query(request: ApiRequest, query_id: Id) -> tuple[int, None]:
    services.delete_query(query=_query(request, query_id), by=request.user)
    return 204, None


@router.get("/queries/{query_id}/mentions", response=list[MentionOut])
def mentions(request: ApiRequest, query_id: Id, limit: int = 50, before_id: Id | None = None) -> list[MentionOut]:
    rows = Mention.objects.filter(query=_query(request, query_id)).select_related("message__author")
    if before_id:
        rows = rows.filter(pk__lt=before_id)
    return [mention_out(m) for m in rows.order_by("-posted_at", "-id")[: max(1, min(limit, 500))]]


@router.get("/queries/{query_id}/leaders", response=list[LeaderOut])
def leaders(request: ApiRequest, query_id: Id, days: LeaderDays = 30, order: str = "mentions") -> list[LeaderOut]:
    """Opinion leaders of a query, one row per person with their identities, ordered by ``mentions``, ``reach`` or
    ``engagement``."""
    rows = voice.opinion_leaders(_query(request, query_id), days=days, order=order)
    return [
        LeaderOut(**{**vars(leader), "identities": [LeaderIdentityOut(**vars(i)) for i in leader.identities]})
        for leader in rows
    ]


@router.post("/preview", response=list[MentionOut])
def preview(request: ApiRequest, payload: PreviewIn) -> list[MentionOut]:
    """The latest messages a query would match, without saving it (message id in place of a mention id)."""
    found = services.preview(request.workspace, payload.text)
    return [message_out(m) for m in found]


@router.get("/share-of-voice", response=list[VoiceOut])
def share_of_voice(request: ApiRequest, by: str = "day", days: int = 30) -> list[VoiceOut]:
    """Brand and competitor queries only, grouped by brand: a message matched by several queries of one brand
    counts once."""
    points = voice.share_of_voice(request.workspace, days=max(1, min(days, 366)), by=by)
    return [
        VoiceOut(
            period=p.period,
            brand=p.brand,
            kind=p.kind,
            query_ids=p.query_ids,
            mentions=p.total,
            negative=p.negative,
            neutral=p.neutral,
            positive=p.positive,
        )
        for p in points
    ]


@router.get("/alerts", response=list[AlertOut])
def alerts(request: ApiRequest, limit: int = 50) -> list[AlertOut]:
    rows = Alert.objects.filter(workspace=request.workspace).select_related("query")[: max(1, min(limit, 500))]
    return [
        AlertOut(
            id=a.pk,
            query_id=a.query_id,
            kind=a.kind,
            fired_at=a.fired_at,
            ended_at=a.ended_at,
            why=services.describe(a),
            figures=a.figures,
            delivery_state=a.delivery_state,
            attempts=a.attempts,
            next_attempt_at=a.next_attempt_at,
            last_error=a.last_error,
        )
        for a in rows
    ]
