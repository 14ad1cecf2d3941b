"""Reading saved replies of a workspace."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from federe.accounts.models import Workspace
from federe.replies.models import SavedReply


def saved_reply(workspace: Workspace, pk: int) -> SavedReply:
    """One saved reply of the workspace (SavedReply.DoesNotExist otherwise)."""
    return SavedReply.objects.select_related("connection", "workspace").get(workspace=workspace, pk=pk)


def listing(workspace: Workspace, *, language: str = "", scope: str = "") -> QuerySet[SavedReply]:
    """The workspace's saved replies; ``scope`` is "workspace" (every channel) or a channel id."""
    rows = SavedReply.objects.filter(workspace=workspace).select_related("connection")
    if language:
        rows = rows.filter(language=language)
    if scope == "workspace":
        rows = rows.filter(connection__isnull=True)
    elif re.fullmatch(r"[0-9]{1,12}", scope):  # ASCII digits only: "²".isdigit() is true, int("²") fails
        rows = rows.filter(connection_id=int(scope))
    elif scope:
        rows = rows.none()  # no channel has that id
    return rows.order_by("folder", "title", "id")
