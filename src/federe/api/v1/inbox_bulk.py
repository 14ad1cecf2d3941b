"""Bulk actions on threads (``POST /api/v1/inbox/bulk``): assign (to a member by username, or to nobody), close,
label or unlabel, mark read or unread (for the token's member). The whole batch is refused (404) when one id is
not a thread of the workspace; the answer says how many threads changed, in words too."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from federe.accounts.models import User
from federe.api.v1.schemas import Id
from federe.core.requests import ApiRequest
from federe.inbox import bulk_actions

router = Router()


class BulkIn(Schema):
    action: Literal["assign", "close", "label", "unlabel", "read", "unread"]
    ids: list[Id] = Field(..., min_length=1, max_length=bulk_actions.MAX_THREADS)
    assignee: str | None = Field(None, max_length=150, description="assign: a member's username; null: nobody.")
    label: str = Field("", max_length=200, description="label / unlabel: the label's name (label makes it if new).")


class BulkOut(Schema):
    action: str
    count: int = Field(description="How many threads changed.")
    message: str


def _assignee(request: ApiRequest, username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, memberships__workspace=request.workspace).first()
    if user is None:
        raise ValidationError({"assignee": _("This person is not a member of the workspace.")})
    return user


@router.post("", response=BulkOut)
def bulk(request: ApiRequest, payload: BulkIn) -> BulkOut:
    """One action on many threads, in one transaction; repeating it changes nothing more (count 0)."""
    workspace, by, ids, action = request.workspace, request.user, payload.ids, payload.action
    if action == "assign":
        done = bulk_actions.assign(workspace, ids, _assignee(request, payload.assignee), by=by)
    elif action == "close":
        done = bulk_actions.close(workspace, ids, by=by)
    elif action in ("label", "unlabel"):
        done = bulk_actions.label(workspace, ids, payload.label, by=by, remove=action == "unlabel")
    else:
        done = bulk_actions.mark(workspace, ids, by=by, read=action == "read")
    return BulkOut(action=action, count=done.count, message=done.message)
