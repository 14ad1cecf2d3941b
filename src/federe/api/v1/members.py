"""The team over the API: list, add (or invite by e-mail), change a role, remove; pending invitations.

Everyone in the workspace may list the members; changes need the owner's MANAGE_MEMBERS (the services check).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema

from federe.accounts import team
from federe.accounts.models import Invitation, Membership, Role
from federe.accounts.permissions import Perm, require
from federe.accounts.queries import members_of
from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest

router = Router()

ROLES = ", ".join(Role.values)


class MemberOut(Schema):
    id: int
    user_id: int
    username: str
    role: str
    joined_at: datetime


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: datetime


class MemberIn(Schema):
    who: str = Field(min_length=1, max_length=254, description="A user name or e-mail; an unknown e-mail is invited")
    role: str = Field(description=ROLES)


class RoleIn(Schema):
    role: str = Field(description=ROLES)


class AddedOut(Schema):
    member: MemberOut | None = None
    invitation: InvitationOut | None = None


def member_out(m: Membership) -> MemberOut:
    return MemberOut(id=m.pk, user_id=m.user_id, username=m.user.get_username(), role=m.role, joined_at=m.created_at)


def invitation_out(i: Invitation) -> InvitationOut:
    return InvitationOut(id=i.pk, email=i.email, role=i.role, expires_at=i.expires_at)


def _membership(request: ApiRequest, pk: int) -> Membership:
    found = members_of(request.workspace).filter(pk=pk).select_related("workspace").first()
    if found is None:
        raise Http404
    return found


@router.get("", response=list[MemberOut])
def list_members(request: ApiRequest) -> list[MemberOut]:
    return [member_out(m) for m in members_of(request.workspace)]


@router.post("", response={201: AddedOut})
def add_member(request: ApiRequest, payload: MemberIn) -> tuple[int, AddedOut]:
    """A known user (by user name or e-mail) joins at once; an unknown e-mail address receives an invitation."""
    added: Any = team.add_or_invite(
        workspace=request.workspace,
        who=payload.who,
        role=payload.role,
        by=request.user,
        base_url=request.build_absolute_uri("/"),
    )
    if isinstance(added, Invitation):
        return 201, AddedOut(invitation=invitation_out(added))
    return 201, AddedOut(member=member_out(added))


@router.get("/invitations", response=list[InvitationOut])
def list_invitations(request: ApiRequest) -> list[InvitationOut]:
    require(request.user, request.workspace, Perm.MANAGE_MEMBERS)
    return [invitation_out(i) for i in team.pending(request.workspace)]


@router.delete("/invitations/{invitation_id}", response={204: None})
def revoke_invitation(request: ApiRequest, invitation_id: Id) -> tuple[int, None]:
    invitation = team.pending(request.workspace).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    team.revoke_invitation(invitation=invitation, by=request.user)
    return 204, None


@router.patch("/{member_id}", response=MemberOut)
def change_role(request: ApiRequest, member_id: Id, payload: RoleIn) -> MemberOut:
    return member_out(team.change_role(membership=_membership(request, member_id), role=payload.role, by=request.user))


@router.delete("/{member_id}", response={204: None})
def remove_member(request: ApiRequest, member_id: Id) -> tuple[int, None]:
    team.remove(membership=_membership(request, member_id), by=request.user)
    return 204, None
