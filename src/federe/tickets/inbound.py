"""The team's signed status updates: POST /hooks/tickets/<team public id>/ with Standard Webhooks headers
(``webhook-id``, ``webhook-timestamp`` within five minutes, ``webhook-signature``: "v1," + base64 HMAC-SHA256 over
"id.timestamp.body" keyed with the team's inbound secret). A webhook-id already applied changes nothing.
Every refusal is an ``Refused`` with an HTTP status and a sentence; the view turns it into JSON."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federe.core.params import whole_number
from federe.tickets import services, teams
from federe.tickets.models import InboundReceipt, Team, Ticket, TicketChange
from federe.webhooks import signing

TOLERANCE_SECONDS = 5 * 60
MAX_SIGNATURES = 10


@dataclass
class Refused(Exception):
    status: int
    code: str
    message: str


def check_signature(secret: str, headers: dict[str, str], body: bytes, now: datetime) -> str:
    """The webhook-id of a request signed with ``secret``, sent within five minutes of ``now``."""
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    given = headers.get("webhook-signature", "")
    if not msg_id or not stamp or not given:
        raise Refused(401, "unsigned", _("Sign the request: webhook-id, webhook-timestamp and webhook-signature."))
    if len(msg_id) > 200 or not msg_id.isascii() or not msg_id.isprintable():
        raise Refused(401, "bad_id", _("The webhook-id header is not a usable id (ASCII, at most 200 characters)."))
    seconds = whole_number(stamp, high=10**12)
    if seconds is None or abs(now.timestamp() - seconds) > TOLERANCE_SECONDS:
        raise Refused(
            401, "stale", _("The webhook-timestamp is more than five minutes away from our clock (Unix seconds).")
        )
    wanted = signing.signature(secret, msg_id, seconds, body).encode()
    for part in given.split(" ")[:MAX_SIGNATURES]:
        if hmac.compare_digest(part.encode("utf-8", "replace"), wanted):
            return msg_id
    raise Refused(401, "bad_signature", _("The signature does not match: check the secret and the signed bytes."))


def _read(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, "bad_json", _("The body is not JSON.")) from exc
    if not isinstance(data, dict):
        raise Refused(400, "bad_json", _('The body must be a JSON object: {"ticket": 12, "status": "resolved"}.'))
    return data


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:
        raise Refused(422, "invalid", _("“%(field)s” must be text.") % {"field": key})
    return value


def receive(public_id: str, headers: dict[str, str], body: bytes) -> tuple[Ticket, TicketChange | None, bool]:
    """Apply a team's signed update: (ticket, the change or None, whether this webhook-id was seen before)."""
    team = Team.objects.filter(public_id=public_id[:40]).select_related("workspace").first()
    if team is None:
        raise Refused(404, "unknown_team", _("No escalation team has this address."))
    msg_id = check_signature(teams.inbound_secret(team), headers, body, timezone.now())
    data = _read(body)
    ticket_id = whole_number(data.get("ticket", ""))
    ticket = Ticket.objects.filter(team=team, pk=ticket_id).first() if ticket_id else None
    if ticket is None:
        raise Refused(404, "unknown_ticket", _("This team has no ticket with this id."))
    status = _text(data, "status") or ticket.status
    note, reference = _text(data, "note") or "", _text(data, "external_reference")
    try:
        with transaction.atomic():
            InboundReceipt.objects.create(team=team, webhook_id=msg_id, at=timezone.now())
            change = services.set_status(
                ticket=ticket, status=status, by_team=True, note=note, external_reference=reference
            )
    except IntegrityError:
        ticket.refresh_from_db()
        return ticket, None, True
    except ValidationError as exc:
        _field, messages = next(iter(exc.message_dict.items()))
        raise Refused(422, "invalid", " ".join(messages)) from exc
    ticket.refresh_from_db()
    return ticket, change, False
