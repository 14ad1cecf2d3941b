from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from federe.accounts.models import Membership, Workspace
from federe.accounts.permissions import ROLE_PERMS, Perm


def workspaces_for(user: Any) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def members_of(workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")


def members_who_can(workspace: Workspace, perm: Perm) -> QuerySet[Membership]:
    """The members whose role allows ``perm``: e.g. those a thread can be handed to (REPLY)."""
    roles = [role for role, perms in ROLE_PERMS.items() if perm in perms]
    return members_of(workspace).filter(role__in=roles)
