"""Writing the audit log. Every service that changes something calls ``record``."""

from __future__ import annotations

from typing import Any

from django.db import models

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


def record(
    verb: str,
    *,
    workspace: Any = None,
    actor: Any = None,
    actor_label: str = "",
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=user,
        actor_label=actor_label or (user.get_username() if user else "system"),
        verb=verb,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        details=_scrub(details or {}),
    )
