from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from federe.api.v1.schemas import WorkspaceOut

router = Router()


@router.get("", response=list[WorkspaceOut])
def list_workspaces(request: HttpRequest) -> list[WorkspaceOut]:
    """The workspace this token belongs to."""
    workspace = request.workspace  # type: ignore[attr-defined]
    return [WorkspaceOut(slug=workspace.slug, name=workspace.name)]
