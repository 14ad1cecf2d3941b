"""SLA policies: list (in order: the first that matches a thread applies), create, read, update (targets too:
the open threads' due times follow at once), reorder, delete. Owners and community managers only.

Creating is safe to retry with an ``Idempotency-Key`` header: the same key with the same policy answers with the
policy made the first time; the same key with another policy is refused (422)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Header, Router, Schema

from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.sla import queries, services
from federe.sla.models import Policy

router = Router()

Minutes = int | None
PriorityName = Literal["low", "normal", "high", "urgent"]


class Interval(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 is Monday, 6 Sunday.")
    start: str = Field(..., max_length=5, description='Local time "09:00".')
    end: str = Field(..., max_length=5, description='Local time "18:00"; "24:00" is midnight at the end.')


class PolicyIn(Schema):
    name: str = Field(..., max_length=120)
    channel_ids: list[Id] = Field(default_factory=list, max_length=500, description="None: every channel.")
    priorities: list[PriorityName] = Field(default_factory=list, max_length=4, description="None: every priority.")
    first_response_minutes: Minutes = Field(None, ge=1, le=services.MAX_MINUTES)
    next_response_minutes: Minutes = Field(None, ge=1, le=services.MAX_MINUTES)
    resolution_minutes: Minutes = Field(None, ge=1, le=services.MAX_MINUTES)
    hours: Literal["calendar", "business"] = "calendar"
    business_hours: list[Interval] = Field(default_factory=list, max_length=42)
    holidays: list[date] = Field(default_factory=list, max_length=services.MAX_HOLIDAYS)

    def fields(self) -> services.Fields:
        intervals = [
            (i.weekday, services.clock_minute(i.start), services.clock_minute(i.end)) for i in self.business_hours
        ]
        return services.Fields(
            name=self.name,
            first_response_minutes=self.first_response_minutes,
            next_response_minutes=self.next_response_minutes,
            resolution_minutes=self.resolution_minutes,
            hours=self.hours,
            channel_ids=list(self.channel_ids),
            priorities=list(self.priorities),
            business_hours=intervals,
            holidays=list(self.holidays),
        )


class PolicyOut(PolicyIn):
    id: int
    position: int


class OrderIn(Schema):
    ids: list[Id] = Field(..., max_length=services.MAX_POLICIES, description="Every policy's id, in the new order.")


def clock_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def policy_out(policy: Policy) -> PolicyOut:
    return PolicyOut(
        id=policy.pk,
        position=policy.position,
        name=policy.name,
        channel_ids=sorted(c.pk for c in policy.channels.all()),
        priorities=policy.priorities,
        first_response_minutes=policy.first_response_minutes,
        next_response_minutes=policy.next_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        hours="business" if policy.hours == "business" else "calendar",
        business_hours=[
            Interval(weekday=d, start=clock_text(start), end=clock_text(end)) for d, start, end in policy.business_hours
        ],
        holidays=[date.fromisoformat(d) for d in policy.holidays],
    )


@router.get("", response=list[PolicyOut])
def list_policies(request: ApiRequest) -> list[PolicyOut]:
    """The workspace's policies in the order they are tried."""
    return [policy_out(p) for p in queries.policies(request.workspace)]


@router.post("", response={201: PolicyOut})
def create_policy(
    request: ApiRequest, payload: PolicyIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> tuple[int, PolicyOut]:
    """A new policy, tried after the existing ones; the open threads' clocks follow."""
    policy = services.add(
        workspace=request.workspace, fields=payload.fields(), by=request.user, client_key=idempotency_key
    )
    return 201, policy_out(queries.policy(request.workspace, policy.pk))


@router.put("/order", response=list[PolicyOut])
def reorder_policies(request: ApiRequest, payload: OrderIn) -> list[PolicyOut]:
    """Put the policies in this order (every id once)."""
    services.reorder(workspace=request.workspace, ids=list(payload.ids), by=request.user)
    return [policy_out(p) for p in queries.policies(request.workspace)]


@router.get("/{policy_id}", response=PolicyOut)
def get_policy(request: ApiRequest, policy_id: Id) -> PolicyOut:
    return policy_out(queries.policy(request.workspace, policy_id))


@router.put("/{policy_id}", response=PolicyOut)
def update_policy(request: ApiRequest, policy_id: Id, payload: PolicyIn) -> PolicyOut:
    """The whole policy (targets included): the due times of open threads move at once."""
    policy = queries.policy(request.workspace, policy_id)
    services.change(policy, fields=payload.fields(), by=request.user)
    return policy_out(queries.policy(request.workspace, policy_id))


@router.delete("/{policy_id}", response={204: None})
def delete_policy(request: ApiRequest, policy_id: Id) -> tuple[int, None]:
    services.remove(queries.policy(request.workspace, policy_id), by=request.user)
    return 204, None
