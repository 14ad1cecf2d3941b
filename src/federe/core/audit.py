"""Writing the audit log. Every service that changes something calls ``record``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone

from federe.core.models import AuditEvent

_SECRET_HINTS = ("password", "token", "secret", "credential", "authorization", "api_key")


def _scrub(details: dict[str, Any]) -> dict[str, Any]:
    """Drop any value whose key looks like a secret: the log must never hold one."""
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if any(hint in key.lower() for hint in _SECRET_HINTS):
            clean[key] = "[hidden]"
        elif isinstance(value, dict):
            clean[key] = _scrub(value)
        else:
            clean[key] = value
    return clean


@dataclass
class Event:
    """One audit event, as ``record`` takes it; ``record_many`` takes many."""

    verb: str
    workspace: Any = None  # a workspace, or its id
    actor: Any = None
    actor_label: str = ""
    target: models.Model | None = None
    target_repr: str = ""  # what the log shows of the target, when not str(target)
    details: dict[str, Any] | None = None

    def values(self) -> dict[str, Any]:
        """The row's values by attribute name, its details scrubbed of anything that looks like a secret."""
        user = self.actor if getattr(self.actor, "is_authenticated", False) else None
        target, workspace = self.target, self.workspace
        return {
            "workspace_id": workspace if isinstance(workspace, int) or workspace is None else workspace.pk,
            "actor_id": user.pk if user else None,
            "actor_label": self.actor_label or (user.get_username() if user else "system"),
            "verb": self.verb,
            "object_type": target._meta.label_lower if target is not None else "",
            "object_id": str(target.pk) if target is not None else "",
            "object_repr": (self.target_repr or (str(target) if target is not None else ""))[:200],
            "details": _scrub(self.details or {}),
        }

    def row(self) -> AuditEvent:
        """The unsaved row."""
        return AuditEvent(**self.values())


def record(
    verb: str,
    *,
    workspace: Any = None,
    actor: Any = None,
    actor_label: str = "",
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = Event(verb, workspace=workspace, actor=actor, actor_label=actor_label, target=target, details=details)
    row = event.row()
    row.save()
    return row


def record_many(events: Iterable[Event]) -> list[AuditEvent]:
    """Many events in one INSERT (the rules' decisions on a page), scrubbed like ``record``'s."""
    return AuditEvent.objects.bulk_create([event.row() for event in events])


def insert_many(events: Iterable[Event]) -> int:
    """The same rows as ``record_many``, written by one INSERT run for each without building a model instance:
    for a path that writes a line per item (the publisher: one per delivery sent). Returns how many."""
    rows = [event.values() for event in events]
    if not rows:
        return 0
    now = timezone.now()
    fields = [AuditEvent._meta.get_field("created_at"), *(_FIELDS[name] for name in rows[0])]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    prepared = [field.name in _PREPARED for field in fields]
    params = [
        [
            field.get_db_prep_save(value, connection) if prepare else value
            for field, prepare, value in zip(fields, prepared, (now, *row.values()), strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)  # noqa: S608 - names are ours
    return len(rows)


_FIELDS = {field.attname: field for field in AuditEvent._meta.concrete_fields}
_PREPARED = ("created_at", "details")  # the values the database does not take as they are (a time, JSON)


ERASED = "[erased]"


def scrub_targets(workspace: Any, targets: dict[str, Iterable[int]]) -> int:
    """Blank the name earlier events kept of these objects (object type → ids): a person's erasure must not leave
    their name, or their messages' text, in the activity log. Returns the number of events scrubbed."""
    which = models.Q(pk__in=[])
    for object_type, ids in targets.items():
        which |= models.Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
    return AuditEvent.objects.filter(workspace=workspace).filter(which).update(object_repr=ERASED)
