"""Outgoing webhooks: endpoints (the secret is in the answer to the create and rotate calls only), their delivery
log, replays and test sends. Owners and community managers only."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema

from federe.accounts.permissions import Perm, require
from federe.api.v1.schemas import Id, Offset
from federe.core.requests import ApiRequest
from federe.webhooks import events, queries, services
from federe.webhooks.models import Delivery, Endpoint

router = Router()


class EndpointIn(Schema):
    url: str = Field(max_length=1000)
    events: list[str] = Field(description=f"Event types: {', '.join(events.EVENT_TYPES)}.")
    description: str = Field("", max_length=200)
    enabled: bool = True


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    created_at: datetime


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="The signing secret (whsec_…): given in this answer only.")


class AttemptOut(Schema):
    at: datetime
    status_code: int | None
    response_excerpt: str
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    endpoint_id: int
    event_id: str = Field(description="The webhook-id header: the same at every retry and replay.")
    type: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    log: list[AttemptOut]


class DeliveriesQuery(Schema):
    endpoint_id: Id | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


def _out(endpoint: Endpoint) -> EndpointOut:
    return EndpointOut(
        id=endpoint.pk,
        url=endpoint.url,
        description=endpoint.description,
        events=endpoint.events,
        enabled=endpoint.enabled,
        created_at=endpoint.created_at,
    )


def _delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk,
        endpoint_id=d.endpoint_id,
        event_id=d.event.event_id,
        type=d.event.type,
        state=d.state,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        created_at=d.created_at,
        log=[
            AttemptOut(
                at=a.at,
                status_code=a.status_code,
                response_excerpt=a.response_excerpt,
                error=a.error,
                duration_ms=a.duration_ms,
            )
            for a in d.log.all()
        ],
    )


def _endpoint(request: ApiRequest, pk: int) -> Endpoint:
    require(request.user, request.workspace, Perm.MANAGE_WEBHOOKS)
    endpoint = Endpoint.objects.filter(workspace=request.workspace, pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


@router.get("", response=list[EndpointOut])
def list_endpoints(request: ApiRequest) -> list[EndpointOut]:
    require(request.user, request.workspace, Perm.MANAGE_WEBHOOKS)
    return [_out(e) for e in queries.endpoints(request.workspace)]


@router.post("", response={201: EndpointWithSecret})
def create_endpoint(request: ApiRequest, payload: EndpointIn) -> tuple[int, EndpointWithSecret]:
    endpoint, secret = services.create_endpoint(
        workspace=request.workspace,
        by=request.user,
        url=payload.url,
        event_types=payload.events,
        description=payload.description,
    )
    if not payload.enabled:
        services.update_endpoint(
            endpoint=endpoint,
            by=request.user,
            url=endpoint.url,
            event_types=endpoint.events,
            enabled=False,
            description=endpoint.description,
        )
    return 201, EndpointWithSecret(**_out(endpoint).dict(), secret=secret)


@router.get("/deliveries", response=list[DeliveryOut])
def list_deliveries(request: ApiRequest, q: Query[DeliveriesQuery]) -> list[DeliveryOut]:
    """The newest deliveries first, each with its attempts (newest first)."""
    require(request.user, request.workspace, Perm.MANAGE_WEBHOOKS)
    rows = queries.deliveries(request.workspace, q.endpoint_id)[q.offset : q.offset + q.limit]
    return [_delivery_out(d) for d in rows]


@router.post("/deliveries/{delivery_id}/replay", response={202: DeliveryOut})
def replay(request: ApiRequest, delivery_id: Id) -> tuple[int, DeliveryOut]:
    """Send the event again to its address, with the same event id."""
    require(request.user, request.workspace, Perm.MANAGE_WEBHOOKS)
    delivery = Delivery.objects.filter(workspace=request.workspace, pk=delivery_id).select_related("event").first()
    if delivery is None:
        raise Http404
    services.replay(delivery=delivery, by=request.user)
    return 202, _delivery_out(queries.deliveries(request.workspace).get(pk=delivery.pk))


@router.get("/{endpoint_id}", response=EndpointOut)
def get_endpoint(request: ApiRequest, endpoint_id: Id) -> EndpointOut:
    return _out(_endpoint(request, endpoint_id))


@router.put("/{endpoint_id}", response=EndpointOut)
def update_endpoint(request: ApiRequest, endpoint_id: Id, payload: EndpointIn) -> EndpointOut:
    endpoint = services.update_endpoint(
        endpoint=_endpoint(request, endpoint_id),
        by=request.user,
        url=payload.url,
        event_types=payload.events,
        enabled=payload.enabled,
        description=payload.description,
    )
    return _out(endpoint)


@router.delete("/{endpoint_id}", response={204: None})
def delete_endpoint(request: ApiRequest, endpoint_id: Id) -> tuple[int, None]:
    services.delete_endpoint(endpoint=_endpoint(request, endpoint_id), by=request.user)
    return 204, None


@router.post("/{endpoint_id}/rotate-secret", response=EndpointWithSecret)
def rotate_secret(request: ApiRequest, endpoint_id: Id) -> EndpointWithSecret:
    """A new secret replaces the current one at once; it is given in this answer only."""
    endpoint = _endpoint(request, endpoint_id)
    secret = services.rotate_secret(endpoint=endpoint, by=request.user)
    return EndpointWithSecret(**_out(endpoint).dict(), secret=secret)


@router.post("/{endpoint_id}/test", response={202: DeliveryOut})
def send_test(request: ApiRequest, endpoint_id: Id) -> tuple[int, DeliveryOut]:
    delivery = services.send_test(endpoint=_endpoint(request, endpoint_id), by=request.user)
    return 202, _delivery_out(queries.deliveries(request.workspace).get(pk=delivery.pk))
