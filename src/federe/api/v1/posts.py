"""Posts: create (with a variant per channel), read, list, update, cancel, delete, retry what failed.

Creating is safe to retry with an ``Idempotency-Key`` header: the same key with the same body answers with the
post made the first time and creates nothing; the same key with another body is refused (422). Updating takes
the whole post (a repeat changes nothing more); cancelling and deleting are idempotent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from ninja import Field, Header, Query, Router, Schema

from federe.api.v1.schemas import Id, Offset
from federe.core.requests import ApiRequest
from federe.links import services as link_services
from federe.publishing import approvals, queries, services
from federe.publishing.checks import PostInput, VariantInput
from federe.publishing.models import Delivery, Post

router = Router()


class VariantIn(Schema):
    connection_id: Id
    body_text: str = Field("", max_length=100_000)
    body_html: str = Field("", max_length=200_000)
    title: str = Field("", max_length=300)
    content_warning: str = Field("", max_length=500)
    visibility: str = Field("", max_length=40)
    language: str = Field("", max_length=8)
    options: dict[str, Any] = {}


class PostIn(Schema):
    body: str = Field("", max_length=100_000)
    title: str = Field("", max_length=300)
    scheduled_at: datetime | None = Field(
        None, description="When it goes out: ISO 8601; without an offset, on the workspace's clock. None: a draft."
    )
    variants: list[VariantIn] = Field([], max_length=50, description="One per channel (connection) to publish on.")
    recurrence: str = Field("", description="'', daily, weekly or monthly.", max_length=8)
    recurrence_until: datetime | None = None
    shorten_links: bool | None = Field(
        None,
        description="True: each link becomes a short link with the channel's UTM parameters when sent (GET /links "
        "counts its clicks); false: links are sent as written; null: the workspace's default.",
    )
    queue: bool = Field(
        False, description="True: published at the next time free in the queues of all its channels (no scheduled_at)."
    )


class VariantOut(Schema):
    connection_id: int
    title: str
    body_text: str
    body_html: str
    content_warning: str
    visibility: str
    language: str
    options: dict[str, Any]


class DeliveryOut(Schema):
    id: int
    connection_id: int
    occurrence: int
    state: str
    due_at: datetime
    next_attempt_at: datetime | None
    attempts: int
    last_error: str
    external_id: str
    url: str
    sent_at: datetime | None


class PostOut(Schema):
    id: int
    title: str
    body: str
    status: str
    approval: str
    scheduled_at: datetime | None
    recurrence: str
    author: str | None
    created_at: datetime
    variants: list[VariantOut]
    deliveries: list[DeliveryOut]


class PostsQuery(Schema):
    status: str = Field("", max_length=20)
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


def _delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk,
        connection_id=d.connection_id,
        occurrence=d.occurrence,
        state=d.state,
        due_at=d.due_at,
        next_attempt_at=d.next_attempt_at,
        attempts=d.attempts,
        last_error=d.last_error,
        external_id=d.external_id,
        url=d.url,
        sent_at=d.sent_at,
    )


def post_out(post: Post) -> PostOut:
    variants = [
        VariantOut(connection_id=v.connection_id, **{name: getattr(v, name) for name in services.VARIANT_FIELDS})
        for v in post.variants.all()
    ]
    return PostOut(
        id=post.pk,
        title=post.title,
        body=post.body,
        status=post.status,
        approval=post.approval,
        scheduled_at=post.scheduled_at,
        recurrence=post.recurrence,
        author=post.author.get_username() if post.author else None,
        created_at=post.created_at,
        variants=variants,
        deliveries=[_delivery_out(d) for d in queries.deliveries(post)],
    )


def _input(payload: PostIn) -> PostInput:
    return PostInput(
        body=payload.body,
        title=payload.title,
        scheduled_at=payload.scheduled_at,
        variants=[VariantInput(**variant.dict()) for variant in payload.variants],
        recurrence=payload.recurrence,
        recurrence_until=payload.recurrence_until,
        queue=payload.queue,
        shorten_links=bool(payload.shorten_links),
    )


def digest(payload: PostIn) -> str:
    return hashlib.sha256(json.dumps(payload.dict(), sort_keys=True, default=str).encode()).hexdigest()


@router.get("", response=list[PostOut])
def list_posts(request: ApiRequest, q: Query[PostsQuery]) -> list[PostOut]:
    """The workspace's posts, latest publication time first; ``status`` filters (draft, scheduled, publishing,
    published, partial, failed, cancelled, expired)."""
    rows = queries.posts(request.workspace, q.status).prefetch_related("variants")
    return [post_out(p) for p in rows[q.offset : q.offset + q.limit]]


@router.post("", response={201: PostOut})
def create_post(
    request: ApiRequest, payload: PostIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> tuple[int, PostOut]:
    """Write a post, scheduled when ``scheduled_at`` is given (each variant's channel gets a delivery).

    Send an ``Idempotency-Key`` header to make a repeat safe: the same key and body answer with the first post."""
    post = services.create_post(
        request.workspace, request.user, _input(payload), client_key=idempotency_key, client_digest=digest(payload)
    )
    _choose_links(post, payload)
    if approvals.settings_for(request.workspace).required and approvals.open_round(post) is None:
        approvals.submit(post, by=request.user)  # the API is no way around the workspace's approval workflow
        post.refresh_from_db()
    return 201, post_out(post)


@router.get("/{post_id}", response=PostOut)
def get_post(request: ApiRequest, post_id: Id) -> PostOut:
    """A post, its variants and its deliveries (state, attempts, next attempt, last error, the network's id)."""
    return post_out(queries.post(request.workspace, post_id))


@router.put("/{post_id}", response=PostOut)
def update_post(request: ApiRequest, post_id: Id, payload: PostIn) -> PostOut:
    """Edit, reschedule, or take off the schedule (``scheduled_at`` null). Pending deliveries follow at once;
    a channel that already has the post keeps it as it is (changing its variant is refused)."""
    post = queries.post(request.workspace, post_id)
    before = _content(post)
    post = services.update_post(post, request.user, _input(payload))
    _choose_links(post, payload)
    if _content(post) != before:
        approvals.content_changed(post, by=request.user)  # an edited post is approved again
        post.refresh_from_db()
    return post_out(post)


def _choose_links(post: Post, payload: PostIn) -> None:
    if payload.shorten_links is not None:
        link_services.set_post_choice(post, payload.shorten_links)


def _content(post: Post) -> tuple[object, ...]:
    """What an approver approved: the texts and the variants (not the time)."""
    variants = sorted((v.connection_id, *(getattr(v, n) for n in services.VARIANT_FIELDS)) for v in post.variants.all())
    return (post.title, post.body, tuple(map(str, variants)))


@router.post("/{post_id}/cancel", response=PostOut)
def cancel_post(request: ApiRequest, post_id: Id) -> PostOut:
    """Nothing more goes out; what was published stays on the networks."""
    return post_out(services.cancel_post(queries.post(request.workspace, post_id), request.user))


@router.post("/{post_id}/retry", response=PostOut)
def retry_post(request: ApiRequest, post_id: Id) -> PostOut:
    """Send again the channels that failed, and only them."""
    post = queries.post(request.workspace, post_id)
    services.retry_failed(post, request.user)
    return post_out(queries.post(request.workspace, post_id))


@router.delete("/{post_id}", response={204: None})
def delete_post(request: ApiRequest, post_id: Id) -> tuple[int, None]:
    """Cancel and hide the post; its ledger is kept."""
    post = queries.post(request.workspace, post_id)
    services.delete_post(post, request.user)
    return 204, None
