"""A workspace's own settings: its name, its timezone, the currency of its budgets (ISO 4217) and the deep
tier's encoder (fast or quality, where the quality one is installed). Owners only (MANAGE_MEMBERS).

Changing the encoder loses nothing: each encoder keeps its own workspace centres (``nlp.LanguageCentre``), scores
already stored stay until re-scored, and the workspace's recent messages are queued to be re-scored with the new
one (``nlp.refine.backfill.after_encoder_change``).

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
    deep_encoder: str = ""  # empty: keep the workspace's


def _validate(settings: WorkspaceSettings, workspace: Workspace) -> None:
    errors: dict[str, str] = {}
    if not settings.name.strip():
        errors["name"] = _("Give the workspace a name.")
    elif len(settings.name) > MAX_NAME:
        errors["name"] = _("A name is at most 120 characters.")
    if settings.timezone not in timezones():
        errors["timezone"] = _("Choose a timezone from the list, such as Europe/Paris.")
    if not is_currency(settings.currency):
        errors["currency"] = _("Choose a currency from the list (ISO 4217 code, such as EUR).")
    # A choice kept as it is stays valid even where its encoder is no longer installed (it waits for it).
    if settings.deep_encoder != workspace.deep_encoder and settings.deep_encoder not in _encoders_offered():
        errors["deep_encoder"] = _("Choose one of the text analysis models listed.")
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
        deep_encoder=settings.deep_encoder.strip() or workspace.deep_encoder,
    )
    _validate(settings, workspace)
    changed = [name for name, value in vars(settings).items() if getattr(workspace, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(workspace, name, getattr(settings, name))
    workspace.save(update_fields=changed)
    audit.record(
        "workspace.settings_changed", workspace=workspace, actor=by, target=workspace, details={"changed": changed}
    )
    if "deep_encoder" in changed:
        from federe.nlp.refine.backfill import after_encoder_change

        after_encoder_change(workspace, by=by)
    return changed


def _encoders_offered() -> list[str]:
    from federe.nlp.deep.choices import offered

    return [c.name for c in offered()]
