from __future__ import annotations

from ninja import Router

from federe.api.v1.schemas import WorkspaceOut
from federe.core.requests import ApiRequest

router = Router()


@router.get("", response=list[WorkspaceOut])
def list_workspaces(request: ApiRequest) -> list[WorkspaceOut]:
    """The workspace this token belongs to."""
    workspace = request.workspace
    return [WorkspaceOut(slug=workspace.slug, name=workspace.name)]
