"""Endpoints (create, change, rotate the secret, delete), events (emitted once, one delivery per subscribed
endpoint, handed to the worker on commit), replay and test sends. Permission checks live here."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.accounts.permissions import Perm, require
from federe.core import audit
from federe.core.validators import validate_outgoing_url
from federe.webhooks import events, signing
from federe.webhooks.models import Delivery, DeliveryState, Endpoint, Event

#: Deliveries of one emit handed to the task queue at once; more wait for the dispatcher (a few seconds).
HAND_OUT_AT_ONCE = 10


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def _clean(url: str, chosen: Iterable[str]) -> tuple[str, list[str]]:
    url = (url or "").strip()
    problems: dict[str, str] = {}
    if not url:
        problems["url"] = _("Give the address to send events to.")
    elif len(url) > 1000:
        problems["url"] = _("This address is too long.")
    else:
        try:
            validate_outgoing_url(url)  # loopback, private, metadata: refused when saved, as when called
        except ValidationError as exc:
            problems["url"] = exc.messages[0]
    chosen = list(dict.fromkeys(chosen))
    unknown = [name for name in chosen if name not in events.EVENT_TYPES]
    if unknown:
        problems["events"] = _("Unknown event: %(name)s") % {"name": unknown[0][:60]}
    elif not chosen:
        problems["events"] = _("Choose at least one event.")
    if problems:
        raise ValidationError(problems)
    return url, chosen


@transaction.atomic
def create_endpoint(
    *, workspace: Any, by: Any, url: str, event_types: Iterable[str], description: str = ""
) -> tuple[Endpoint, str]:
    """The endpoint and its secret, in clear: the only time it is given out (rotate to get a new one)."""
    require(by, workspace, Perm.MANAGE_WEBHOOKS)
    url, chosen = _clean(url, event_types)
    secret = signing.new_secret()
    endpoint = Endpoint.objects.create(
        workspace=workspace,
        url=url,
        events=chosen,
        description=description[:200],
        secret_encrypted=signing.seal(secret),
    )
    audit.record("webhook.created", workspace=workspace, actor=by, target=endpoint, details={"events": chosen})
    return endpoint, secret


@transaction.atomic
def create_direct_endpoint(*, workspace: Any, by: Any, url: str, description: str) -> tuple[Endpoint, str]:
    """An endpoint that subscribes to no workspace event: another app sends to it with ``emit_to`` (an escalation
    team's tickets). Its secret is given out once, like any endpoint's. The address is checked by the caller."""
    require(by, workspace, Perm.MANAGE_WEBHOOKS)
    secret = signing.new_secret()
    endpoint = Endpoint.objects.create(
        workspace=workspace, url=url, events=[], description=description[:200], secret_encrypted=signing.seal(secret)
    )
    audit.record("webhook.created", workspace=workspace, actor=by, target=endpoint, details={"events": []})
    return endpoint, secret


@transaction.atomic
def move_endpoint(*, endpoint: Endpoint, by: Any, url: str) -> None:
    """A new address for an endpoint, nothing else changed (checked by the caller, as in ``create_direct_endpoint``)."""
    require(by, endpoint.workspace, Perm.MANAGE_WEBHOOKS)
    if url != endpoint.url:
        Endpoint.objects.filter(pk=endpoint.pk).update(url=url, updated_at=timezone.now())
        audit.record("webhook.changed", workspace=endpoint.workspace, actor=by, target=endpoint, details={})


@transaction.atomic
def update_endpoint(
    *, endpoint: Endpoint, by: Any, url: str, event_types: Iterable[str], enabled: bool, description: str = ""
) -> Endpoint:
    require(by, endpoint.workspace, Perm.MANAGE_WEBHOOKS)
    endpoint.url, endpoint.events = _clean(url, event_types)
    endpoint.enabled = enabled
    endpoint.description = description[:200]
    endpoint.save(update_fields=["url", "events", "enabled", "description", "updated_at"])
    audit.record(
        "webhook.changed",
        workspace=endpoint.workspace,
        actor=by,
        target=endpoint,
        details={"events": endpoint.events, "enabled": enabled},
    )
    return endpoint


@transaction.atomic
def rotate_secret(*, endpoint: Endpoint, by: Any) -> str:
    require(by, endpoint.workspace, Perm.MANAGE_WEBHOOKS)
    secret = signing.new_secret()
    Endpoint.objects.filter(pk=endpoint.pk).update(secret_encrypted=signing.seal(secret), updated_at=timezone.now())
    audit.record("webhook.secret_rotated", workspace=endpoint.workspace, actor=by, target=endpoint)
    return secret


@transaction.atomic
def delete_endpoint(*, endpoint: Endpoint, by: Any) -> None:
    require(by, endpoint.workspace, Perm.MANAGE_WEBHOOKS)
    audit.record("webhook.deleted", workspace=endpoint.workspace, actor=by, target=endpoint)
    endpoint.delete()


def emit(workspace_id: int, event_type: str, payload: dict[str, Any]) -> None:
    emit_many(workspace_id, event_type, [payload])


def emit_many(workspace_id: int, event_type: str, payloads: Sequence[dict[str, Any]]) -> None:
    """One event per payload, one delivery per subscribed, enabled endpoint; a few bulk inserts whatever the
    number, handed to the worker when the caller's transaction commits. Nothing is written when no endpoint of
    the workspace wants this type (one query)."""
    if not payloads:
        return
    endpoint_ids = [
        pk
        for pk, types in Endpoint.objects.filter(workspace_id=workspace_id, enabled=True).values_list("pk", "events")
        if event_type in types
    ]
    if not endpoint_ids:
        return
    with transaction.atomic():
        rows = Event.objects.bulk_create(
            [
                Event(workspace_id=workspace_id, event_id=new_event_id(), type=event_type, payload=payload)
                for payload in payloads
            ]
        )
        now = timezone.now()
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(workspace_id=workspace_id, endpoint_id=pk, event=row, next_attempt_at=now)
                for row in rows
                for pk in endpoint_ids
            ]
        )
        if len(deliveries) <= HAND_OUT_AT_ONCE:
            from federe.webhooks.delivery import hand_out

            hand_out([d.pk for d in deliveries], now)
        # More (a page of new messages): due now, the worker's dispatcher enqueues them within seconds, so that
        # ingest adds no query per message.


@transaction.atomic
def replay(*, delivery: Delivery, by: Any) -> Delivery:
    """Send an event again to its endpoint, with the same event id (a receiver that got it already can tell)."""
    require(by, delivery.workspace, Perm.MANAGE_WEBHOOKS)
    from federe.webhooks.delivery import hand_out

    if delivery.state == DeliveryState.SENDING:
        raise ValidationError(_("This delivery is being sent right now."))
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING, attempts=0)
    hand_out([delivery.pk], timezone.now())
    audit.record(
        "webhook.replayed",
        workspace=delivery.workspace,
        actor=by,
        target=delivery.endpoint,
        details={"event": delivery.event.event_id},
    )
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def send_test(*, endpoint: Endpoint, by: Any) -> Delivery:
    """A test event for this endpoint only, delivered by the worker like any other."""
    require(by, endpoint.workspace, Perm.MANAGE_WEBHOOKS)
    return emit_to(endpoint, events.TEST, {"message": "This is a test event from Fédère."})


@transaction.atomic
def emit_to(endpoint: Endpoint, event_type: str, payload: dict[str, Any]) -> Delivery:
    """One event for this endpoint only, whatever it subscribes to (a test send; an escalation team's ticket),
    delivered by the worker like any other: same signing, retries and log."""
    from federe.webhooks.delivery import hand_out

    event = Event.objects.create(
        workspace_id=endpoint.workspace_id, event_id=new_event_id(), type=event_type, payload=payload
    )
    delivery = Delivery.objects.create(workspace_id=endpoint.workspace_id, endpoint=endpoint, event=event)
    hand_out([delivery.pk], timezone.now())
    return delivery
