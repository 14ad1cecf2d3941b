"""A workspace's own settings: its name, its timezone and the currency of its budgets (ISO 4217). Owners
only (MANAGE_MEMBERS).

The timezone is the clock dates are typed and shown in; times are stored in UTC, so changing it moves nothing that
is scheduled: a post due at 08:00 UTC is still due then, and is now shown at that instant on the new clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federe.accounts.models import Workspace
from federe.accounts.permissions import Perm, require
from federe.accounts.profile import timezones
from federe.core import audit
from federe.core.money import is_currency

MAX_NAME = 120


@dataclass(frozen=True)
class WorkspaceSettings:
    name: str
    timezone: str
    currency: str = ""  # empty: keep the workspace's


def _validate(settings: WorkspaceSettings) -> None:
    errors: dict[str, str] = {}
    if not settings.name.strip():
        errors["name"] = _("Give the workspace a name.")
    elif len(settings.name) > MAX_NAME:
        errors["name"] = _("A name is at most 120 characters.")
    if settings.timezone not in timezones():
        errors["timezone"] = _("Choose a timezone from the list, such as Europe/Paris.")
    if not is_currency(settings.currency):
        errors["currency"] = _("Choose a currency from the list (ISO 4217 code, such as EUR).")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_workspace(workspace: Workspace, *, by: Any, settings: WorkspaceSettings) -> list[str]:
    """Save the name and timezone; returns the names of the fields that changed (recorded without their values).
    Stored times (posts, deliveries, queue) are UTC and stay as they are."""
    require(by, workspace, Perm.MANAGE_MEMBERS)
    settings = WorkspaceSettings(
        name=settings.name.strip(),
        timezone=settings.timezone.strip(),
        currency=settings.currency.strip().upper() or workspace.currency,
    )
    _validate(settings)
    changed = [name for name, value in vars(settings).items() if getattr(workspace, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(workspace, name, getattr(settings, name))
    workspace.save(update_fields=changed)
    audit.record(
        "workspace.settings_changed", workspace=workspace, actor=by, target=workspace, details={"changed": changed}
    )
    return changed
