"""SLA policies: checked, saved, ordered and deleted here (owners and community managers), each change audited
and followed by the clocks of every open thread (``tracking.refresh_open``): edited targets move due times."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.connections.models import Connection
from federe.core import audit
from federe.inbox.models import Priority
from federe.sla import daily, tracking
from federe.sla.models import HoursKind, Policy

MAX_MINUTES = 366 * 24 * 60  # a target is at most a year
MAX_HOLIDAYS = 400
MAX_INTERVALS_A_DAY = 6
MAX_POLICIES = 100
CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


@dataclass
class Fields:
    name: str
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    hours: str = HoursKind.CALENDAR
    channel_ids: list[int] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    business_hours: list[tuple[int, int, int]] = field(default_factory=list)  # (weekday, start, end) minutes
    holidays: list[date] = field(default_factory=list)


def clock_minute(text: str) -> int:
    """ "09:30" → 570; "24:00" is the end of the day. Refused in words otherwise."""
    found = CLOCK.match(text.strip())
    if found:
        hours, minutes = int(found[1]), int(found[2])
        if minutes < 60 and (hours < 24 or (hours, minutes) == (24, 0)):
            return hours * 60 + minutes
    raise ValidationError(_("“%(time)s” is not a time of day like 09:30.") % {"time": text.strip()[:20]})


def parse_day(weekday: int, text: str) -> list[tuple[int, int, int]]:
    """ "09:00-12:00, 13:30-18:00" → [(weekday, 540, 720), (weekday, 810, 1080)]; empty text: a day off."""
    intervals = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, dash, end = part.partition("-")
        if not dash:
            raise ValidationError(_("Write hours as 09:00-12:00, separated by commas."))
        intervals.append((weekday, clock_minute(start), clock_minute(end)))
    return intervals


def _check_hours(fields: Fields) -> dict[str, str]:
    if fields.hours not in HoursKind.values:
        return {"hours": _("Choose calendar hours or business hours.")}
    if fields.hours == HoursKind.CALENDAR:
        return {}
    if not fields.business_hours:
        return {"business_hours": _("Business hours need at least one interval in the week.")}
    for weekday in range(7):
        day = sorted((s, e) for d, s, e in fields.business_hours if d == weekday)
        if len(day) > MAX_INTERVALS_A_DAY:
            return {
                "business_hours": ngettext(
                    "At most %(n)d interval a day.", "At most %(n)d intervals a day.", MAX_INTERVALS_A_DAY
                )
                % {"n": MAX_INTERVALS_A_DAY}
            }
        if any(start >= end for start, end in day) or any(a[1] > b[0] for a, b in itertools.pairwise(day)):
            return {"business_hours": _("Each interval must end after it starts, and intervals must not overlap.")}
    if any(not 0 <= d <= 6 or not 0 <= s <= 1440 or not 0 <= e <= 1440 for d, s, e in fields.business_hours):
        return {"business_hours": _("A weekday is 0 (Monday) to 6 (Sunday); times are 00:00 to 24:00.")}
    if len(fields.holidays) > MAX_HOLIDAYS:
        return {
            "holidays": ngettext("At most %(n)d holiday.", "At most %(n)d holidays.", MAX_HOLIDAYS)
            % {"n": MAX_HOLIDAYS}
        }
    return {}


def validate(workspace: Workspace, fields: Fields) -> Fields:
    errors: dict[str, str] = {}
    fields.name = (fields.name or "").strip()
    if not fields.name or len(fields.name) > 120:
        errors["name"] = _("Give the policy a name of at most 120 characters.")
    targets = [fields.first_response_minutes, fields.next_response_minutes, fields.resolution_minutes]
    if all(t is None for t in targets):
        errors["first_response_minutes"] = _("Set at least one target.")
    if any(t is not None and not 1 <= t <= MAX_MINUTES for t in targets):
        errors["first_response_minutes"] = _("A target is 1 minute to a year (527040 minutes).")
    if any(p not in Priority.values for p in fields.priorities):
        errors["priorities"] = _("Unknown priority.")
    fields.priorities = [p for p in Priority.values if p in fields.priorities]
    fields.channel_ids = sorted(set(fields.channel_ids))
    known = Connection.objects.filter(workspace=workspace, pk__in=fields.channel_ids).count()
    if known != len(fields.channel_ids):
        errors["channels"] = _("One of these channels is not in this workspace.")
    errors.update(_check_hours(fields))
    if errors:
        raise ValidationError(errors)
    if fields.hours == HoursKind.CALENDAR:
        fields.business_hours, fields.holidays = [], []
    fields.business_hours = sorted(fields.business_hours)
    fields.holidays = sorted(set(fields.holidays))
    return fields


def _write(policy: Policy, fields: Fields) -> None:
    policy.name = fields.name
    policy.first_response_minutes = fields.first_response_minutes
    policy.next_response_minutes = fields.next_response_minutes
    policy.resolution_minutes = fields.resolution_minutes
    policy.hours = fields.hours
    policy.priorities = fields.priorities
    policy.business_hours = [list(i) for i in fields.business_hours]
    policy.holidays = [d.isoformat() for d in fields.holidays]
    policy.save()
    policy.channels.set(fields.channel_ids)


def _summary(fields: Fields) -> dict[str, Any]:
    summary = asdict(fields)
    summary["holidays"] = [d.isoformat() for d in fields.holidays]
    summary["business_hours"] = [list(i) for i in fields.business_hours]
    return summary


def _digest(fields: Fields) -> str:
    return hashlib.sha256(json.dumps(_summary(fields), sort_keys=True).encode()).hexdigest()


def _earlier(workspace: Workspace, client_key: str, digest: str) -> Policy | None:
    """The policy made with this Idempotency-Key; refused when the key came with another policy."""
    if len(client_key) > 255 or not client_key.isprintable():
        raise ValidationError({"idempotency_key": _("An idempotency key is at most 255 printable characters.")})
    earlier = Policy.objects.filter(workspace=workspace, client_key=client_key).first()
    if earlier is not None and earlier.client_digest != digest:
        raise ValidationError(
            {"idempotency_key": _("This idempotency key was already used for another policy; use a new key.")}
        )
    return earlier


@transaction.atomic
def add(*, workspace: Workspace, fields: Fields, by: Any, client_key: str = "") -> Policy:
    """A new policy, tried after the existing ones. With a ``client_key`` (the API's Idempotency-Key), a repeat of
    the same policy gives back the one made the first time."""
    require(by, workspace, Perm.MANAGE_SLA)
    fields = validate(workspace, fields)
    digest = _digest(fields)
    if client_key and (earlier := _earlier(workspace, client_key, digest)) is not None:
        return earlier
    policies = Policy.objects.select_for_update().filter(workspace=workspace)
    if policies.count() >= MAX_POLICIES:
        raise ValidationError(
            ngettext(
                "A workspace has at most %(n)d SLA policy.", "A workspace has at most %(n)d SLA policies.", MAX_POLICIES
            )
            % {"n": MAX_POLICIES}
        )
    last = policies.aggregate(last=Max("position"))["last"]
    policy = Policy(workspace=workspace, position=0 if last is None else last + 1, client_key=client_key)
    policy.client_digest = digest if client_key else ""
    _write(policy, fields)
    audit.record("sla.policy_created", workspace=workspace, actor=by, target=policy, details=_summary(fields))
    tracking.refresh_open(workspace.pk)
    return policy


@transaction.atomic
def change(policy: Policy, *, fields: Fields, by: Any) -> Policy:
    """New targets, hours or conditions; every open thread's clocks follow at once."""
    require(by, policy.workspace, Perm.MANAGE_SLA)
    fields = validate(policy.workspace, fields)
    _write(policy, fields)
    audit.record("sla.policy_changed", workspace=policy.workspace, actor=by, target=policy, details=_summary(fields))
    tracking.refresh_open(policy.workspace_id)
    return policy


@transaction.atomic
def remove(policy: Policy, *, by: Any) -> None:
    require(by, policy.workspace, Perm.MANAGE_SLA)
    audit.record(
        "sla.policy_deleted", workspace=policy.workspace, actor=by, target=policy, details={"name": policy.name}
    )
    workspace_id = policy.workspace_id
    policy.delete()
    daily.bump_all(workspace_id)  # its closed threads' clocks drop out of every day's figures
    tracking.refresh_open(workspace_id)


@transaction.atomic
def reorder(*, workspace: Workspace, ids: list[int], by: Any) -> list[Policy]:
    """The policies in this order (every one of the workspace's policies, each once): the first match wins."""
    require(by, workspace, Perm.MANAGE_SLA)
    policies = {p.pk: p for p in Policy.objects.select_for_update().filter(workspace=workspace)}
    if sorted(ids) != sorted(policies) or len(set(ids)) != len(ids):
        raise ValidationError({"ids": _("List every policy of the workspace once, in the new order.")})
    for position, pk in enumerate(ids):
        policies[pk].position = position
    Policy.objects.bulk_update(policies.values(), ["position"])
    audit.record("sla.policies_reordered", workspace=workspace, actor=by, details={"order": ids})
    tracking.refresh_open(workspace.pk)
    return [policies[pk] for pk in ids]


def move(policy: Policy, *, step: int, by: Any) -> list[Policy]:
    """One place earlier (step -1) or later (+1) in the order."""
    ids = list(Policy.objects.filter(workspace=policy.workspace).values_list("pk", flat=True))
    here = ids.index(policy.pk)
    there = min(max(here + step, 0), len(ids) - 1)
    ids[here], ids[there] = ids[there], ids[here]
    return reorder(workspace=policy.workspace, ids=ids, by=by)
