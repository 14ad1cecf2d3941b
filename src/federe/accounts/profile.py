"""A user's own profile: name, e-mail, language, timezone, password and which e-mails they receive."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from federe.accounts.models import EmailChoice, User
from federe.core import audit

NOTIFICATIONS = ("notify_assignments", "notify_reviews", "notify_digests", "notify_alerts", "notify_publishing")
#: The fields of federe.notifications' kinds: each one "now", "digest" or "off" (EmailChoice).
EMAIL_CHOICES = (
    "notify_note_mentions",
    "notify_assigned",
    "notify_sla_breach",
    "notify_ticket_updated",
    "notify_alert_fired",
)


@cache
def timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


@dataclass(frozen=True)
class Profile:
    first_name: str
    last_name: str
    email: str
    language: str
    timezone: str
    notify_assignments: bool = True
    notify_reviews: bool = True
    notify_digests: bool = True
    notify_alerts: bool = True
    notify_publishing: bool = True
    notify_note_mentions: str = EmailChoice.NOW
    notify_assigned: str = EmailChoice.NOW
    notify_sla_breach: str = EmailChoice.NOW
    notify_ticket_updated: str = EmailChoice.NOW
    notify_alert_fired: str = EmailChoice.NOW


def _validate(user: User, profile: Profile) -> None:
    errors: dict[str, str] = {}
    if profile.email:
        try:
            validate_email(profile.email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
        else:
            if User.objects.filter(email__iexact=profile.email).exclude(pk=user.pk).exists():
                errors["email"] = _("Another account uses this e-mail address.")
    if profile.language and profile.language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose one of the languages offered.")
    if profile.timezone and profile.timezone not in timezones():
        errors["timezone"] = _("Choose a timezone from the list, such as Europe/Paris.")
    for name in EMAIL_CHOICES:
        if getattr(profile, name) not in EmailChoice.values:
            errors[name] = _("Choose one of the choices offered.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_profile(*, user: User, profile: Profile) -> list[str]:
    """Save the profile; returns the names of the fields that changed (recorded, without their values)."""
    _validate(user, profile)
    changed = [name for name, value in vars(profile).items() if getattr(user, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(user, name, getattr(profile, name))
    user.save(update_fields=changed)
    audit.record("user.profile_changed", actor=user, target=user, details={"changed": changed})
    return changed


@transaction.atomic
def change_password(*, user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise ValidationError({"current": _("This is not your current password.")})
    try:
        validate_password(new, user)
    except ValidationError as exc:
        raise ValidationError({"new": exc.messages}) from exc
    user.set_password(new)
    user.save(update_fields=["password"])
    audit.record("user.password_changed", actor=user, target=user)


def wants(user: User, notification: str) -> bool:
    """Does the user receive this kind of e-mail (one of NOTIFICATIONS)? Only with an address, and if not opted out."""
    assert notification in NOTIFICATIONS, notification
    return bool(user.email) and bool(getattr(user, notification, True))
