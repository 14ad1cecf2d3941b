"""What each role may do. Services call ``require``; views never decide."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from federe.accounts.models import Membership, Role, Workspace


class Perm(StrEnum):
    VIEW = "view"
    REPLY = "reply"
    ASSIGN = "assign"
    MODERATE = "moderate"
    SYNC = "sync"
    MANAGE_CONNECTIONS = "manage_connections"
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT = "view_audit"
    MANAGE_LISTENING = "manage_listening"
    PUBLISH = "publish"  # write, schedule, cancel and retry posts
    MANAGE_WEBHOOKS = "manage_webhooks"  # outgoing webhooks: endpoints, secrets, replays
    MANAGE_SLA = "manage_sla"  # SLA policies: targets, hours, order
    MANAGE_REPORTS = "manage_reports"  # client report templates: sections, logo, schedule, share links


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.COMMUNITY_MANAGER: frozenset(
        {
            Perm.VIEW,
            Perm.REPLY,
            Perm.ASSIGN,
            Perm.MODERATE,
            Perm.SYNC,
            Perm.MANAGE_CONNECTIONS,
            Perm.VIEW_AUDIT,
            Perm.MANAGE_LISTENING,
            Perm.PUBLISH,
            Perm.MANAGE_WEBHOOKS,
            Perm.MANAGE_SLA,
            Perm.MANAGE_REPORTS,
        }
    ),
    Role.MODERATOR: frozenset({Perm.VIEW, Perm.REPLY, Perm.ASSIGN, Perm.MODERATE}),
    Role.ANALYST: frozenset({Perm.VIEW, Perm.VIEW_AUDIT, Perm.MANAGE_LISTENING, Perm.MANAGE_REPORTS}),
    Role.CLIENT: frozenset({Perm.VIEW}),
}


def role_of(user: Any, workspace: Workspace) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, workspace=workspace).values_list("role", flat=True).first()


def has_perm(user: Any, workspace: Workspace, perm: Perm) -> bool:
    role = role_of(user, workspace)
    return role is not None and perm in ROLE_PERMS[role]


def may(request: Any, workspace: Workspace, perm: Perm) -> bool:
    """``has_perm`` for the user of a request, looking the role up once per request and workspace."""
    cache: dict[int, str | None] = request.__dict__.setdefault("_federe_roles", {})
    if workspace.pk not in cache:
        cache[workspace.pk] = role_of(request.user, workspace)
    role = cache[workspace.pk]
    return role is not None and perm in ROLE_PERMS[role]


def require(user: Any, workspace: Workspace, perm: Perm) -> None:
    if not has_perm(user, workspace, perm):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))
