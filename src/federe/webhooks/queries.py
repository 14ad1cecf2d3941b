"""What the webhooks page and the API read: a workspace's endpoints and its recent deliveries with their log."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from federe.webhooks.models import Delivery, DeliveryAttempt, Endpoint

LOG_ROWS = 50


def endpoints(workspace: Any) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(workspace=workspace).order_by("pk")


def deliveries(workspace: Any, endpoint_id: int | None = None) -> QuerySet[Delivery]:
    rows = Delivery.objects.filter(workspace=workspace).select_related("event", "endpoint")
    if endpoint_id is not None:
        rows = rows.filter(endpoint_id=endpoint_id)
    return rows.prefetch_related(Prefetch("log", queryset=DeliveryAttempt.objects.order_by("-at", "-pk"))).order_by(
        "-created_at", "-pk"
    )
