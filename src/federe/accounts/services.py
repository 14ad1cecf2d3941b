"""The only code that writes accounts, workspaces, memberships and tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from federe.accounts.models import ApiToken, Membership, Role, User, Workspace
from federe.accounts.permissions import Perm, require
from federe.accounts.profile import timezones
from federe.core import audit

TOKEN_PREFIX = "fed_"  # noqa: S105 - a public marker, not a secret


def create_user(username: str, password: str, *, email: str = "", language: str = "") -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This user name is already taken.")})
    return User.objects.create_user(username=username, password=password, email=email, language=language)


def set_language(*, user: User, language: str) -> None:
    """The language of the user's pages and e-mails; one of settings.LANGUAGES."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


@transaction.atomic
def create_workspace(*, name: str, owner: User, slug: str = "", timezone_name: str = "") -> Workspace:
    """``timezone_name`` (IANA, e.g. America/Montreal): the team's clock; Europe/Paris when not given."""
    slug = slugify(slug or name)[:60]
    if not slug:
        raise ValidationError({"slug": _("Give the workspace a name made of letters or digits.")})
    if timezone_name and timezone_name not in timezones():
        raise ValidationError({"timezone": _("Unknown timezone: choose one such as Europe/Paris.")})
    if Workspace.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("A workspace with this short name already exists.")})
    workspace = Workspace.objects.create(slug=slug, name=name.strip() or slug, timezone=timezone_name or "Europe/Paris")
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    audit.record("workspace.created", workspace=workspace, actor=owner, target=workspace)
    return workspace


@transaction.atomic
def add_member(*, workspace: Workspace, user: User, role: str, by: Any) -> Membership:
    if by is not None:
        require(by, workspace, Perm.MANAGE_MEMBERS)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, _created = Membership.objects.update_or_create(user=user, workspace=workspace, defaults={"role": role})
    audit.record(
        "member.added", workspace=workspace, actor=by, target=membership, details={"user": user.username, "role": role}
    )
    return membership


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(*, user: User, workspace: Workspace, name: str) -> tuple[ApiToken, str]:
    """Return the token and its plain value, which is shown once and never stored."""
    require(user, workspace, Perm.VIEW)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, workspace=workspace, name=name or _("API token"), prefix=raw[:10], digest=_digest(raw)
    )
    audit.record("api_token.created", workspace=workspace, actor=user, target=token)
    return token, raw


def revoke_api_token(*, token: ApiToken, by: User) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("api_token.revoked", workspace=token.workspace, actor=by, target=token)


def authenticate_token(raw: str) -> ApiToken | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "workspace")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not Membership.objects.filter(user=token.user, workspace=token.workspace).exists():
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
